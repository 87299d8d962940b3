import type { FeedError, IdentityScheme, Item, TopicMatch } from '../model.js';
import { BandIndex, dayOf, dayRange, readBandKeys, writeBandKeys } from './band-index.js';
import { type Db, writeTransaction } from './db.js';
import { LARGEST_ITEM_ID_GIVEN } from './item-ids.js';
import { createHubRecord, type HubChange, type HubWatch } from './websub.js';

export interface StoryKey {
  signature: Buffer;
  /** LSH band keys (stories/fingerprint.ts): items sharing one are candidate copies. */
  bandKeys: Uint32Array;
}

/** One new or changed entry, with what ingest computed for it. */
export interface ItemToSave {
  item: Item;
  contentHash: string;
  /** The markup hash of the element it was read from (ingest/entry-markup.ts); null for a JSON Feed's. */
  markupHash: string | null;
  matches: TopicMatch[];
  story: StoryKey | null;
}

/** Everything one fetch of one feed produced; stored in one transaction. */
export interface FetchResultToSave {
  fetchedAt: Date;
  httpStatus: number | null;
  /** A permanent redirect's target, to become the feed's URL. */
  newUrl: string | null;
  /** Present when the fetch returned a body; absent on 304 or error (validators kept). */
  validators: { etag: string | null; lastModified: string | null; contentHash: string } | null;
  /**
   * `identityScheme`: how the document's entries were told apart (0 when left out); a feed's never goes back.
   * `hubUrl`, `selfUrl`: the WebSub hub the fetch names and its rel="self" (none when left out).
   */
  feedInfo: {
    title: string | null; siteUrl: string | null; minIntervalMinutes: number | null; identityScheme?: IdentityScheme;
    hubUrl?: string | null; selfUrl?: string | null;
  } | null;
  items: ItemToSave[];
  /**
   * Markup hashes for stored entries read again and found unchanged, whose stored hash is missing or
   * of another reader version: kept so that the next fetch recognizes them unread.
   */
  markupHashes?: readonly { identity: string; markupHash: string }[];
  /**
   * Every entry of the document read, when one was: what the feed carries now. An item retention
   * deletes while its feed carries it leaves its identity, which later saves skip (migrations/0016).
   */
  documentIdentities?: readonly string[];
  error: FeedError | null;
  next: { nextFetchAt: Date; consecutiveFailures: number; disabled: boolean };
  /**
   * The feed's URL and interval as the fetch found them, and when it began, or null to take none
   * into account. An operator who changed either meanwhile set the feed's schedule, which the save
   * keeps; a new URL also dropped the old server's validators, which the save does not write back,
   * and no redirect the fetch followed moves the feed. A feed made due after the fetch began (a
   * refresh asked meanwhile, by this process or another) stays due.
   */
  fetchedAs: { url: string; intervalMinutes: number | null; startedAt: Date } | null;
  /**
   * For a fetch that succeeded, from a process whose feeds hubs may call about: what the save needs
   * to keep the feed's hub's record and to schedule the feed by it (store/websub.ts). Absent: the
   * next fetch is `next`'s.
   */
  hubWatch?: HubWatch;
  /**
   * The topics the items' matches were made against. A topic created, edited or deleted since, by
   * this process or another, may have had its backfill pass over where these items go: the save
   * compares them with the topics as stored, inside its transaction, and has the items matched
   * again against those when they differ. Absent: the matches are taken as they are.
   */
  topics?: TopicsMatched;
}

/** A topic as matching reads it. */
export interface TopicDefinition {
  slug: string;
  query: string;
}

export interface TopicsMatched {
  /** By slug, as the store lists them (topicDefinitions). */
  definitions: readonly TopicDefinition[];
  /** Each item's matches, in the save's order, against these definitions (by slug). Called inside the save's transaction. */
  matchAgain(definitions: readonly TopicDefinition[]): TopicMatch[][];
}

/** Whether the feed was made due (its next fetch set at or before `now`) after the fetch began. */
function madeDueSince(nextFetchAt: string | null, fetchedAs: FetchResultToSave['fetchedAs'], now: string): boolean {
  return fetchedAs !== null && nextFetchAt !== null && nextFetchAt > fetchedAs.startedAt.toISOString() && nextFetchAt <= now;
}

/** Whether two lists of topics, each by slug, are the same topics with the same queries. */
export function sameTopicDefinitions(a: readonly TopicDefinition[], b: readonly TopicDefinition[]): boolean {
  return a.length === b.length && a.every((topic, i) => topic.slug === b[i]!.slug && topic.query === b[i]!.query);
}

export interface StoredEntryHashes {
  /** identity → content hash. */
  byIdentity: Map<string, string>;
  /** markup hash → identity, for the entries stored with one. */
  byMarkup: Map<string, string>;
}

export interface SaveSummary {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Topics that gained or lost an item: their rendered feeds are stale. */
  touchedTopics: string[];
  /** The feed was deleted while it was being fetched: nothing was saved. */
  feedDeleted?: true;
  /** The feed is subscribed at a hub, and the fetch found it changed: whether the hub had said so first. */
  hubChange?: HubChange;
  /** Its hub said the feed changed while it was being fetched: it is due again then. */
  dueAgainAt?: Date;
}

