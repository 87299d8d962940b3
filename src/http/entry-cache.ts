import type { ItemRef } from '../model.js';
import type { AlsoReportedBy, FeedFormat, RenderedEntry } from '../syndication/render.js';

/**
 * Bytes of rendered entries kept at most. A page of a topic feed holds 50 entries of 3-7 KB; an
 * item stands in several topics' pages (about nine of 1,000 topics in the benchmark's feeds), and
 * in each in the same bytes.
 */
export const ENTRY_CACHE_BYTES = 16 * 1024 * 1024;

/** What an entry is looked up by: its item's id, and what its bytes are made from besides the row. */
export type EntryOf = Pick<ItemRef, 'id' | 'version' | 'feedTitle' | 'feedUrl'>;

const FORMAT_SLOT: Record<FeedFormat, number> = { rss: 0, atom: 1, json: 2 };

/** An entry as rendered, what it was made from, and when it was last used and last placed at the young end. */
interface Kept {
  entry: RenderedEntry;
  version: string;
  feedTitle: string | null;
  feedUrl: string;
  alsoReportedBy: AlsoReportedBy[];
  used: number;
  placed: number;
}

function sameOutlets(a: AlsoReportedBy[], b: AlsoReportedBy[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.feedTitle !== b[i]!.feedTitle || a[i]!.url !== b[i]!.url) return false;
  return true;
}

/**
 * Entries of rendered feeds, as bytes with their digest: one per item and format, found only while
 * the item's row is in the same version, its feed has the same name and URL (an operator may
 * rename it) and the same other outlets carry its story. A feed rendered again after its topic
 * gained an item (every ingest pass drops the rendered feeds it touched) or read a page further
 * down then reads and renders only the entries it has not shown before. Past `maxBytes`, the least recently used go
 * first. A topic's page of 50 at 1,000,000 items, rendered on every request from its entries kept
 * against from its items: 1.8 against 2.6 ms of CPU a request, 1.0 against 1.8 ms in the handler
 * (p50), 2,000 sequential requests twice each way.
 *
 * Entries are found by number, and what they are made from compared field by field: a key string
 * of all of it, built for each of a page's 50 entries on every render, was a third of what a
 * render allocated. Recency is a number set on use; the order is only brought up to date when
 * entries must go (an entry used since it was placed moves to the young end instead of going).
 * Moving every entry on use, a Map delete and set, made the Map rebuild its table every few
 * requests, and each table lived past two scavenges.
 */
export function createEntryCache(maxBytes = ENTRY_CACHE_BYTES) {
  const entries = new Map<number, Kept>();
  let held = 0;
  let clock = 0;
  const slotOf = (format: FeedFormat, id: number) => id * 3 + FORMAT_SLOT[format];
  return {
    get(format: FeedFormat, item: EntryOf, alsoReportedBy: AlsoReportedBy[]): RenderedEntry | undefined {
      const kept = entries.get(slotOf(format, item.id));
      if (kept === undefined || kept.version !== item.version || kept.feedTitle !== item.feedTitle
        || kept.feedUrl !== item.feedUrl || !sameOutlets(kept.alsoReportedBy, alsoReportedBy)) return undefined;
      kept.used = ++clock;
      return kept.entry;
    },
    set(format: FeedFormat, item: EntryOf, alsoReportedBy: AlsoReportedBy[], entry: RenderedEntry): void {
      const slot = slotOf(format, item.id);
      const before = entries.get(slot);
      if (before !== undefined) {
        entries.delete(slot);
        held -= before.entry.bytes.length;
      }
      const { bytes } = entry;
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
          held -= kept.entry.bytes.length;
        }
      }
      const now = ++clock;
      const { version, feedTitle, feedUrl } = item;
      entries.set(slot, { entry, version, feedTitle, feedUrl, alsoReportedBy, used: now, placed: now });
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
