import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type FetchResultToSave, openStore, type Store } from '../../src/store/index.js';
import { listedInPages, listingItem } from './listing-helpers.js';

// A topic's feed is read from two places: topic_feed for filed entries, item_topics for those
// past the filing mark. Whatever happens to items and topics (new, edited, re-dated, deleted with
// their feed, expired, backfilled, topics deleted and made again), the feed must list
// exactly the topic's matches, in order, across pages. The listing of every item is read the same
// way, from the timeline and from the items past the mark. A client following what is stored
// (afterId) sees every item once.

const TOPICS = ['nato', 'gas', 'grid'];
const TIMES = ['2026-11-01T08:00:00.000Z', '2026-11-01T09:00:00.000Z', '2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z'];
const SEEN = ['2026-11-01T12:00:00.000Z', '2026-11-02T12:00:00.000Z', '2026-11-03T12:00:00.000Z'];

const entry = fc.record({
  identity: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
  version: fc.constantFrom('v1', 'v2'),
  publishedAt: fc.constantFrom(...TIMES),
  slugs: fc.subarray(TOPICS),
  // With a story key the item gets a story member, which a filing reads its time from.
  story: fc.boolean(),
});

type Op =
  | { kind: 'save'; feed: number; seen: string; entries: { identity: string; version: string; publishedAt: string; slugs: string[]; story: boolean }[] }
  | { kind: 'deleteFeed'; feed: number }
  | { kind: 'expire'; before: string }
  | { kind: 'backfill'; slug: string; pick: number[] }
  | { kind: 'add'; slug: string; pick: number[] }
  | { kind: 'deleteTopic'; slug: string }
  | { kind: 'sweep'; limit: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('save' as const), feed: fc.integer({ min: 0, max: 2 }), seen: fc.constantFrom(...SEEN), entries: fc.array(entry, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteFeed' as const), feed: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), before: fc.constantFrom(...SEEN) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('backfill' as const), slug: fc.constantFrom(...TOPICS), pick: fc.array(fc.nat(40), { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), slug: fc.constantFrom(...TOPICS), pick: fc.array(fc.nat(40), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteTopic' as const), slug: fc.constantFrom(...TOPICS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), limit: fc.integer({ min: 1, max: 3 }) }) },
);

function result(seen: string, entries: Extract<Op, { kind: 'save' }>['entries']): FetchResultToSave {
  return {
    fetchedAt: new Date(seen), httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
    items: entries.map((e) => ({
      item: listingItem(e.identity, e.publishedAt), contentHash: `${e.version}${e.publishedAt}${e.slugs.join()}`,
      markupHash: null,
      story: e.story ? { signature: Buffer.from([1, 2, 3]), bandKeys: Uint32Array.of(7, 8) } : null,
      matches: e.slugs.map((slug) => ({ slug, terms: [slug] })),
    })),
    next: { nextFetchAt: new Date(seen), consecutiveFailures: 0, disabled: false },
  };
}

const NOW = new Date('2026-11-01T00:00:00.000Z');

async function apply(store: Store, feeds: number[], step: Op): Promise<void> {
  switch (step.kind) {
    case 'save':
      await store.saveFetchResult(feeds[step.feed]!, result(step.seen, step.entries));
      return;
    case 'deleteFeed':
      await store.deleteFeed(feeds[step.feed]!);
      feeds[step.feed] = (await store.addFeed({ url: `https://x.example/feed-${Math.random()}`, title: null, origin: 'api' }, NOW)).id;
      return;
    case 'expire':
      await store.expireItems(new Date(step.before));
      return;
    case 'backfill': {
      const ids = store.db.prepare('SELECT id, sort_at FROM items ORDER BY id').all() as { id: number; sort_at: string }[];
      const picked = [...new Set(step.pick.filter((n) => n < ids.length))].map((n) => ids[n]!);
      await store.clearTopicMatches(step.slug);
      await store.addTopicMatches(step.slug, picked.map((row) => ({ itemId: row.id, sortAt: row.sort_at, terms: ['x'] })));
      // Cleared means every match went, filed or not: the topic now holds the picked items only.
      expect(expected(store, step.slug).sort()).toEqual(picked.map((row) => row.id).sort());
      return;
    }
    case 'add': {
      // Matches added over existing ones, without clearing first.
      const ids = store.db.prepare('SELECT id, sort_at FROM items ORDER BY id').all() as { id: number; sort_at: string }[];
      const picked = [...new Set(step.pick.filter((n) => n < ids.length))].map((n) => ids[n]!);
      await store.addTopicMatches(step.slug, picked.map((row) => ({ itemId: row.id, sortAt: row.sort_at, terms: ['y'] })));
      return;
    }
    case 'deleteTopic':
      // Its matches stay in the rows until swept, as the topic created again under the slug starts.
      await store.deleteTopic(step.slug);
      await store.putTopic({ slug: step.slug, title: step.slug, query: step.slug, origin: 'api', pinned: false }, NOW);
      return;
    case 'sweep':
      // One batch of each deleted topic's, between the other steps.
      for (const id of await store.deletedTopicIds()) await store.sweepDeletedTopic(id, step.limit);
  }
}

/** Every match in item_topics, by the terms' keys: (topic id, the time it is filed under, item id). */
const EVERY_MATCH = `SELECT CAST(j.key AS INTEGER) AS topic_id, m.sort_at, m.item_id FROM item_topics m, json_each(m.terms) j`;

/** The topic's matches in feed order, read from item_topics alone: what the feed must list. */
function expected(store: Store, slug: string): number[] {
  return store.db.prepare(`SELECT item_id FROM (${EVERY_MATCH}) WHERE topic_id = (SELECT id FROM topics WHERE slug = ?)
    ORDER BY sort_at DESC, item_id DESC`).pluck().all(slug) as number[];
}