export interface StoryPolicy {
  isSameStory(a: Buffer, b: Buffer): boolean;
  windowHours: number;
  /** Band keys an item must share with a new one to be read and compared at all. */
  minSharedKeys: number;
}

/** Distinct topic slugs kept as one string each (see oneCopy): far more topics than a service holds. */
const MAX_KEPT_SLUGS = 100_000;

/** Band keys held in memory before the least recently used days are dropped: 32 MB of tables at most. */
const BAND_INDEX_ENTRIES = 2_000_000;

interface ExistingItem {
  id: number;
  content_hash: string;
  published_at: string | null;
  first_seen_at: string;
  sort_at: string;
}

/** What findStory needs to recognize an entry issued again under a new identity. */
interface ReissueCheck {
  url: string;
  /** The identities of the document the entry came in, as JSON. */
  document: () => string;
}

/**
 * How far behind the time it was stored a late entry sorts. Topic feeds list their newest entries
 * by sort time, and a feed reader sees only what is in the document when it polls: an entry stored
 * hours after its date (a quiet feed's interval grows up to a day; a feed failed meanwhile; a site
 * dates entries when they are written, not when they go out) would sort below everything stored
 * since, and in a busy topic never reach a subscriber. Sorted no further back than an hour, it is in
 * the first page of a topic that gained fewer than 50 entries in that hour.
 */
const LATE_ENTRY_LIFT_MS = 60 * 60_000;

/**
 * Entries older than this when first stored are not late news but a feed's archive (a feed that
 * lists old entries again, or one that failed for days): they keep their dates, below the news.
 */
const LATE_ENTRY_WINDOW_MS = 24 * 60 * 60_000;

/**
 * Where a new entry sorts: when it was published; undated, or dated after it was first seen (so
 * that it cannot pin itself to the top), when it was first seen, less a millisecond for each entry
 * above it in its document. Lists take the latest time first, and a feed lists its newest entry
 * first: entries without a date of their own keep their document's order, where one time for all
 * left them in the order they were stored, upside down.
 *
 * A late entry (see LATE_ENTRY_LIFT_MS) from a feed that already had entries sorts an hour before
 * it was first seen, less the same millisecond a place, and never before its date. A feed's first
 * fetch brings its past, not late news: those entries keep their dates, or a new feed's last day
 * would crowd out every topic it matches.
 */
function newSortTime(publishedAt: string | null, firstSeenAt: string, position: number, feedHadEntries: boolean): string {
  if (publishedAt !== null && publishedAt < firstSeenAt) {
    if (!feedHadEntries) return publishedAt;
    const publishedMs = Date.parse(publishedAt);
    const firstSeenMs = Date.parse(firstSeenAt);
    const lateMs = firstSeenMs - publishedMs;
    if (lateMs <= LATE_ENTRY_LIFT_MS || lateMs > LATE_ENTRY_WINDOW_MS) return publishedAt;
    return new Date(Math.max(publishedMs, firstSeenMs - LATE_ENTRY_LIFT_MS - position)).toISOString();
  }
  return position === 0 ? firstSeenAt : new Date(Date.parse(firstSeenAt) - position).toISOString();
}

/**
 * Where an entry stored before sorts now: a corrected date moves it; without one, or with the same
 * date, it stays where it was put. A late entry that was lifted (it sorts after its date) is never
 * sunk by a correction: readers may not have polled since.
 */
function updatedSortTime(publishedAt: string | null, row: ExistingItem): string {
  if (publishedAt === null || publishedAt === row.published_at) return row.sort_at;
  const dated = publishedAt < row.first_seen_at ? publishedAt : row.first_seen_at;
  const lifted = row.published_at !== null && row.published_at < row.sort_at;
  return lifted && row.sort_at > dated ? row.sort_at : dated;
}

/**
 * When new items' matches are filed into topic feeds and the timeline (migrations/0005_topic_feed.sql,
 * 0008_timeline.sql). A filing writes a page in nearly every topic's part of topic_feed however few
 * entries it brings each (~540 pages of 16 KB at 1,000 topics), so larger batches cost less per
 * item; but until they are filed, a topic feed scans every unfiled match and the listing of all
 * items reads every unfiled item's row. So a batch is filed at `batch` items, unless the last filing
 * is less than `minIntervalMs` old by the saves' fetch times: in a bulk load it then grows, up to
 * `maxBatch`, and only while the load lasts.
 */
export interface FilingPolicy {
  batch: number;
  maxBatch: number;
  minIntervalMs: number;
}

/**
 * Saving 15,000 prepared items at 1,000 topics: filing every 1,000 items took 35-45 of the save's
 * 120-130 us per item, every 3,000 about 15; read after each save, a topic feed's p50 was 0.8
 * against 1.6 ms, the listing of all items 0.6 against 2.5 ms. At an ingest rate of 1,000 items/s
 * or less, nothing changes.
 */
export const TOPIC_FILING: FilingPolicy = { batch: 1000, maxBatch: 3000, minIntervalMs: 1000 };

