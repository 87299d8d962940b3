// The test helper that gives each test a database folder of its own: the next test finds the last
// one's stores closed and its folder gone, and a folder and file of its own.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Store } from '../src/store/index.js';
import { useTempStores } from './support/temp-store.js';

describe('useTempStores', () => {
  const temp = useTempStores('helper');
  let earlier: { dir: string; stores: Store[] } | null = null;

  it('opens stores over one file in a folder of its own', async () => {
    const first = temp.open();
    const second = temp.open();
    await first.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, new Date());
    expect((await second.listTopics(new Date(), 7)).map((topic) => topic.slug)).toEqual(['nato']);
    expect(existsSync(temp.path)).toBe(true);
    // One closed by the test itself is closed again after it without fault.
    await second.close();
    earlier = { dir: temp.dir, stores: [first, second] };
  });

  it('has closed the last test\'s stores and removed its folder before the next', async () => {
    expect(earlier).not.toBeNull();
    expect(existsSync(earlier!.dir)).toBe(false);
    expect(earlier!.stores.map((store) => store.db.open)).toEqual([false, false]);
    expect(temp.dir).not.toBe(earlier!.dir);
    expect(await temp.open().listTopics(new Date(), 7)).toEqual([]);
  });
});
