import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type ItemFilter, openStore, type Store } from '../../src/store/index.js';
import { listedInPages, listingItem } from './listing-helpers.js';

// `since` and `until` bound a listing's index range (the store folds `until` into the page cursor):
// every listing (all items, a topic's, a feed's), filed or not, must give exactly the entries with
// since <= sort_at < until, in order, across pages, ties on the bounds included.

const TIMES = ['2026-11-01T08:00:00.000Z', '2026-11-01T09:00:00.000Z', '2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z'];
// Bounds on, between, before and after the stored times.
const BOUNDS = [...TIMES, '2026-11-01T08:30:00.000Z', '2026-11-01T10:30:00.000Z', '2026-10-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'];
const NOW = new Date('2026-11-02T00:00:00.000Z');

const entry = fc.record({
  feed: fc.integer({ min: 0, max: 1 }),
  publishedAt: fc.constantFrom(...TIMES),
  topics: fc.subarray(['nato', 'gas']),
});

function brute(store: Store, where: string, since: string | undefined, until: string | undefined, ...args: unknown[]): number[] {
  return store.db.prepare(`SELECT id FROM items i WHERE ${where} AND i.sort_at >= ? AND i.sort_at < ? ORDER BY i.sort_at DESC, i.id DESC`)
    .pluck().all(...args, since ?? '', until ?? '9999') as number[];
}

describe('listings bounded by since and until', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-bounds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let run = 0;

  it('list exactly the entries from since up to until, for every item, a topic and a feed, filed or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.option(fc.constantFrom(...BOUNDS), { nil: undefined }),
        fc.option(fc.constantFrom(...BOUNDS), { nil: undefined }), async (entries, since, until) => {
          const store = openStore(join(dir, `db-${run++}.sqlite`), { topicFiling: { batch: 4, maxBatch: 8 } });
          try {
            for (const slug of ['nato', 'gas']) await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
            const feeds = [];
            for (let n = 0; n < 2; n++) feeds.push((await store.addFeed({ url: `https://x.example/f${n}`, title: null, origin: 'api' }, NOW)).id);
            let n = 0;
            for (const e of entries) {
              await store.saveFetchResult(feeds[e.feed]!, {
                fetchedAt: NOW, httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
                items: [{ item: listingItem(`e${n++}`, e.publishedAt), contentHash: 'v', markupHash: null, story: null, matches: e.topics.map((slug) => ({ slug, terms: [slug] })) }],
                next: { nextFetchAt: NOW, consecutiveFailures: 0, disabled: false },
              });
            }
            const bounds = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
            expect(await listedInPages(store, bounds)).toEqual(brute(store, '1', since, until));
            for (const slug of ['nato', 'gas']) {
              expect(await listedInPages(store, { ...bounds, topicSlug: slug })).toEqual(brute(store,
                `i.id IN (SELECT m.item_id FROM item_topics m, json_each(m.terms) j
                  WHERE CAST(j.key AS INTEGER) = (SELECT id FROM topics WHERE slug = ?))`, since, until, slug));
            }
            for (const feedId of feeds) expect(await listedInPages(store, { ...bounds, feedId })).toEqual(brute(store, 'i.feed_id = ?', since, until, feedId));
          } finally {
            await store.close();
          }
        }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('starts a page below until when the cursor is above it, and at the cursor when it is below', async () => {
    const store = openStore(join(dir, 'cursor.sqlite'));
    try {
      const feed = await store.addFeed({ url: 'https://x.example/c', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(feed.id, {
        fetchedAt: NOW, httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
        items: TIMES.map((t, k) => ({ item: listingItem(`c${k}`, t), contentHash: 'v', markupHash: null, story: null, matches: [] })),
        next: { nextFetchAt: NOW, consecutiveFailures: 0, disabled: false },
      });
      const titles = async (filter: Omit<ItemFilter, 'limit'>) => (await store.listItems({ ...filter, limit: 10 })).map((i) => i.title);
      const at = (k: number) => ({ sortAt: TIMES[k]!, id: k + 1 });
      expect(await titles({ until: TIMES[2]!, after: at(3) })).toEqual(['c1', 'c0']);
      expect(await titles({ until: TIMES[3]!, after: at(2) })).toEqual(['c1', 'c0']);
      // A cursor on until itself still leaves out every entry at until.
      expect(await titles({ until: TIMES[2]!, after: { sortAt: TIMES[2]!, id: 99 } })).toEqual(['c1', 'c0']);
      expect(await titles({ until: TIMES[2]!, since: TIMES[2]! })).toEqual([]);
      expect(await titles({ since: TIMES[1]!, until: TIMES[3]! })).toEqual(['c2', 'c1']);
    } finally {
      await store.close();
    }
  });
});
