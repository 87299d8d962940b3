import type { ItemRef } from '../model.js';
import type { AlsoReportedBy, FeedFormat } from '../syndication/render.js';

/**
 * Bytes of rendered entries kept at most. A page of a topic feed holds 50 entries of 3-7 KB; an
 * item stands in several topics' pages (about nine of 1,000 topics in the benchmark's feeds), and
 * in each in the same bytes.
 */
export const ENTRY_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * What an entry's bytes are made from besides the format: the item's row in one version, the
 * name and URL of its feed (an operator may rename it), and the outlets also carrying its story.
 */
export function entryKey(format: FeedFormat, item: ItemRef, alsoReportedBy: AlsoReportedBy[]): string {
  return JSON.stringify([format, item.id, item.version, item.feedTitle, item.feedUrl, alsoReportedBy]);
}

/** An entry's bytes, and when it was last used and last placed at the young end of the order. */
interface Kept {
  bytes: Buffer;
  used: number;
  placed: number;
}

/**
 * Entries of rendered feeds, as bytes, by entryKey. A feed rendered again after its topic
 * gained an item (every ingest pass drops the rendered feeds it touched) or read a page further
 * down then reads and renders only the entries it has not shown before. Past `maxBytes`, the
 * least recently used go first; a key that outlives its item or version is never asked for again
 * and ages out with them. A topic's page of 50 at 1,000,000 items, rendered on every request from
 * its entries kept against from its items: 1.8 against 2.6 ms of CPU a request, 1.0 against 1.8
 * ms in the handler (p50), 2,000 sequential requests twice each way.
 *
 * Recency is a number set on use; the order is only brought up to date when entries must go (an
 * entry used since it was placed moves to the young end instead of going). Moving every entry
 * on use, a Map delete and set, put each request's 50 new key strings into the Map and made it
 * rebuild its table every few requests: both lived past two scavenges, and were copied twice.
 */
export function createEntryCache(maxBytes = ENTRY_CACHE_BYTES) {
  const entries = new Map<string, Kept>();
  let held = 0;
  let clock = 0;
  return {
    get(key: string): Buffer | undefined {
      const kept = entries.get(key);
      if (kept === undefined) return undefined;
      kept.used = ++clock;
      return kept.bytes;
    },
    set(key: string, bytes: Buffer): void {
      const before = entries.get(key);
      if (before !== undefined) {
        entries.delete(key);
        held -= before.bytes.length;
      }
      if (bytes.length > maxBytes) return;
      // Room is made before the entry goes in, so that it is never the one to go.
      for (const [oldest, kept] of entries) {
        if (held + bytes.length <= maxBytes) break;
        entries.delete(oldest);
        if (kept.used > kept.placed) {
          // Iteration reaches it again at the end; by then it is the oldest, and goes.
          kept.placed = ++clock;
          entries.set(oldest, kept);
        } else {
          held -= kept.bytes.length;
        }
      }
      const now = ++clock;
      entries.set(key, { bytes, used: now, placed: now });
      held += bytes.length;
    },
    get bytes(): number {
      return held;
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type EntryCache = ReturnType<typeof createEntryCache>;
