import type { ItemRef, ListedItem, StoredItem, TopicMatch } from '../model.js';
import type { Db } from './db.js';
import { LARGEST_ITEM_ID_GIVEN, largestNumberGiven } from './item-ids.js';
import { matchesTopic } from './item-topics.js';
import { ITEM_COLUMNS, type ItemRefRow, type ItemRow, LISTED_COLUMNS, type ListedItemRow, REF_COLUMNS, toItemRef, toListedItem, toStoredItem } from './rows.js';

/** Keyset position: lists are ordered by (sort_at, id) descending. */
export interface ItemCursor {
  sortAt: string;
  id: number;
}

export interface ItemFilter {
  topicSlug?: string | undefined;
  feedId?: number | undefined;
  since?: string | undefined;
  until?: string | undefined;
  after?: ItemCursor | undefined;
  limit: number;
  /** Show each story once, by the first of its items stored (within the topic when one is given). */
  collapseStories?: boolean;
}

/** What a follower of what is stored, or of edits, reads past its mark. */
interface FollowFilter {
  topicSlug?: string | undefined;
  feedId?: number | undefined;
  limit: number;
  /** Ids or edit numbers past the mark looked at, at most: a filter that few match ends a page early. */
  examineAtMost: number;
}

/** Where a follower of what is stored stands: the items stored after the item `afterId`, as stored. */
export interface StoredAfterFilter extends FollowFilter {
  afterId: number;
}

export interface StoredAfterPage {
  /**
   * False when afterId is past every id this database has given: it comes from another database,
   * or from before this one was restored from a backup, and following from it would miss items.
   */
  known: boolean;
  items: ListedItem[];
  /** The afterId that goes on from this page: the last item shown, or the last one looked at. */
  nextAfterId: number;
  /** Whether items past nextAfterId were stored when this page was read. */
  more: boolean;
}

/** Where a follower of edits stands: the items edited after the edit `afterEdit`, in the order edited. */
export interface EditedAfterFilter extends FollowFilter {
  afterEdit: number;
}

/** An item as its latest edit left it. */
export interface EditedItem {
  /** The edit's number: edits made later have larger ones, and an item edited again gets a new one. */
  editId: number;
  /** When the edit was fetched. */
  editedAt: string;
  item: ListedItem;
}

export interface EditedAfterPage {
  /** False when afterEdit is past every edit this database has numbered (see StoredAfterPage.known). */
  known: boolean;
  edits: EditedItem[];
  /** The afterEdit that goes on from this page: the last edit shown, or the last number looked at. */
  nextAfterEdit: number;
  /** Whether edits past nextAfterEdit were made when this page was read. */
  more: boolean;
}

export interface StorySource {
  itemId: number;
  feedId: number;
  feedTitle: string | null;
  url: string | null;
}

// Bounds that every stored value sorts inside, so the cursor conditions need no NULL branches.
const TOP: ItemCursor = { sortAt: '9999-12-31T23:59:59.999Z', id: Number.MAX_SAFE_INTEGER };
const BOTTOM = '';

/**
 * The page's upper bound: the cursor, or `until` where it comes first (no id is below 1, so
 * (until, 0) admits exactly the entries sorted before until). The queries bound their index range
 * by the cursor and `since` only: a bound written `(@until IS NULL OR sort_at < @until)` bounds
 * nothing, and a page then read from the top down to it (52 ms at 1,000,000 items for an `until`
 * below them all), and from `since` down to the bottom when fewer than a page were newer (48 ms).
 */
function upperBound(after: ItemCursor | undefined, until: string | undefined): ItemCursor {
  const cursor = after ?? TOP;
  return until !== undefined && until <= cursor.sortAt ? { sortAt: until, id: 0 } : cursor;
}

// A story is shown by the first of its items stored (ids are given in the order items are
// stored), not by the earliest dated: a copy dated earlier but fetched later would otherwise take
// the story's place under another entry id, and readers would be shown the story twice.
const EARLIER_IN_STORY = `EXISTS (SELECT 1 FROM items j WHERE j.story_id = i.story_id AND j.id < i.id)`;

