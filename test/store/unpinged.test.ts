// The feeds a third-party WebSub hub has yet to be told of, kept in a real SQLite file for the
// next ping of any process over it: forgotten only by a ping that began after the last one that
// failed for them.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const NATO = 'https://news.example/topics/nato.rss';
const GAS = 'https://news.example/topics/gas.rss';
const BALTIC = 'https://news.example/topics/baltic.rss';

describe('store: feeds left to tell the WebSub hub', () => {
  const temp = useTempStores('unpinged');
  let store: Store;
  beforeEach(() => {
    store = temp.open();
  });

  it('keeps them for another process over the same file, those whose ping failed longest ago first', async () => {
    await store.keepUnpinged([NATO, GAS], at(20));
    await store.keepUnpinged([NATO], at(5));
    await store.keepUnpinged([BALTIC], at(12));
    await store.keepUnpinged([GAS], at(25));
    const other = temp.open();
    try {
      // NATO's last failed ping began at 20 ms, GAS's at 25: a ping begun earlier moves none back.
      expect(await other.unpingedFeeds()).toEqual([BALTIC, NATO, GAS]);
    } finally {
      await other.close();
    }
  });

  it('forgets one only for a ping that began after the last ping that failed for it', async () => {
    await store.keepUnpinged([NATO, GAS], at(10));
    // Another process's ping, begun before or as this one failed, may have come before its change.
    await store.forgetUnpinged([NATO, GAS], at(0));
    await store.forgetUnpinged([NATO], at(10));
    expect(await store.unpingedFeeds()).toEqual([GAS, NATO]);
    await store.forgetUnpinged([NATO], at(11));
    expect(await store.unpingedFeeds()).toEqual([GAS]);
    await store.keepUnpinged([NATO], at(30));
    await store.forgetUnpinged([NATO, GAS], at(20));
    expect(await store.unpingedFeeds()).toEqual([NATO]);
  });
});
