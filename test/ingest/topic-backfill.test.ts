// A topic's backfill in batches that each commit with their mark: cut short, it goes on from the
// mark; overtaken by an edit of its topic, or by a restart of the same query (a feed renamed), it
// stops and leaves the backfill that overtook it the work.
import { beforeEach, describe, expect, it } from 'vitest';
import { backfillTopic } from '../../src/ingest/topic-registry.js';
import type { Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');
const ITEMS = 1_600;

describe('backfillTopic', () => {
  const temp = useTempStores('backfill');
  let store: Store;
  beforeEach(async () => {
    store = temp.open();
    const feed = await store.addFeed({ url: 'https://wire.example/', title: 'Wire', origin: 'api' }, NOW);
    await store.saveFetchResult(feed.id, {
      fetchedAt: NOW, httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
      next: { nextFetchAt: NOW, consecutiveFailures: 0, disabled: false },
      items: Array.from({ length: ITEMS }, (_, n) => ({
        item: {
          identity: `n${n}`, guid: null, url: null, title: `Dispatch ${n}${n % 4 === 0 ? ' on NATO' : ''}${n % 5 === 0 ? ' on OTAN' : ''}`,
          summary: 'summary', contentHtml: '<p>text</p>', authors: [], categories: [], publishedAt: new Date(NOW.getTime() - n * 60_000).toISOString(),
          updatedAt: null, language: 'en', enclosures: [],
        },
        contentHash: `h${n}`, markupHash: null, story: null, matches: [],
      })),
    });
  });

  const listed = async () => (await store.listItems({ topicSlug: 'nato', limit: 1_000 })).map((i) => i.title);
  const titlesWith = (word: string) => Array.from({ length: ITEMS }, (_, n) => n)
    .filter((n) => (word === 'NATO' ? n % 4 === 0 : n % 5 === 0))
    .map((n) => `Dispatch ${n}${n % 4 === 0 ? ' on NATO' : ''}${n % 5 === 0 ? ' on OTAN' : ''}`);

  it('cut short, goes on from the last batch committed, without matching the items before it again', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    await expect(backfillTopic(store, 'nato', 'NATO', (progress) => {
      if (progress.done === 1_000) throw new Error('killed');
    })).rejects.toThrow('killed');
    const mark = (await store.topicBackfillMark('nato'))!;
    expect(mark).toBe((await store.itemsAfter(0, 1_000)).at(-1)!.id);
    expect(await store.pendingTopicBackfills()).toEqual([{ slug: 'nato', query: 'NATO' }]);

    const reported: number[] = [];
    const rest = await backfillTopic(store, 'nato', 'NATO', (progress) => void reported.push(progress.done));
    expect(rest).toMatchObject({ resumedAfter: mark, total: ITEMS - 1_000, done: ITEMS - 1_000, matched: 150, overtaken: false });
    // Every 500 items, and at the end.
    expect(reported).toEqual([500, ITEMS - 1_000]);
    expect(await store.topicBackfillMark('nato')).toBeNull();
    expect(await listed()).toEqual(titlesWith('NATO'));
  });

  it('overtaken by an edit of its topic, stops and writes no more; the edit\'s backfill leaves only the new query\'s matches', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    let edited = false;
    const overtaken = await backfillTopic(store, 'nato', 'NATO', (progress) => {
      if (progress.done === 500 && !edited) {
        edited = true;
        void store.putTopic({ slug: 'nato', title: 'NATO', query: 'OTAN', origin: 'api', pinned: false }, NOW);
      }
    });
    expect(overtaken).toMatchObject({ done: 500, overtaken: true });
    expect(await store.topicBackfillMark('nato')).toBe(0);
    const redone = await backfillTopic(store, 'nato', 'OTAN');
    expect(redone).toMatchObject({ resumedAfter: 0, done: ITEMS, matched: ITEMS / 5, overtaken: false });
    expect(await listed()).toEqual(titlesWith('OTAN'));
  });

  it('overtaken by a restart of the same query, as a feed renamed asks, stops; the restart\'s run matches every item under the new title', async () => {
    await store.putTopic({ slug: 'reuters', title: 'Reuters', query: 'feed:reuters', origin: 'api', pinned: false }, NOW);
    const [feed] = await store.listFeeds();
    let renamed = false;
    const overtaken = await backfillTopic(store, 'reuters', 'feed:reuters', (progress) => {
      if (progress.done === 500 && !renamed) {
        renamed = true;
        void store.editFeed(feed!.id, { title: 'Reuters' }, NOW);
        void store.rematchRenamedFeeds(() => ['reuters']);
      }
    });
    expect(overtaken).toMatchObject({ done: 500, matched: 0, overtaken: true });
    expect(await store.topicBackfillMark('reuters')).toBe(0);
    const redone = await backfillTopic(store, 'reuters', 'feed:reuters');
    expect(redone).toMatchObject({ resumedAfter: 0, done: ITEMS, matched: ITEMS, overtaken: false });
    expect((await store.topicSummary('reuters', NOW))!.itemCount).toBe(ITEMS);
  });

  it('asked for a query its topic no longer has, touches nothing: the matches the new query\'s backfill made stay', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    await backfillTopic(store, 'nato', 'NATO');
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'OTAN', origin: 'api', pinned: false }, NOW);
    await expect(backfillTopic(store, 'nato', 'OTAN', (progress) => {
      if (progress.done === 1_000) throw new Error('killed');
    })).rejects.toThrow('killed');
    const mark = await store.topicBackfillMark('nato');
    expect(await backfillTopic(store, 'nato', 'NATO')).toMatchObject({ done: 0, overtaken: true });
    expect(await store.topicBackfillMark('nato')).toBe(mark);
    await backfillTopic(store, 'nato', 'OTAN');
    expect(await listed()).toEqual(titlesWith('OTAN'));
  });
});
