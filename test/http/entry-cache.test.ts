import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntryCache, entryKey } from '../../src/http/entry-cache.js';
import type { ItemRef } from '../../src/model.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';
import { AIR_POLICING as AIR, ANKARA_VISIT as ANKARA, STORY_DAY as DAY } from '../support/stories.js';

describe('createEntryCache', () => {
  const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

  it('drops the least recently used entries once past its budget of bytes', () => {
    const cache = createEntryCache(100);
    cache.set('a', bytes(40));
    cache.set('b', bytes(40));
    expect(cache.get('a')).toBeDefined(); // a is now the more recent of the two
    cache.set('c', bytes(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.length).toBe(40);
    expect(cache.get('c')?.length).toBe(40);
    expect(cache.bytes).toBe(80);
  });

  it('keeps the entries used since they were set, however long ago that was, and drops the others oldest first', () => {
    const cache = createEntryCache(100);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, bytes(25));
    cache.get('a');
    cache.get('c');
    cache.set('e', bytes(25));
    cache.set('f', bytes(25));
    expect(['a', 'b', 'c', 'd', 'e', 'f'].filter((key) => cache.get(key) !== undefined)).toEqual(['a', 'c', 'e', 'f']);
    expect(cache.bytes).toBe(100);
    // Every entry was used just now: the new one still goes in, in place of the two placed first.
    cache.set('g', bytes(50));
    expect([cache.size, cache.bytes, cache.get('g')?.length]).toEqual([3, 100, 50]);
  });

  it('replaces an entry set again, counting its bytes once, and keeps nothing larger than the budget', () => {
    const cache = createEntryCache(100);
    cache.set('a', bytes(40, 1));
    cache.set('a', bytes(30, 2));
    expect(cache.bytes).toBe(30);
    expect(cache.get('a')?.[0]).toBe(2);
    cache.set('huge', bytes(101));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('keys an entry by everything it is rendered from besides the item row: format, version, feed name and URL, other outlets', () => {
    const ref: ItemRef = { id: 7, feedId: 1, feedTitle: 'Wire', feedUrl: 'https://wire.example/feed', storyId: 7,
      sortAt: '2026-11-20T09:00:00.000Z', updatedAt: null, version: '2026-11-20T09:05:00.000Z abc' };
    const key = entryKey('rss', ref, []);
    const others = [
      entryKey('atom', ref, []),
      entryKey('rss', { ...ref, version: '2026-11-21T09:05:00.000Z def' }, []),
      entryKey('rss', { ...ref, feedTitle: 'Wire Service' }, []),
      entryKey('rss', { ...ref, feedUrl: 'https://wire.example/rss' }, []),
      entryKey('rss', ref, [{ feedTitle: 'City Paper', url: null }]),
    ];
    for (const other of others) expect(other).not.toBe(key);
    // Paging fields are not part of an entry.
    expect(entryKey('rss', { ...ref, sortAt: '2026-11-20T10:00:00.000Z' }, [])).toBe(key);
  });
});


describe('topic feeds put together from entries rendered before', () => {
  let origin: FaultServer;
  let service: TestService;
  const agency = (ankaraTitle: string) => rssDocument('Agency Wire', [
    { guid: 'a-1', title: 'NATO extends Baltic air policing', description: AIR, publishedAt: DAY },
    { guid: 'a-2', title: ankaraTitle, description: ANKARA, publishedAt: new Date(DAY.getTime() + 3_600_000) },
  ]);
  // Reads a feed rendered again: the rendered pages are dropped first, as an ingest pass drops them.
  const rerendered = async (path: string) => {
    service.cache.invalidateAll();
    const res = await service.get(path);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const ingest = async (path: string) => {
    const feeds = await service.core.store.listFeeds();
    await service.core.ingest(feeds.filter((feed) => feed.url.endsWith(path)));
  };

  beforeAll(async () => {
    origin = await startFaultServer({
      '/a.rss': { body: agency('NATO chief in Ankara for talks') },
      '/b.rss': { body: rssDocument('City Paper', []) },
    });
    service = await startTestService({ feeds: [{ url: origin.url('/a.rss') }, { url: origin.url('/b.rss') }] });
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it.each(['rss', 'atom', 'json'])('answers the same %s bytes from kept entries as from the items read whole', async (format) => {
    const entries = service.cache.renderedEntries;
    const get = entries.get.bind(entries);
    let kept = 0;
    entries.get = (key: string) => {
      const found = get(key);
      if (found) kept++;
      return found;
    };
    try {
      const fromItems = await rerendered(`/topics/nato.${format}`);
      expect(kept).toBe(0);
      const fromKept = await rerendered(`/topics/nato.${format}`);
      expect(kept).toBe(2);
      expect(fromKept.equals(fromItems)).toBe(true);
      expect(fromItems.toString('utf8')).toContain('Baltic air policing');
    } finally {
      entries.get = get;
    }
  });

  it('renders an entry anew once its item is edited upstream', async () => {
    expect((await rerendered('/topics/nato.rss')).toString('utf8')).toContain('NATO chief in Ankara for talks');
    origin.route('/a.rss', { body: agency('NATO chief in Ankara for talks on air defence') });
    await ingest('/a.rss');
    const text = (await rerendered('/topics/nato.rss')).toString('utf8');
    expect(text).toContain('NATO chief in Ankara for talks on air defence');
    expect(text).not.toContain('NATO chief in Ankara for talks<');
  });

  it('renders an entry anew once its feed is renamed', async () => {
    expect((await rerendered('/topics/nato.atom')).toString('utf8')).toContain('<title>Agency Wire</title>');
    await service.core.store.syncConfigFeeds([{ url: origin.url('/a.rss'), title: 'Agency Wire Service' }, { url: origin.url('/b.rss') }], new Date());
    const text = (await rerendered('/topics/nato.atom')).toString('utf8');
    expect(text).toContain('<title>Agency Wire Service</title>');
    expect(text).not.toContain('<title>Agency Wire</title>');
  });

  it('renders an entry anew once another outlet carries its story', async () => {
    expect((await rerendered('/topics/nato.json')).toString('utf8')).not.toContain('City Paper');
    origin.route('/b.rss', { body: rssDocument('City Paper', [
      { guid: 'b-77', title: 'NATO extends Baltic air policing mission', description: `By City Paper staff. ${AIR}`, publishedAt: new Date(DAY.getTime() + 1_800_000) },
    ]) });
    await ingest('/b.rss');
    const feed = JSON.parse((await rerendered('/topics/nato.json')).toString('utf8')) as {
      items: { title: string; _feedsieve: { also_reported_by: { feed_title: string }[] } }[];
    };
    const air = feed.items.find((item) => item.title === 'NATO extends Baltic air policing');
    expect(air?._feedsieve.also_reported_by.map((other) => other.feed_title)).toEqual(['City Paper']);
  });
});
