import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import type { FetchResultToSave, ItemToSave, Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const FIRST_FETCH = new Date('2026-11-01T06:00:00.000Z');
const LATER_FETCH = new Date('2026-11-01T12:00:00.000Z');
const HOUR = 3_600_000;
const before = (at: Date, ms: number): string => new Date(at.getTime() - ms).toISOString();

function entry(identity: string, publishedAt: string | null, hash = 'v1'): ItemToSave {
  const item: Item = {
    identity, guid: identity, url: `https://late.example/${identity}`, title: `Title ${identity}`, summary: 's',
    contentHtml: '<p>text</p>', authors: [], categories: [], publishedAt, updatedAt: null, language: 'en', enclosures: [],
  };
  return { item, contentHash: hash, markupHash: null, story: null, matches: [] };
}

function fetched(at: Date, items: ItemToSave[]): FetchResultToSave {
  return {
    fetchedAt: at, httpStatus: 200, newUrl: null, fetchedAs: null, validators: null, feedInfo: null, items, error: null,
    next: { nextFetchAt: new Date(at.getTime() + 900_000), consecutiveFailures: 0, disabled: false },
  };
}

describe('store: where a late entry sorts', () => {
  const temp = useTempStores('late');
  let store: Store;
  beforeEach(() => {
    store = temp.open();
  });

  const sortOf = (identity: string): { sortAt: string; publishedAt: string | null; firstSeenAt: string } =>
    store.db.prepare('SELECT sort_at AS sortAt, published_at AS publishedAt, first_seen_at AS firstSeenAt FROM items WHERE identity = ?')
      .get(identity) as { sortAt: string; publishedAt: string | null; firstSeenAt: string };

  /** A feed whose first fetch stored one entry, so that later fetches are not its first. */
  async function feedWithPast(): Promise<number> {
    const feed = await store.addFeed({ url: 'https://late.example/feed', title: null, origin: 'api' }, FIRST_FETCH);
    await store.saveFetchResult(feed.id, fetched(FIRST_FETCH, [entry('past', before(FIRST_FETCH, 5 * HOUR))]));
    return feed.id;
  }

  it('keeps the dates of a feed\'s first entries, however old, and of later entries up to an hour old', async () => {
    const feedId = await feedWithPast();
    expect(sortOf('past').sortAt).toBe(before(FIRST_FETCH, 5 * HOUR));
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('on-time', before(LATER_FETCH, 50 * 60_000))]));
    expect(sortOf('on-time').sortAt).toBe(before(LATER_FETCH, 50 * 60_000));
  });

  it('sorts a later entry published hours before it was stored an hour before, in its document\'s order', async () => {
    const feedId = await feedWithPast();
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [
      entry('late-newer', before(LATER_FETCH, 3 * HOUR)),
      entry('late-older', before(LATER_FETCH, 5 * HOUR)),
    ]));
    expect(sortOf('late-newer')).toEqual({
      sortAt: before(LATER_FETCH, HOUR), publishedAt: before(LATER_FETCH, 3 * HOUR), firstSeenAt: LATER_FETCH.toISOString(),
    });
    expect(sortOf('late-older').sortAt).toBe(before(LATER_FETCH, HOUR + 1));
    const listed = await store.listItems({ feedId, limit: 10 });
    expect(listed.map((item) => item.identity)).toEqual(['late-newer', 'late-older', 'past']);
  });

  it('never sorts a lifted entry before its own date', async () => {
    const feedId = await feedWithPast();
    // Third in its document and a millisecond past the hour: a millisecond a place would put it two before its date.
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [
      entry('on-time-a', before(LATER_FETCH, 10 * 60_000)),
      entry('on-time-b', before(LATER_FETCH, 20 * 60_000)),
      entry('just-late', before(LATER_FETCH, HOUR + 1)),
    ]));
    expect(sortOf('just-late').sortAt).toBe(before(LATER_FETCH, HOUR + 1));
    expect(sortOf('on-time-b').sortAt).toBe(before(LATER_FETCH, 20 * 60_000));
  });

  it('keeps the dates of entries over a day old when stored: a feed\'s archive, not late news', async () => {
    const feedId = await feedWithPast();
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('archive', before(LATER_FETCH, 25 * HOUR))]));
    expect(sortOf('archive').sortAt).toBe(before(LATER_FETCH, 25 * HOUR));
  });

  it('keeps a lifted entry where it was put when it changes, and when its date is corrected earlier; a later date moves it up', async () => {
    const feedId = await feedWithPast();
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('late', before(LATER_FETCH, 5 * HOUR))]));
    const lifted = before(LATER_FETCH, HOUR);
    const laterStill = new Date(LATER_FETCH.getTime() + 2 * HOUR);
    expect(await store.saveFetchResult(feedId, fetched(laterStill, [entry('late', before(LATER_FETCH, 5 * HOUR), 'v2')])))
      .toMatchObject({ updated: 1 });
    expect(sortOf('late').sortAt).toBe(lifted);
    await store.saveFetchResult(feedId, fetched(laterStill, [entry('late', before(LATER_FETCH, 7 * HOUR), 'v3')]));
    expect(sortOf('late')).toMatchObject({ sortAt: lifted, publishedAt: before(LATER_FETCH, 7 * HOUR) });
    await store.saveFetchResult(feedId, fetched(laterStill, [entry('late', before(LATER_FETCH, 30 * 60_000), 'v4')]));
    expect(sortOf('late').sortAt).toBe(before(LATER_FETCH, 30 * 60_000));
  });

  it('moves an entry that was not lifted to its corrected date, as before', async () => {
    const feedId = await feedWithPast();
    await store.saveFetchResult(feedId, fetched(LATER_FETCH, [entry('past', before(FIRST_FETCH, 8 * HOUR), 'v2')]));
    expect(sortOf('past').sortAt).toBe(before(FIRST_FETCH, 8 * HOUR));
  });
});
