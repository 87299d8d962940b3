import type { FeedError, Item, ParsedFeed, TopicMatch } from '../model.js';
import { storyText } from '../stories/fingerprint.js';
import { matchableDoc } from '../topics/matchable.js';
import { analyzeDoc } from '../topics/text.js';
import { matchTopics, type TopicIndex } from '../topics/topic-index.js';
import { entryHash, isUnchanged } from './entry-hash.js';
import { finishItemWithText, type ItemDraft } from './normalize.js';
import { parseFeedDrafts } from './parse.js';

/** One fetched body to turn into storable entries: what a worker thread receives. */
export interface PrepareJob {
  body: Uint8Array;
  url: string;
  contentType: string | null;
  /** identity → content hash of the feed's entries already stored. */
  storedHashes: Map<string, string>;
  /** The feed as topics see it: `feed:` terms match its id, words its title (the operator's, else its own). */
  feed: { id: number; title: string | null };
}

/**
 * A new or changed entry, sanitized and matched against the topics, with the text its story
 * fingerprint is taken from. The fingerprint itself is the main thread's (ingest/refresh.ts): the
 * parser worker is the critical path of a first load, and the main thread has time to spare.
 */
export interface PreparedEntry {
  item: Item;
  contentHash: string;
  matches: TopicMatch[];
  /** storyText of the entry: its summary and the opening of its content, at most LEAD_CHARS. */
  storyLead: string;
}

export type FeedFacts = Omit<ParsedFeed, 'items'>;

export type PrepareResult =
  | { ok: true; feed: FeedFacts; entries: PreparedEntry[]; unchanged: number }
  | { ok: false; error: FeedError };

// Feeds repeat entries (same guid twice); the first occurrence wins, as a reader would show it.
function uniqueByIdentity<T extends { identity: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.identity) ? false : (seen.add(item.identity), true)));
}

function prepareEntry(draft: ItemDraft, contentHash: string, feed: { id: number; title: string | null },
  topics: TopicIndex): PreparedEntry {
  const { item, contentText } = finishItemWithText(draft);
  return {
    item,
    contentHash,
    matches: matchTopics(topics, analyzeDoc(matchableDoc(item, feed, contentText), topics.vocabulary)),
    // Summary and content together: a copy that carries only the summary still meets the full article.
    storyLead: storyText(item.summary, contentText),
  };
}

/**
 * Parse, then sanitize, match and fingerprint only the entries that are new or changed: the
 * CPU-heavy, pure part of a refresh, run on worker threads (prepare-pool.ts) so that ingest uses
 * every core while the main thread fetches and writes. Never throws.
 */
export function prepareFeed(job: PrepareJob, topics: TopicIndex): PrepareResult {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const parsed = parseFeedDrafts(body, { url: job.url, contentType: job.contentType });
    if (!parsed.ok) return parsed;
    const { items, ...feed } = parsed.feed;
    const drafts = uniqueByIdentity(items);
    const entries: PreparedEntry[] = [];
    const feedForTopics = { id: job.feed.id, title: job.feed.title ?? feed.title };
    for (const draft of drafts) {
      const hash = entryHash(draft);
      if (!isUnchanged(job.storedHashes.get(draft.identity), draft, hash)) entries.push(prepareEntry(draft, hash, feedForTopics, topics));
    }
    return { ok: true, feed, entries, unchanged: drafts.length - entries.length };
  } catch (error) {
    return { ok: false, error: { kind: 'internal', message: `preparing ${job.url}: ${(error as Error).message}` } };
  }
}