/** Whether `unfiled` items past the mark are filed now, `nowMs` after a filing at `lastFiledMs` (null: none yet). */
export function filingDue(policy: FilingPolicy, unfiled: number, nowMs: number, lastFiledMs: number | null): boolean {
  if (unfiled < policy.batch) return false;
  if (unfiled >= policy.maxBatch || lastFiledMs === null) return true;
  // A clock set back files at once rather than waiting for the cap.
  return nowMs - lastFiledMs >= policy.minIntervalMs || nowMs < lastFiledMs;
}

export function createFetchResultQueries(db: Db, stories: StoryPolicy | null, filing: FilingPolicy = TOPIC_FILING) {
  const hashes = db.prepare(`SELECT identity, content_hash, markup_hash FROM items WHERE feed_id = ?
    UNION ALL
    SELECT identity, content_hash, markup_hash FROM expired_entries WHERE feed_id = ?`);
  // The feed's last document, and the identities left by expired items it no longer carries dropped.
  const writeDocument = db.prepare(`INSERT OR REPLACE INTO feed_entries (feed_id, identities) VALUES (?, ?)`);
  const forgetExpired = db.prepare(`DELETE FROM expired_entries WHERE feed_id = @feedId
    AND identity NOT IN (SELECT value FROM json_each(@identities))`);
  const hasExpired = db.prepare(`SELECT 1 FROM expired_entries WHERE feed_id = ? LIMIT 1`).pluck();
  // By place in the save, as existingOfSave finds stored entries.
  const expiredOfSave = db.prepare(`SELECT j.key AS at FROM json_each(?) j
    CROSS JOIN expired_entries e ON e.feed_id = ? AND e.identity = j.value`).pluck();
  // A save's entries already stored, in one query: a query an entry took 3.2-5.3 µs an entry,
  // this one 0.25-0.48 when none is stored and 0.8-1.5 when all 50 are (400 saves of 50 entries,
  // 50,000 items stored). Each row comes back with its entry's place in the save, not matched by
  // its identity in JavaScript: an identity with a lone surrogate is stored in bytes that read
  // back as other text. CROSS JOIN keeps the entries the outer loop, each looked up in (feed_id,
  // identity); left to itself the planner read the entries again for each item the feed has
  // (3.0-3.7 µs an entry with 50 stored).
  const existingOfSave = db.prepare(`SELECT j.key AS at, i.id, i.content_hash, i.published_at, i.first_seen_at, i.sort_at
    FROM json_each(?) j CROSS JOIN items i ON i.feed_id = ? AND i.identity = j.value`);
  // Values by position, in the columns' order: bound by name, the 20 values took ~1.5-2 µs more
  // an insert (19 columns, one of 6 KB, 20,000 inserts in a loop: 6.3-6.9 against 4.6-5.0 µs).
  const insertItem = db.prepare(`INSERT INTO items (id, story_id, feed_id, identity, guid, url, title, summary, content_html,
      authors, categories, enclosures, language, published_at, updated_at, first_seen_at, sort_at, changed_at,
      content_hash, sanitized_with, markup_hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // An item's id is chosen before it is inserted, so that its story (often itself) is known
  // then too: updating the row afterwards would rewrite its whole content. The writer holds the
  // write lock for the transaction, so no one else can take the id meanwhile. Never an id given
  // before, to an item deleted since (migrations/0014_item_ids_not_reused.sql).
  const nextItemId = db.prepare(`SELECT ${LARGEST_ITEM_ID_GIVEN} + 1`).pluck();
  const updateItem = db.prepare(`UPDATE items SET guid = @guid, url = @url, title = @title, summary = @summary,
      content_html = @contentHtml, authors = @authors, categories = @categories, enclosures = @enclosures,
      language = @language, published_at = @publishedAt, updated_at = @updatedAt, sort_at = @sortAt,
      changed_at = @now, content_hash = @contentHash, sanitized_with = @sanitizedWith, markup_hash = @markupHash
    WHERE id = @id`);
  // The edit's number, for programs that follow edits (migrations/0023_item_edits.sql); REPLACE
  // takes the item's earlier edit's row away, so the topics that row says it left are read first.
  const topicsLeftBefore = db.prepare(`SELECT left_topic_ids FROM item_edits WHERE item_id = ?`).pluck();
  const writeEdit = db.prepare(`INSERT OR REPLACE INTO item_edits (item_id, left_topic_ids) VALUES (?, ?)`);
  /**
   * Numbers an item's edit, with the topics it has left (migrations/0025): those it was in before
   * this edit, or had left by an earlier one, and is not in after it. Topic ids as item_topics
   * spells them, ',3,17,'.
   */
  function recordEdit(itemId: number, topicsBefore: string, topicsAfter: string): void {
    const left = new Set<string>();
    for (const id of `${(topicsLeftBefore.get(itemId) as string | null | undefined) ?? ''}${topicsBefore}`.split(',')) {
      if (id !== '' && !topicsAfter.includes(`,${id},`)) left.add(id);
    }
    writeEdit.run(itemId, left.size > 0 ? `,${[...left].join(',')},` : null);
  }
  const keepMarkupHash = db.prepare(`UPDATE items SET markup_hash = ? WHERE feed_id = ? AND identity = ?`);
  // An entry of this feed with the same link, which the document now read no longer carries: the
  // entry a new identity issues again (findStory). Compared in SQL, not in JavaScript: an identity
  // with a lone surrogate reads back as other text.
  const reissuedEntry = db.prepare(`SELECT i.id, i.content_hash, i.published_at, i.first_seen_at, i.sort_at FROM items i
    WHERE i.id = @id AND i.feed_id = @feedId AND i.url = @url
      AND NOT EXISTS (SELECT 1 FROM json_each(@document) j WHERE j.value = i.identity)`);
  const renameItem = db.prepare(`UPDATE items SET identity = ?, guid = ?, markup_hash = ? WHERE id = ?`);
  const moveMember = db.prepare(`UPDATE story_members SET sort_at = ? WHERE item_id = ?`);
  const member = db.prepare(`SELECT feed_id, sort_at, story_id, signature FROM story_members WHERE item_id = ?`);
  // A member's sort time is its item's (migrations/0007): the timeline finds a day's filed members,
  // and the few past the filing mark are read by id.
  const membersOfDay = db.prepare(`SELECT m.item_id, m.band_keys FROM timeline t JOIN story_members m ON m.item_id = t.item_id
      WHERE t.sort_at >= @from AND t.sort_at < @to
    UNION ALL
    SELECT item_id, band_keys FROM story_members
      WHERE item_id > (SELECT through_item FROM topic_feed_filed) AND sort_at >= @from AND sort_at < @to`);
  const membersAfter = db.prepare(`SELECT item_id, sort_at, band_keys FROM story_members WHERE item_id > ? ORDER BY item_id`);
  const lastMember = db.prepare(`SELECT coalesce(max(item_id), 0) FROM story_members`).pluck();
  const insertMember = db.prepare(`INSERT INTO story_members (item_id, feed_id, sort_at, story_id, signature, band_keys)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const topicsVersion = db.prepare(`SELECT version FROM topics_version`).pluck();
  const everyTopic = db.prepare(`SELECT slug, query, id FROM topics ORDER BY slug`);
  // Its topics' slugs, each beside the row's list of their ids.
  const matchesOfItem = db.prepare(`SELECT t.slug, m.topic_ids FROM item_topics m, json_each(m.terms) j
    JOIN topics t ON t.id = CAST(j.key AS INTEGER) WHERE m.item_id = ?`).raw(true);
  // Its entries in topic_feed go with it (migrations/0011_item_topics.sql).
  const clearMatches = db.prepare(`DELETE FROM item_topics WHERE item_id = ?`);
  // One row an item, however many topics it matches: with a row a match, ~9 an item at 1,000
  // topics, saving 300 prepared feeds took 65-87 against 59-62 us an item (three alternating rounds).
  const insertMatches = db.prepare(`INSERT INTO item_topics (item_id, sort_at, topic_ids, terms) VALUES (?, ?, ?, ?)`);
  // An edited item below the filing mark is filed at once; new items wait for their batch.
  const fileMatch = db.prepare(`INSERT INTO topic_feed (topic_id, sort_at, item_id) VALUES (?, ?, ?)`);
  const filedThrough = db.prepare(`SELECT through_item FROM topic_feed_filed`).pluck();
  // In the topic feeds' own order: the matches come by item, each row then landing in another
  // topic's part of the tree; sorted, each goes next to the one before. Filing 3,000 items' ~27,000 matches
  // at 1,000 topics took 42-47 ms against 59-88 ms unsorted, in three alternating rounds.
  const fileBatch = db.prepare(`INSERT INTO topic_feed (topic_id, sort_at, item_id)
    SELECT CAST(j.key AS INTEGER), m.sort_at, m.item_id FROM item_topics m, json_each(m.terms) j
    WHERE m.item_id > ? AND m.item_id <= ?
    ORDER BY 1, 2 DESC, 3 DESC`);
  // The timeline shares the filing mark (migrations/0008_timeline.sql).
  const fileInTimeline = db.prepare(`INSERT INTO timeline (sort_at, item_id) VALUES (?, ?)`);
  // A batch's times are read from the items' story members, which hold each item's sort time
  // (migrations/0007) in rows of ~800 bytes, and from the items themselves only for those without a
  // member. Read from the items, a batch of 3,000 read back ~1,500 pages of content that the page
  // cache had let go since they were written: a first load of 1,000 feeds read 1.92 GB through
  // read calls, against 1.50 GB so, and a filing took 2.6-2.8 against 1.8-1.9 µs an item.
  const fileTimelineBatch = db.prepare(`INSERT INTO timeline (sort_at, item_id)
    SELECT sort_at, item_id FROM story_members WHERE item_id > @through AND item_id <= @newest
    UNION ALL
    SELECT i.sort_at, i.id FROM (
        WITH RECURSIVE ids (id) AS (
          SELECT @through + 1 WHERE @through < @newest
          UNION ALL
          SELECT id + 1 FROM ids WHERE id < @newest
        )
        SELECT id FROM ids WHERE NOT EXISTS (SELECT 1 FROM story_members m WHERE m.item_id = ids.id)
      ) AS without_member
      JOIN items i ON i.id = without_member.id`);
  const markFiled = db.prepare(`UPDATE topic_feed_filed SET through_item = ?`);
  // An operator may delete or change a feed while a pass fetches it (see FetchResultToSave.fetchedAs).
  const feedNow = db.prepare(`SELECT url, interval_minutes, item_count, last_fetched_at, next_fetch_at FROM feeds WHERE id = ?`);
  const hubRecord = createHubRecord(db);
  // A permanent redirect onto a URL another feed already has keeps the old URL: both stay distinct.
  // A config file's feed keeps the file's URL: the next start or reload would not find it, and
  // would delete it with its items. Both then show the new URL in moved_to (updateFeed).
  // Apart from the other columns, since a row update that sets url rewrites its index entry too,
  // a page in every commit.
  const moveFeed = db.prepare(`UPDATE feeds SET url = @newUrl
    WHERE id = @feedId AND origin = 'api' AND NOT EXISTS (SELECT 1 FROM feeds o WHERE o.url = @newUrl)`);
  // A hub is subscribed at for the feed's self link, else its URL when that is one a hub can know (a
  // config file's file: feed has none): without a topic, the feed shows and is given no hub.
  //
  // A fetch can disable its feed (a 410) but never enable it: an operator who disabled the feed
  // while it was being fetched keeps it disabled. The items of a feed that had none were matched
  // under the title it had, else its document's (prepare.ts): taken as matched_title (SET reads the
  // row as it was), so a document that renames the feed in that fetch is rematched as any rename is
  // (feed-titles.ts).
  const updateFeed = db.prepare(`UPDATE feeds SET
      source_title = CASE WHEN @hasInfo THEN coalesce(@title, source_title) ELSE source_title END,
      site_url = CASE WHEN @hasInfo THEN coalesce(@siteUrl, site_url) ELSE site_url END,
      min_interval_minutes = CASE WHEN @hasInfo THEN @minInterval ELSE min_interval_minutes END,
      identity_scheme = max(identity_scheme, @identityScheme),
      websub_hub = CASE WHEN @hasInfo THEN @hubUrl ELSE websub_hub END,
      websub_topic = CASE WHEN NOT @hasInfo THEN websub_topic WHEN @hubUrl IS NULL THEN NULL
        ELSE coalesce(@selfUrl, CASE WHEN url LIKE 'http://%' OR url LIKE 'https://%' THEN url END) END,
      etag = CASE WHEN @hasValidators THEN @etag ELSE etag END,
      last_modified = CASE WHEN @hasValidators THEN @lastModified ELSE last_modified END,
      content_hash = CASE WHEN @hasValidators THEN @contentHash ELSE content_hash END,
      last_fetched_at = @fetchedAt, last_status = @httpStatus,
      last_error_kind = @errorKind, last_error_message = @errorMessage,
      consecutive_failures = @failures, disabled = max(disabled, @disabled),
      next_fetch_at = CASE WHEN @keepSchedule THEN next_fetch_at ELSE @nextFetchAt END,
      item_count = item_count + @inserted,
      matched_title = CASE WHEN item_count = 0 THEN coalesce(title, source_title, CASE WHEN @hasInfo THEN @title END) ELSE matched_title END,
      moved_to = CASE WHEN @newUrl = url THEN NULL ELSE @newUrl END
    WHERE id = @feedId`);

  // A save's touched slugs outlive it in its feed's report, and a pass keeps every report. Each
  // arrives in a worker's message as a string of its own: a first load of 1,000 feeds at 1,000
  // topics kept ~196,000 of them, 6-8 MB that the main thread's full collections marked again each
  // time. One string per slug: its old generation after a collection ~29 -> ~24 MB, its full
  // collections' concurrent marking ~1.7 -> ~0.9 s a load, and peak RSS in four alternating first
  // loads 251-259 against 258-297 MB (items/s within the noise).
  const slugs = new Map<string, string>();
  const oneCopy = (slug: string): string => {
    const kept = slugs.get(slug);
    if (kept !== undefined) return kept;
    // Bounded, should topics come and go for the life of the process.
    if (slugs.size >= MAX_KEPT_SLUGS) slugs.clear();
    slugs.set(slug, slug);
    return slug;
  };

  // Every topic as of a version of the topics (migrations/0009_topics_version.sql): its id by slug,
  // and the definitions a save's matches are checked against. Read inside a save's transaction,
  // they are those the save writes against.
  let stored: { version: number; ids: Map<string, number>; definitions: TopicDefinition[] } | null = null;
  function topicsAt(version: number): { ids: ReadonlyMap<string, number>; definitions: readonly TopicDefinition[] } {
    if (stored?.version !== version) {
      const rows = everyTopic.all() as { slug: string; query: string; id: number }[];
      stored = { version, ids: new Map(rows.map((row) => [row.slug, row.id])), definitions: rows.map(({ slug, query }) => ({ slug, query })) };
    }
    return stored;
  }

  // The last list a save's matches were found made against the stored topics: every save of a
  // pass carries the same list, so a version compares it once.
  let agreed: { version: number; definitions: readonly TopicDefinition[] } | null = null;
  /** The items, matched again against the topics as stored if theirs are not those (FetchResultToSave.topics). */
  function matchedAgainstStored(items: ItemToSave[], topics: TopicsMatched, version: number): ItemToSave[] {
    if (agreed?.version === version && agreed.definitions === topics.definitions) return items;
    const { definitions } = topicsAt(version);
    if (sameTopicDefinitions(definitions, topics.definitions)) {
      agreed = { version, definitions: topics.definitions };
      return items;
    }
    const matches = topics.matchAgain(definitions);
    return items.map((entry, at) => ({ ...entry, matches: matches[at] ?? [] }));
  }

  const bands = new BandIndex(BAND_INDEX_ENTRIES);
  // This process's last filing: a restarted one files its first full batch at once.
  let lastFiledMs: number | null = null;
  // The last member this process has filed: another process's writes since are filed before each save.
  let lastSeen = lastMember.get() as number;

  function loadDay(day: number): void {
    bands.open(day);
    for (const row of membersOfDay.iterate(dayRange(day)) as Iterable<{ item_id: number; band_keys: Buffer }>) {
      bands.add(day, row.item_id, readBandKeys(row.band_keys));
    }
  }

  function catchUp(): void {
    for (const row of membersAfter.iterate(lastSeen) as Iterable<{ item_id: number; sort_at: string; band_keys: Buffer }>) {
      bands.add(dayOf(Date.parse(row.sort_at)), row.item_id, readBandKeys(row.band_keys));
      lastSeen = row.item_id;
    }
  }

  /**
   * What a new item is, by its story fingerprint: the stored entry of its own feed that it issues
   * again under another identity, or else the id of the story it joins, that of the earliest
   * same-story item of another feed in the window, or its own. Copies within one feed join no story:
   * a feed's templated but distinct items (quake or market reports) read alike. A site that issues
   * an article again under a new guid is told apart from those by all of: the same link, a
   * same-story text, and the old entry gone from the document that brings the new one.
   */
  function findStory(policy: StoryPolicy, feedId: number, itemId: number, sortAt: string, story: StoryKey,
    reissue: ReissueCheck | null): ExistingItem | number {
    const windowMs = policy.windowHours * 3_600_000;
    const at = Date.parse(sortAt);
    const from = new Date(at - windowMs).toISOString();
    const to = new Date(at + windowMs).toISOString();
    const days: number[] = [];
    for (let day = dayOf(at - windowMs); day <= dayOf(at + windowMs); day++) {
      if (!bands.has(day)) loadDay(day);
      days.push(day);
    }
    let best: { sortAt: string; itemId: number; storyId: number } | null = null;
    for (const id of bands.candidates(days, story.bandKeys, policy.minSharedKeys)) {
      const row = member.get(id) as { feed_id: number; sort_at: string; story_id: number; signature: Buffer } | undefined;
      if (!row || row.sort_at < from || row.sort_at > to) continue;
      if (row.feed_id === feedId) {
        if (reissue === null || !policy.isSameStory(story.signature, row.signature)) continue;
        const reissueOf = reissuedEntry.get({ id, feedId, url: reissue.url, document: reissue.document() }) as ExistingItem | undefined;
        if (reissueOf === undefined) continue;
        bands.trim(days);
        return reissueOf;
      }
      if (best && (row.sort_at > best.sortAt || (row.sort_at === best.sortAt && id > best.itemId))) continue;
      if (policy.isSameStory(story.signature, row.signature)) best = { sortAt: row.sort_at, itemId: id, storyId: row.story_id };
    }
    bands.trim(days);
    return best ? best.storyId : itemId;
  }

  function addStoryMember(feedId: number, itemId: number, storyId: number, sortAt: string, story: StoryKey): void {
    insertMember.run(itemId, feedId, sortAt, storyId, story.signature, writeBandKeys(story.bandKeys));
    bands.add(dayOf(Date.parse(sortAt)), itemId, story.bandKeys);
    lastSeen = Math.max(lastSeen, itemId);
  }

  /** Writes the item's matches; the ids of its topics before and after, as item_topics spells them (',3,17,'). */
  function writeMatches(itemId: number, sortAt: string, matches: TopicMatch[], topicIds: ReadonlyMap<string, number>,
    touched: Set<string>, isNew: boolean, filed: boolean): { before: string; after: string } {
    // A new item has no matches yet: nothing to read back or clear.
    const rows = isNew ? [] : matchesOfItem.all(itemId) as [slug: string, topicIds: string][];
    const before = new Set(rows.map(([slug]) => slug));
    const idsBefore = rows[0]?.[1] ?? ',';
    if (!isNew) clearMatches.run(itemId);
    // The row's two lists, as migrations/0011_item_topics.sql spells them.
    let ids = ',';
    let terms = '';
    for (const match of matches) {
      const topicId = topicIds.get(match.slug);
      if (topicId === undefined || ids.includes(`,${topicId},`)) continue;
      ids += `${topicId},`;
      terms += `${terms === '' ? '{' : ','}"${topicId}":${JSON.stringify(match.terms)}`;
      if (filed) fileMatch.run(topicId, sortAt, itemId);
      touched.add(oneCopy(match.slug));
    }
    if (terms !== '') insertMatches.run(itemId, sortAt, ids, `${terms}}`);
    // An edit that drops a match changes that topic's feed too.
    for (const slug of before) if (!matches.some((m) => m.slug === slug)) touched.add(oneCopy(slug));
    return { before: idsBefore, after: ids };
  }

  const save = writeTransaction(db, (feedId: number, toSave: FetchResultToSave): SaveSummary => {
    const now = toSave.fetchedAt.toISOString();
    const summary: SaveSummary = { inserted: 0, updated: 0, unchanged: 0, touchedTopics: [] };
    const current = feedNow.get(feedId) as {
      url: string; interval_minutes: number | null; item_count: number; last_fetched_at: string | null; next_fetch_at: string | null;
    } | undefined;
    if (current === undefined) return { ...summary, feedDeleted: true };
    // Read once a save with entries: the topics they are matched against and filed under.
    const version = toSave.items.length > 0 ? (topicsVersion.get() as number) : null;
    const result = version !== null && toSave.topics ? { ...toSave, items: matchedAgainstStored(toSave.items, toSave.topics, version) } : toSave;
    // The old server's validators and redirects say nothing of a new URL; either change sets the schedule.
    const movedMeanwhile = result.fetchedAs !== null && current.url !== result.fetchedAs.url;
    const rescheduledMeanwhile = movedMeanwhile || (result.fetchedAs !== null && current.interval_minutes !== result.fetchedAs.intervalMinutes);
    const touched = new Set<string>();
    if (stories) catchUp();
    // Read only by a save with matches: 304s and unchanged bodies need no topic.
    const topicIds = version !== null && result.items.some(({ matches }) => matches.length > 0) ? topicsAt(version).ids : new Map<string, number>();
    // New ids are past the mark (migrations/0014); one at or below it would be filed at once.
    const through = filedThrough.get() as number;
    let lastId = 0;
    const storedAt = new Map<number, ExistingItem>();
    if (result.items.length > 0) {
      const rows = existingOfSave.all(JSON.stringify(result.items.map(({ item }) => item.identity)), feedId) as (ExistingItem & { at: number })[];
      for (const row of rows) storedAt.set(row.at, row);
    }
    // Entries retention deleted while the feed carried them: stored, for this feed, as far as it goes.
    // Most feeds have none: one probe tells.
    const leftBehind = (result.items.length > 0 || result.documentIdentities !== undefined) && hasExpired.get(feedId) !== undefined;
    const expiredAt = new Set<number>();
    if (result.items.length > 0 && leftBehind) {
      for (const at of expiredOfSave.all(JSON.stringify(result.items.map(({ item }) => item.identity)), feedId) as number[]) expiredAt.add(at);
    }
    // What this save wrote under an identity, for an entry the save holds again.
    const written = new Map<string, ExistingItem>();
    // The transaction holds the write lock: no one else takes an id meanwhile.
    let nextId = result.items.length > 0 ? (nextItemId.get() as number) : 0;
    // Read once, by the first entry that needs it: most saves never do.
    let documentJson: string | null = null;
    const document = (): string => (documentJson ??= JSON.stringify(result.documentIdentities ?? []));
    const feedHadEntries = current.item_count > 0;
    for (const [at, { item, contentHash, markupHash, matches, story }] of result.items.entries()) {
      let row = written.get(item.identity) ?? storedAt.get(at);
      if ((row && row.content_hash === contentHash) || (!row && expiredAt.has(at))) {
        summary.unchanged++;
        continue;
      }
      let sortAt = row ? updatedSortTime(item.publishedAt, row) : newSortTime(item.publishedAt, now, at, feedHadEntries);
      let storyId: number | null = null;
      if (!row) {
        const reissue = feedHadEntries && item.url !== null && result.documentIdentities !== undefined ? { url: item.url, document } : null;
        const found = story && stories ? findStory(stories, feedId, nextId, sortAt, story, reissue) : nextId;
        if (typeof found === 'number') {
          storyId = found;
        } else {
          // The same entry, under the identity its feed gives it now.
          row = found;
          renameItem.run(item.identity, item.guid, markupHash ?? null, row.id);
          written.set(item.identity, row);
          // Only its guid changed (some feeds give every entry a new one each time they are
          // fetched): nothing a reader sees, so no topic feed changes.
          if (row.content_hash === contentHash) {
            summary.unchanged++;
            continue;
          }
          sortAt = updatedSortTime(item.publishedAt, row);
        }
      }
      const itemId = row ? row.id : nextId++;
      const authors = JSON.stringify(item.authors);
      const categories = JSON.stringify(item.categories);
      const enclosures = JSON.stringify(item.enclosures);
      const sanitizedWith = item.sanitizedWith ?? 0;
      const markup = markupHash ?? null;
      if (row) {
        // One object for the statement, no spread: V8 cloned `{ ...values, id }` (19 properties) in
        // its runtime into an object that no scavenge freed, ~1.2 KB an item for full collections.
        updateItem.run({
          id: itemId, guid: item.guid, url: item.url, title: item.title, summary: item.summary, contentHtml: item.contentHtml,
          authors, categories, enclosures, language: item.language, publishedAt: item.publishedAt, updatedAt: item.updatedAt,
          now, sortAt, contentHash, sanitizedWith, markupHash: markup,
        });
        // A corrected date moves the entry within the story window too.
        moveMember.run(sortAt, itemId);
        written.set(item.identity, { ...row, content_hash: contentHash, published_at: item.publishedAt, sort_at: sortAt });
        summary.updated++;
      } else {
        insertItem.run(itemId, storyId, feedId, item.identity, item.guid, item.url, item.title, item.summary, item.contentHtml,
          authors, categories, enclosures, item.language, item.publishedAt, item.updatedAt, now, sortAt, now,
          contentHash, sanitizedWith, markup);
        if (itemId <= through) fileInTimeline.run(sortAt, itemId);
        if (story) addStoryMember(feedId, itemId, storyId ?? itemId, sortAt, story);
        written.set(item.identity, { id: itemId, content_hash: contentHash, published_at: item.publishedAt, first_seen_at: now, sort_at: sortAt });
        summary.inserted++;
      }
      const topicsOfItem = writeMatches(itemId, sortAt, matches, topicIds, touched, row === undefined, itemId <= through);
      if (row) recordEdit(itemId, topicsOfItem.before, topicsOfItem.after);
      lastId = Math.max(lastId, itemId);
    }
    for (const { identity, markupHash } of result.markupHashes ?? []) keepMarkupHash.run(markupHash, feedId, identity);
    // A document with no entries at all says more of its server (a glitch, a half-built page) than
    // of the feed: taken as the feed's list, it would forget what retention left, and the next full
    // document would bring those entries back as new items.
    if (result.documentIdentities && result.documentIdentities.length > 0) {
      const identities = document();
      writeDocument.run(feedId, identities);
      if (leftBehind) forgetExpired.run({ feedId, identities });
    }
    // By the newest item, not this save's: a save with nothing new (a 304) files the batch a bulk
    // load left waiting for the interval.
    const newest = lastId > through ? lastId : (nextItemId.get() as number) - 1;
    const fetchedMs = result.fetchedAt.getTime();
    if (filingDue(filing, newest - through, fetchedMs, lastFiledMs)) {
      fileBatch.run(through, newest);
      fileTimelineBatch.run({ through, newest });
      markFiled.run(newest);
      // Kept even if the transaction rolls back: the next filing then comes at most a batch late.
      lastFiledMs = fetchedMs;
    }
    const newUrl = movedMeanwhile ? null : result.newUrl;
    if (newUrl !== null) moveFeed.run({ feedId, newUrl });
    const watched = result.hubWatch === undefined ? null : hubRecord({
      feedId, previousFetchAt: current.last_fetched_at, fetchedAt: result.fetchedAt,
      changed: summary.inserted + summary.updated > 0, planned: result.next.nextFetchAt,
    }, result.hubWatch);
    let nextFetchAt = watched?.nextFetchAt ?? result.next.nextFetchAt;
    if (watched?.hubChange) summary.hubChange = watched.hubChange;
    // An operator's schedule, set while the feed was fetched, stays (keepSchedule).
    if (watched?.dueAgainAt && !rescheduledMeanwhile) summary.dueAgainAt = watched.dueAgainAt;
    else if (!rescheduledMeanwhile && madeDueSince(current.next_fetch_at, result.fetchedAs, now)) {
      // A refresh asked while the feed was fetched may have been for what this fetch came too early
      // to read: the feed stays due, for the pass after this one. A hub's word meanwhile is the hub
      // record's to schedule (above), no sooner than ingest.websub.minFetchSeconds.
      nextFetchAt = new Date(current.next_fetch_at!);
      summary.dueAgainAt = nextFetchAt;
    }
    updateFeed.run({
      feedId,
      hasInfo: result.feedInfo ? 1 : 0,
      title: result.feedInfo?.title ?? null,
      siteUrl: result.feedInfo?.siteUrl ?? null,
      minInterval: result.feedInfo?.minIntervalMinutes ?? null,
      identityScheme: result.feedInfo?.identityScheme ?? 0,
      hubUrl: result.feedInfo?.hubUrl ?? null,
      selfUrl: result.feedInfo?.selfUrl ?? null,
      hasValidators: result.validators && !movedMeanwhile ? 1 : 0,
      etag: result.validators?.etag ?? null,
      lastModified: result.validators?.lastModified ?? null,
      contentHash: result.validators?.contentHash ?? null,
      fetchedAt: now,
      httpStatus: result.httpStatus,
      errorKind: result.error?.kind ?? null,
      errorMessage: result.error?.message ?? null,
      failures: result.next.consecutiveFailures,
      keepSchedule: rescheduledMeanwhile ? 1 : 0,
      nextFetchAt: nextFetchAt.toISOString(),
      disabled: result.next.disabled ? 1 : 0,
      newUrl,
      inserted: summary.inserted,
    });
    summary.touchedTopics = [...touched];
    return summary;
  });

  return {
    /** What ingest compares a fetched feed's entries with: the hashes of every entry of this feed already stored. */
    async feedItemHashes(feedId: number): Promise<StoredEntryHashes> {
      // An expired entry its feed still carries reads as stored: skipped unread, or as unchanged.
      const rows = hashes.all(feedId, feedId) as { identity: string; content_hash: string; markup_hash: string | null }[];
      const byMarkup = new Map<string, string>();
      for (const row of rows) if (row.markup_hash !== null) byMarkup.set(row.markup_hash, row.identity);
      return { byIdentity: new Map(rows.map((row) => [row.identity, row.content_hash])), byMarkup };
    },
    async saveFetchResult(feedId: number, result: FetchResultToSave): Promise<SaveSummary> {
      try {
        return save(feedId, result);
      } catch (error) {
        // The members filed in memory were rolled back: their ids may go to another writer's items.
        lastSeen = lastMember.get() as number;
        throw error;
      }
    },
  };
}
