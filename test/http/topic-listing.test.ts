import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { LISTING_MAX_AGE_MS, topicListing } from '../../src/http/topic-listing.js';
import type { Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const T0 = new Date('2026-12-05T12:00:00Z');

describe('the kept topic listing', () => {
  const temp = useTempStores('listing');
  let store: Store;
  let now: Date;
  let reads: number;
  let list: () => ReturnType<Store['listTopics']>;
  let cache: ReturnType<typeof createFeedCache>;

  beforeEach(async () => {
    store = temp.open();
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, T0);
    now = T0;
    reads = 0;
    cache = createFeedCache();
    // The real store, its listing counted.
    const counted: Store = { ...store, listTopics: (at, days) => (reads++, store.listTopics(at, days)) };
    list = topicListing({ store: counted, now: () => now }, cache);
  });

  const slugs = async () => (await list()).map((t) => t.slug);

  it('is read once while nothing changes', async () => {
    const first = await list();
    now = new Date(T0.getTime() + LISTING_MAX_AGE_MS - 1);
    expect(await list()).toBe(first);
    expect(reads).toBe(1);
  });

  it('is read again after a change this process made, seen by the feed cache', async () => {
    expect(await slugs()).toEqual(['nato']);
    await store.putTopic({ slug: 'who', title: 'WHO', query: '=WHO', origin: 'api', pinned: false }, T0);
    cache.invalidate(['who']);
    expect(await slugs()).toEqual(['nato', 'who']);
    expect(reads).toBe(2);
  });

  it('is read again after another process commits', async () => {
    expect(await slugs()).toEqual(['nato']);
    const other = new Database(temp.path);
    try {
      other.prepare(`INSERT INTO topics (slug, title, query, origin, pinned, created_at, updated_at)
        VALUES ('who', 'WHO', '=WHO', 'api', 0, @at, @at)`).run({ at: T0.toISOString() });
    } finally {
      other.close();
    }
    expect(await slugs()).toEqual(['nato', 'who']);
    expect(reads).toBe(2);
  });

  it('is read again once it is a minute old, for the counts of the week', async () => {
    await list();
    now = new Date(T0.getTime() + LISTING_MAX_AGE_MS);
    await list();
    expect(reads).toBe(2);
  });
});