function listParams(filter: ItemFilter) {
  const after = upperBound(filter.after, filter.until);
  return {
    topicSlug: filter.topicSlug ?? null,
    feedId: filter.feedId ?? null,
    since: filter.since ?? BOTTOM,
    afterSort: after.sortAt,
    afterId: after.id,
    collapse: filter.collapseStories ? 1 : 0,
    limit: filter.limit,
  };
}

function listing<T>(statements: { byTopic: T; byFeed: T; everything: T }, filter: ItemFilter): T {
  return filter.topicSlug !== undefined ? statements.byTopic : filter.feedId !== undefined ? statements.byFeed : statements.everything;
}

export function createItemQueries(db: Db) {
  // A topic's entries are in topic_feed once filed, and found in item_topics until then (see
  // migrations/0005_topic_feed.sql, 0011_item_topics.sql). Both arms are read in (sort_at, item_id)
  // order and merged, so a page reads as many filed entries as it shows, however many the topic
  // has. The arms read only the items' small columns (for the filters), and the page's items are
  // read whole afterwards: the unfiled arm is sorted before the merge, and would otherwise read the
  // content of every unfiled entry of the topic.
  // `since` bounds a filed arm's index range; in an unfiled arm it must not (a unary + keeps a term
  // from an index), or SQLite walks a time index of all items instead of the few past the mark.
  // The story check names m.item_id, not i.id (the same id), so that it waits for the entry to be
  // the topic's: asked of every unfiled item first, it made a page with 1,000 unfiled items take
  // 0.39 against 0.17 ms.
  const topicArm = (entries: string, isTopics: string, since: string) => `SELECT m.sort_at AS entry_sort, m.item_id AS entry_id
    FROM topics t
      JOIN ${entries} m ON ${isTopics}
      JOIN items i ON i.id = m.item_id
    WHERE t.slug = @topicSlug
      AND (m.sort_at < @afterSort OR (m.sort_at = @afterSort AND m.item_id < @afterId))
      AND ${since} >= @since
      AND (@feedId IS NULL OR i.feed_id = @feedId)
      AND (@collapse = 0 OR NOT EXISTS (SELECT 1 FROM items j JOIN item_topics mj ON mj.item_id = j.id
        WHERE ${matchesTopic('mj', 't.id')} AND j.story_id = i.story_id AND j.id < m.item_id))`;
  const byTopic = (columns: string) => db.prepare(`SELECT ${columns} FROM (
      ${topicArm('topic_feed', 'm.topic_id = t.id', 'm.sort_at')}
      UNION ALL
      ${topicArm('item_topics', `m.item_id > (SELECT through_item FROM topic_feed_filed) AND ${matchesTopic('m', 't.id')}`, '+m.sort_at')}
      ORDER BY entry_sort DESC, entry_id DESC
      LIMIT @limit) page
    JOIN items i ON i.id = page.entry_id
    JOIN feeds f ON f.id = i.feed_id
    ORDER BY page.entry_sort DESC, page.entry_id DESC`);
  const byFeed = (columns: string) => db.prepare(`SELECT ${columns} FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.feed_id = @feedId
      AND (i.sort_at < @afterSort OR (i.sort_at = @afterSort AND i.id < @afterId))
      AND i.sort_at >= @since
      AND (@collapse = 0 OR NOT ${EARLIER_IN_STORY})
    ORDER BY i.sort_at DESC, i.id DESC
    LIMIT @limit`);
  // Every item by time: filed items from the timeline, the rest past the filing mark from items
  // (migrations/0008_timeline.sql), merged the way a topic's two arms are.
  const timelineArm = (entries: string, sortAt: string, itemId: string, unfiled: string, since: string) => `SELECT ${sortAt} AS entry_sort,
      ${itemId} AS entry_id
    FROM ${entries}
    WHERE (${sortAt} < @afterSort OR (${sortAt} = @afterSort AND ${itemId} < @afterId)) ${unfiled}
      AND ${since} >= @since
      AND (@collapse = 0 OR NOT ${EARLIER_IN_STORY})`;
  const everything = (columns: string) => db.prepare(`SELECT ${columns} FROM (
      ${timelineArm('timeline t JOIN items i ON i.id = t.item_id', 't.sort_at', 't.item_id', '', 't.sort_at')}
      UNION ALL
      ${timelineArm('items i', 'i.sort_at', 'i.id', 'AND i.id > (SELECT through_item FROM topic_feed_filed)', '+i.sort_at')}
      ORDER BY entry_sort DESC, entry_id DESC
      LIMIT @limit) page
    JOIN items i ON i.id = page.entry_id
    JOIN feeds f ON f.id = i.feed_id
    ORDER BY page.entry_sort DESC, page.entry_id DESC`);
  // Ids are given in the order items are stored and never twice (migrations/0014), so a follower
  // that asks for the ids past the last it saw misses nothing, late-dated items included, which a
  // listing by time puts below what it has already shown.
  // The newest id given, not the newest item's: deleting the newest items (their feed deleted)
  // would otherwise take a follower's starting point back, past ids it will never be given.
  const newestId = db.prepare(`SELECT ${LARGEST_ITEM_ID_GIVEN}`).pluck();
  const plainEntryIds = db.prepare(`SELECT plain_entry_ids_through FROM item_ids`).pluck();
  const storedAfter = db.prepare(`SELECT ${LISTED_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.id > @afterId AND i.id <= @upTo AND (@feedId IS NULL OR i.feed_id = @feedId)
    ORDER BY i.id
    LIMIT @limit`).raw(true);
  const storedAfterInTopic = db.prepare(`SELECT ${LISTED_COLUMNS} FROM topics t
      JOIN item_topics m ON ${matchesTopic('m', 't.id')}
      JOIN items i ON i.id = m.item_id
      JOIN feeds f ON f.id = i.feed_id
    WHERE t.slug = @topicSlug AND m.item_id > @afterId AND m.item_id <= @upTo AND (@feedId IS NULL OR i.feed_id = @feedId)
    ORDER BY m.item_id
    LIMIT @limit`).raw(true);
  // Every id up to the newest read is committed: a save takes ids past it, and commits them at once.
  function readStoredAfter(filter: StoredAfterFilter): StoredAfterPage {
    const newest = newestId.get() as number;
    if (filter.afterId > newest) return { known: false, items: [], nextAfterId: filter.afterId, more: false };
    // By ids, not items: ids are given one after another, so the range holds as many items or
    // fewer (those deleted since), found in it without counting them first.
    const upTo = Math.min(newest, filter.afterId + filter.examineAtMost);
    const params = { afterId: filter.afterId, upTo, feedId: filter.feedId ?? null, topicSlug: filter.topicSlug ?? null, limit: filter.limit };
    const rows = (filter.topicSlug !== undefined ? storedAfterInTopic : storedAfter).all(params) as ListedItemRow[];
    const items = rows.map(toListedItem);
    const last = items[items.length - 1];
    const nextAfterId = items.length === filter.limit && last ? last.id : Math.max(filter.afterId, upTo);
    return { known: true, items, nextAfterId, more: nextAfterId < newest };
  }
  // An item's latest edit (migrations/0023_item_edits.sql). Edit numbers, like ids, are given in
  // the order of the commits that take them, by the one writer.
  // The newest number given, as for ids: an item edited again, or deleted, leaves its number.
  const newestEdit = db.prepare(`SELECT ${largestNumberGiven('item_edits')}`).pluck();
  const editsAfter = db.prepare(`SELECT ${LISTED_COLUMNS}, e.edit_id, i.changed_at FROM item_edits e
      JOIN items i ON i.id = e.item_id
      JOIN feeds f ON f.id = i.feed_id
    WHERE e.edit_id > @afterEdit AND e.edit_id <= @upTo AND (@feedId IS NULL OR i.feed_id = @feedId)
    ORDER BY e.edit_id
    LIMIT @limit`).raw(true);
  // A topic's edits are those of the items in it, and of those an edit took out of it (migrations/0025).
  const editsAfterInTopic = db.prepare(`SELECT ${LISTED_COLUMNS}, e.edit_id, i.changed_at FROM topics t
      JOIN item_edits e ON e.edit_id > @afterEdit AND e.edit_id <= @upTo
      LEFT JOIN item_topics m ON m.item_id = e.item_id
      JOIN items i ON i.id = e.item_id
      JOIN feeds f ON f.id = i.feed_id
    WHERE t.slug = @topicSlug AND (${matchesTopic('m', 't.id')} OR instr(e.left_topic_ids, ',' || t.id || ',') > 0)
      AND (@feedId IS NULL OR i.feed_id = @feedId)
    ORDER BY e.edit_id
    LIMIT @limit`).raw(true);
  function readEditsAfter(filter: EditedAfterFilter): EditedAfterPage {
    const newest = newestEdit.get() as number;
    if (filter.afterEdit > newest) return { known: false, edits: [], nextAfterEdit: filter.afterEdit, more: false };
    // An item edited again leaves its old number unused, so the range holds as many edits or fewer.
    const upTo = Math.min(newest, filter.afterEdit + filter.examineAtMost);
    const params = { afterEdit: filter.afterEdit, upTo, feedId: filter.feedId ?? null, topicSlug: filter.topicSlug ?? null, limit: filter.limit };
    const rows = (filter.topicSlug !== undefined ? editsAfterInTopic : editsAfter).all(params) as [...ListedItemRow, number, string][];
    const edits = rows.map((row): EditedItem => {
      const [editId, editedAt] = row.slice(-2) as [number, string];
      return { editId, editedAt, item: toListedItem(row.slice(0, -2) as ListedItemRow) };
    });
    const last = edits[edits.length - 1];
    const nextAfterEdit = edits.length === filter.limit && last ? last.editId : Math.max(filter.afterEdit, upTo);
    return { known: true, edits, nextAfterEdit, more: nextAfterEdit < newest };
  }
  // Rows as arrays, in the column lists' order (rows.ts).
  const listings = { byTopic: byTopic(ITEM_COLUMNS).raw(true), byFeed: byFeed(ITEM_COLUMNS).raw(true), everything: everything(ITEM_COLUMNS).raw(true) };
  const listingsWithoutContent = {
    byTopic: byTopic(LISTED_COLUMNS).raw(true), byFeed: byFeed(LISTED_COLUMNS).raw(true), everything: everything(LISTED_COLUMNS).raw(true),
  };
  // The same pages by reference: a row's columns up to those named, read from its first page, not
  // its content (at 1,000,000 items, a topic's page of 50: 0.21 against 0.38 ms, without the
  // strings of its content).
  const refListings = { byTopic: byTopic(REF_COLUMNS).raw(true), byFeed: byFeed(REF_COLUMNS).raw(true), everything: everything(REF_COLUMNS).raw(true) };
  const byIds = db.prepare(`SELECT ${ITEM_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.id IN (SELECT value FROM json_each(?))`).raw(true);
  const byId = db.prepare(`SELECT ${ITEM_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?`).raw(true);
  // As arrays: a page of 50 items has ~150 matches at 1,000 topics (0.14 against 0.18 ms as objects).
  const matchesOf = db.prepare(`SELECT m.item_id, t.slug, j.value FROM item_topics m, json_each(m.terms) j
      JOIN topics t ON t.id = CAST(j.key AS INTEGER)
    WHERE m.item_id IN (SELECT value FROM json_each(?)) ORDER BY t.slug`).raw(true);
  const sourcesOf = db.prepare(`SELECT i.story_id, i.id AS item_id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title,
      i.url FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.story_id IN (SELECT value FROM json_each(?)) ORDER BY i.sort_at, i.id`);
  // Most stories on a feed page have one item, the page's own. The story index alone tells, so only
  // the stories carried by more than one item have their items' rows read: at 1,000,000 items, 0.02
  // ms for a page of 50 one-item stories, against 0.08 ms for reading them all.
  const sharedSourcesOf = db.prepare(`SELECT i.story_id, i.id AS item_id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title,
      i.url FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.story_id IN (SELECT s.value FROM json_each(?) s
      WHERE (SELECT count(*) FROM (SELECT 1 FROM items k WHERE k.story_id = s.value LIMIT 2)) = 2)
    ORDER BY i.sort_at, i.id`);
  type SourceRow = { story_id: number; item_id: number; feed_id: number; feed_title: string | null; url: string | null };
  function bySource(rows: SourceRow[]): Map<number, StorySource[]> {
    const result = new Map<number, StorySource[]>();
    for (const row of rows) {
      const list = result.get(row.story_id) ?? [];
      list.push({ itemId: row.item_id, feedId: row.feed_id, feedTitle: row.feed_title, url: row.url });
      result.set(row.story_id, list);
    }
    return result;
  }

  return {
    async listItems(filter: ItemFilter): Promise<StoredItem[]> {
      return (listing(listings, filter).all(listParams(filter)) as ItemRow[]).map(toStoredItem);
    },
    /** listItems' page without the items' content. */
    async listItemsWithoutContent(filter: ItemFilter): Promise<ListedItem[]> {
      return (listing(listingsWithoutContent, filter).all(listParams(filter)) as ListedItemRow[]).map(toListedItem);
    },
    /** listItems' page, each item by what tells it apart from its earlier versions. */
    async listItemRefs(filter: ItemFilter): Promise<ItemRef[]> {
      return (listing(refListings, filter).all(listParams(filter)) as ItemRefRow[]).map(toItemRef);
    },
    /** The largest id given to an item, the newest's unless it was deleted: items stored later have larger ids. */
    async newestItemId(): Promise<number> {
      return newestId.get() as number;
    },
    /**
     * The last item whose feed entry id is its row id alone; later items' ids also name when they
     * were first stored (migrations/0019_entry_ids_after_restore.sql, syndication/entry.ts).
     */
    async plainEntryIdsThrough(): Promise<number> {
      return plainEntryIds.get() as number;
    },
    /** A page of the items stored after filter.afterId, in the order stored (see StoredAfterFilter). */
    async listItemsStoredAfter(filter: StoredAfterFilter): Promise<StoredAfterPage> {
      return readStoredAfter(filter);
    },
    /** The number of the latest edit made, whether its item is edited again or deleted since: edits made later have larger numbers. */
    async newestEditId(): Promise<number> {
      return newestEdit.get() as number;
    },
    /** A page of the items edited after the edit filter.afterEdit, in the order edited (see EditedAfterFilter). */
    async listItemsEditedAfter(filter: EditedAfterFilter): Promise<EditedAfterPage> {
      return readEditsAfter(filter);
    },
    /** The items of these ids that exist, by id. */
    async itemsByIds(ids: number[]): Promise<Map<number, StoredItem>> {
      if (ids.length === 0) return new Map();
      const items = (byIds.all(JSON.stringify(ids)) as ItemRow[]).map(toStoredItem);
      return new Map(items.map((item) => [item.id, item]));
    },
    async getItem(id: number): Promise<StoredItem | null> {
      const row = byId.get(id) as ItemRow | undefined;
      return row ? toStoredItem(row) : null;
    },
    async matchesForItems(itemIds: number[]): Promise<Map<number, TopicMatch[]>> {
      const result = new Map<number, TopicMatch[]>();
      if (itemIds.length === 0) return result;
      for (const [itemId, slug, terms] of matchesOf.all(JSON.stringify(itemIds)) as [number, string, string][]) {
        let list = result.get(itemId);
        if (list === undefined) result.set(itemId, (list = []));
        list.push({ slug, terms: JSON.parse(terms) as string[] });
      }
      return result;
    },
    /** Every item of each story, earliest first: the "also reported by" list. */
    async storySources(storyIds: number[]): Promise<Map<number, StorySource[]>> {
      return storyIds.length === 0 ? new Map() : bySource(sourcesOf.all(JSON.stringify(storyIds)) as SourceRow[]);
    },
    /** storySources for the stories carried by two items or more; a story of one item has no entry. */
    async sharedStorySources(storyIds: number[]): Promise<Map<number, StorySource[]>> {
      return storyIds.length === 0 ? new Map() : bySource(sharedSourcesOf.all(JSON.stringify(storyIds)) as SourceRow[]);
    },
  };
}
