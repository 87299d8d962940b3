import type { FeedError, IdentityScheme, Item, ParsedFeed, TopicMatch } from '../model.js';
import { storyText } from '../stories/fingerprint.js';
import { matchableDoc } from '../topics/matchable.js';
import { analyzeDoc } from '../topics/text.js';
import { matchTopics, type TopicIndex } from '../topics/topic-index.js';
import { entryHash, isUnchanged } from './entry-hash.js';
import { isCurrentMarkupHash } from './entry-markup.js';
import { identitySchemeOf, itemIdentity } from './identity.js';
import { finishItemWithText, type ItemDraft } from './normalize.js';
import { parseFeedEntries } from './parse.js';

/** One fetched body to turn into storable entries: what a worker thread receives. */
export interface PrepareJob {
  body: Uint8Array;
  url: string;
  contentType: string | null;
  /** identity → content hash of the feed's entries already stored. */
  storedHashes: Map<string, string>;
  /** markup hash → identity of the feed's entries stored with one (entry-markup.ts). */
  storedMarkup: Map<string, string>;
  /**
   * The feed as topics see it (`feed:` terms match its id, words its title: the operator's, else
   * its own), and how its entries were told apart so far (0 when left out).
   */
  feed: { id: number; title: string | null; identityScheme?: IdentityScheme };
}

/**
 * A new or changed entry, sanitized and matched against the topics, with the text its story
 * fingerprint is taken from. The fingerprint itself is the main thread's (ingest/refresh.ts): the
 * parser worker is the critical path of a first load, and the main thread has time to spare.
 */
export interface PreparedEntry {
  item: Item;
  contentHash: string;
  /** Its element's markup hash (entry-markup.ts); null for a JSON Feed's entries. */
  markupHash: string | null;
  matches: TopicMatch[];
  /** storyText of the entry: its summary and the opening of its content, at most LEAD_CHARS. */
  storyLead: string;
}

export type FeedFacts = Omit<ParsedFeed, 'items'>;

/**
 * `markupHashes`: unchanged entries read again because their stored markup hash was missing or of
 * another reader version (entry-markup.ts), with the hash to keep for them now.
 */
export type PrepareResult =
  | {
      ok: true; feed: FeedFacts; entries: PreparedEntry[]; unchanged: number; markupHashes: { identity: string; markupHash: string }[];
      /** Every entry of the document, in its order: what the feed carries now. */
      identities: string[];
      /** How the feed's entries are told apart from now on: the job's scheme, or one its document needed. */
      identityScheme: IdentityScheme;
    }
  | { ok: false; error: FeedError };

/**
 * The entries' topic matches taken again against `topics`, on this thread: for a result prepared
 * against topics that have changed since (a topic created or edited while the body was prepared,
 * whose backfill may be over before this result is saved). Rare, so the text is read again from
 * the sanitized content rather than carried along for it.
 */
export function matchEntriesAgain(entries: PreparedEntry[], feed: { id: number; title: string | null }, topics: TopicIndex): void {
  for (const entry of entries) entry.matches = matchTopics(topics, analyzeDoc(matchableDoc(entry.item, feed), topics.vocabulary));
}

/** A new or changed entry as read, with its hashes: what prepareEntries turns into a PreparedEntry. */
interface EntryToPrepare {
  draft: ItemDraft;
  contentHash: string;
  markupHash: string | null;
}

/**
 * Sanitizes every entry, then analyzes every entry, then matches every entry: one stage at a time
 * over the feed, so that each stage's code and tables (the sanitizer's, the word table, the topic
 * index) stay in the core's caches from one entry to the next instead of evicting each other at
 * every entry. Entry by entry, a 512 KB cache simulated by callgrind missed 5,343 times an entry
 * (generated news, 1,000 topics); stage by stage, 4,255 (a 1 MB one: 3,529 and 3,483).
 */
function prepareEntries(toPrepare: EntryToPrepare[], feed: { id: number; title: string | null }, topics: TopicIndex): PreparedEntry[] {
  const finished = toPrepare.map(({ draft }) => finishItemWithText(draft));
  const analyzed = finished.map(({ item, contentText }) => analyzeDoc(matchableDoc(item, feed, contentText), topics.vocabulary));
  const matches = analyzed.map((doc) => matchTopics(topics, doc));
  return finished.map(({ item, contentText }, i) => ({
    item,
    contentHash: toPrepare[i]!.contentHash,
    markupHash: toPrepare[i]!.markupHash,
    matches: matches[i]!,
    // Summary and content together: a copy that carries only the summary still meets the full article.
    storyLead: storyText(item.summary, contentText),
  }));
}

/**
 * Parse, then sanitize, match and fingerprint only the entries that are new or changed: the
 * CPU-heavy, pure part of a refresh, run on worker threads (prepare-pool.ts) so that ingest uses
 * every core while the main thread fetches and writes. Never throws.
 */
export function prepareFeed(job: PrepareJob, topics: TopicIndex): PrepareResult {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const parsed = parseFeedEntries(body, { url: job.url, contentType: job.contentType }, job.storedMarkup);
    if (!parsed.ok) return parsed;
    const { feed } = parsed;
    const identityScheme = identitySchemeOf(parsed.entries, job.feed.identityScheme ?? 0);
    if (identityScheme !== 0) {
      for (const entry of parsed.entries) if (entry.draft !== null) entry.draft.identity = itemIdentity(entry.draft, identityScheme);
    }
    const toPrepare: EntryToPrepare[] = [];
    const feedForTopics = { id: job.feed.id, title: job.feed.title ?? feed.title };
    // Feeds repeat entries (the same guid, link, title and date twice); the first occurrence wins,
    // as a reader would show it, whether it was read or recognized by its markup.
    const seen = new Set<string>();
    let unchanged = 0;
    const withCurrentMarkup = new Set<string>();
    for (const [markupHash, identity] of job.storedMarkup) if (isCurrentMarkupHash(markupHash)) withCurrentMarkup.add(identity);
    const markupHashes: { identity: string; markupHash: string }[] = [];
    for (const entry of parsed.entries) {
      const identity = entry.draft === null ? entry.identity : entry.draft.identity;
      if (seen.has(identity)) continue;
      seen.add(identity);
      if (entry.draft === null) {
        unchanged++;
        continue;
      }
      const hash = entryHash(entry.draft);
      if (!isUnchanged(job.storedHashes.get(identity), entry.draft, hash)) {
        toPrepare.push({ draft: entry.draft, contentHash: hash, markupHash: entry.markupHash });
        continue;
      }
      unchanged++;
      // Stored before markup hashes were kept, or by another reader version: kept now, once. A
      // current one that no longer matches (markup the entry's reading passes over, a comment
      // count) is left: rewriting it would cost a write a fetch, for entries the content hash
      // still finds unchanged.
      if (entry.markupHash !== null && !withCurrentMarkup.has(identity)) markupHashes.push({ identity, markupHash: entry.markupHash });
    }
    return { ok: true, feed, entries: prepareEntries(toPrepare, feedForTopics, topics), unchanged, markupHashes, identities: [...seen], identityScheme };
  } catch (error) {
    return { ok: false, error: { kind: 'internal', message: `preparing ${job.url}: ${(error as Error).message}` } };
  }
}