/**
 * Rows whose two lists disagree (the ids between commas, the terms' keys), whose time is not their
 * item's, or that hold no topic: none may exist.
 */
function inconsistentRows(store: Store): number[] {
  const rows = store.db.prepare(`SELECT m.item_id, m.topic_ids, m.terms, m.sort_at = i.sort_at AS timely
    FROM item_topics m JOIN items i ON i.id = m.item_id`).all() as { item_id: number; topic_ids: string; terms: string; timely: number }[];
  return rows.filter((row) => {
    const ids = row.topic_ids.split(',').filter(Boolean).sort();
    const keys = Object.keys(JSON.parse(row.terms) as object).sort();
    return ids.length === 0 || row.timely !== 1 || ids.join() !== keys.join() || !row.topic_ids.startsWith(',') || !row.topic_ids.endsWith(',');
  }).map((row) => row.item_id);
}

/** Every item in listing order, read from items alone: what the listing of all items must give. */
function everyItem(store: Store): number[] {
  return store.db.prepare('SELECT id FROM items ORDER BY sort_at DESC, id DESC').pluck().all() as number[];
}

describe('topic feeds and the listing of every item, filed and not yet filed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-topic-feed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let run = 0;

  it('list exactly the topic\'s matches and every item, in order and across pages, whatever the history', async () => {
    let filings = 0;
    // Runs whose filed items are some with a story member and some without: both of a filing's sources.
    let mixedFilings = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const store = openStore(join(dir, `db-${run++}.sqlite`), { topicFiling: { batch: 3, maxBatch: 6, minIntervalMs: 3_600_000 } });
        try {
          for (const slug of TOPICS) await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
          const feeds: number[] = [];
          for (let n = 0; n < 3; n++) feeds.push((await store.addFeed({ url: `https://x.example/f${n}`, title: null, origin: 'api' }, NOW)).id);
          // A follower of what is stored (afterId), asking after every step, a few ids at a time.
          let followedTo = 0;
          const followed = new Set<number>();
          let largestIdGiven = 0;
          for (const step of ops) {
            const before = new Set(store.db.prepare('SELECT id FROM items').pluck().all() as number[]);
            await apply(store, feeds, step);
            for (const slug of TOPICS) expect(await listedInPages(store, { topicSlug: slug })).toEqual(expected(store, slug));
            expect(inconsistentRows(store)).toEqual([]);
            expect(await listedInPages(store, {})).toEqual(everyItem(store));
            // Each feed's count kept with it is its items' count.
            expect(store.db.prepare(`SELECT id FROM feeds f WHERE item_count <> (SELECT count(*) FROM items i WHERE i.feed_id = f.id)`).all()).toEqual([]);
            // An item new in this step has an id past every id given before, deleted ones included.
            const now = store.db.prepare('SELECT id FROM items').pluck().all() as number[];
            for (const id of now.filter((id) => !before.has(id))) expect(id).toBeGreaterThan(largestIdGiven);
            largestIdGiven = Math.max(largestIdGiven, ...now);
            let page;
            do {
              page = await store.listItemsStoredAfter({ afterId: followedTo, limit: 2, examineAtMost: 3 });
              for (const item of page.items) {
                expect(followed.has(item.id)).toBe(false);
                followed.add(item.id);
              }
              followedTo = page.nextAfterId;
            } while (page.more);
            // Every item there is has been seen once, whatever its date.
            for (const id of now) expect(followed.has(id)).toBe(true);
          }
          const counts = new Map((await store.listTopics(NOW, 10_000)).map((t) => [t.slug, t.itemCount]));
          for (const slug of TOPICS) expect(counts.get(slug)).toBe(expected(store, slug).length);
          // Filed entries are exactly the matches up to the mark.
          const through = store.db.prepare('SELECT through_item FROM topic_feed_filed').pluck().get() as number;
          const filed = store.db.prepare('SELECT topic_id, sort_at, item_id FROM topic_feed ORDER BY 1, 2, 3').all();
          expect(filed).toEqual(store.db.prepare(`${EVERY_MATCH} WHERE m.item_id <= ? ORDER BY 1, 2, 3`).all(through));
          // Once every deleted topic is swept, the rows and the feeds name live topics only.
          for (const id of await store.deletedTopicIds()) while (!(await store.sweepDeletedTopic(id, 2)));
          expect(store.db.prepare(`SELECT DISTINCT topic_id FROM (${EVERY_MATCH} UNION ALL SELECT topic_id, sort_at, item_id FROM topic_feed)
            WHERE topic_id NOT IN (SELECT id FROM topics)`).all()).toEqual([]);
          expect(inconsistentRows(store)).toEqual([]);
          // And the timeline holds exactly the items up to the mark, at their times.
          expect(store.db.prepare('SELECT sort_at, item_id FROM timeline ORDER BY 2').all())
            .toEqual(store.db.prepare('SELECT sort_at, id AS item_id FROM items WHERE id <= ? ORDER BY 2').all(through));
          if (filed.length > 0) filings++;
          const filedItems = store.db.prepare(`SELECT count(*) AS members, (SELECT count(*) FROM items WHERE id <= @through) AS items
            FROM story_members WHERE item_id <= @through`).get({ through }) as { members: number; items: number };
          if (filedItems.members > 0 && filedItems.members < filedItems.items) mixedFilings++;
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
    // The runs must reach the filed side too, not only the unfiled one.
    expect(filings).toBeGreaterThan(30);
    expect(mixedFilings).toBeGreaterThan(10);
  }, 120_000);
});
