import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntryCache, type EntryCache } from '../../src/http/entry-cache.js';
import type { ItemRef } from '../../src/model.js';
import type { RenderedEntry } from '../../src/syndication/render.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';
import { AIR_POLICING as AIR, ANKARA_VISIT as ANKARA, STORY_DAY as DAY } from '../support/stories.js';

describe('createEntryCache', () => {
  const bytes = (n: number, fill = 1): RenderedEntry => ({ bytes: Buffer.alloc(n, fill), digest: Buffer.alloc(32, fill) });
  const item = (id: number): ItemRef => ({ id, feedId: 1, feedTitle: 'Wire', feedUrl: 'https://wire.example/feed', storyId: id,
    sortAt: '2026-11-20T09:00:00.000Z', updatedAt: null, version: '2026-11-20T09:05:00.000Z abc' });
  const [a, b, c, d, e, f, g] = [1, 2, 3, 4, 5, 6, 7].map(item) as [ItemRef, ItemRef, ItemRef, ItemRef, ItemRef, ItemRef, ItemRef];
  const names = new Map([a, b, c, d, e, f, g].map((entry, index) => [entry, 'abcdefg'[index]!]));
  const kept = (cache: EntryCache, ...entries: ItemRef[]) => entries.filter((entry) => cache.get('rss', entry, []) !== undefined).map((entry) => names.get(entry));

  it('drops the least recently used entries once past its budget of bytes', () => {
    const cache = createEntryCache(100);
    cache.set('rss', a, [], bytes(40));
    cache.set('rss', b, [], bytes(40));
    expect(cache.get('rss', a, [])).toBeDefined(); // a is now the more recent of the two
    cache.set('rss', c, [], bytes(40));
    expect(kept(cache, a, b, c)).toEqual(['a', 'c']);
    expect(cache.bytes).toBe(80);
  });

  it('keeps the entries used since they were set, however long ago that was, and drops the others oldest first', () => {
    const cache = createEntryCache(100);
    for (const entry of [a, b, c, d]) cache.set('rss', entry, [], bytes(25));
    cache.get('rss', a, []);
    cache.get('rss', c, []);
    cache.set('rss', e, [], bytes(25));
    cache.set('rss', f, [], bytes(25));
    expect(kept(cache, a, b, c, d, e, f)).toEqual(['a', 'c', 'e', 'f']);
    expect(cache.bytes).toBe(100);
    // Every entry was used just now: the new one still goes in, in place of the two placed first.
    cache.set('rss', g, [], bytes(50));
    expect([cache.size, cache.bytes, cache.get('rss', g, [])?.bytes.length]).toEqual([3, 100, 50]);
  });

  it('replaces an entry set again, counting its bytes once, and keeps nothing larger than the budget', () => {
    const cache = createEntryCache(100);
    cache.set('rss', a, [], bytes(40, 1));
    cache.set('rss', { ...a, version: '2026-11-21T09:05:00.000Z def' }, [], bytes(30, 2));
    expect(cache.bytes).toBe(30);
    expect(cache.get('rss', { ...a, version: '2026-11-21T09:05:00.000Z def' }, [])?.bytes[0]).toBe(2);
    cache.set('rss', b, [], bytes(101));
    expect(cache.get('rss', b, [])).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('finds an entry only as it was rendered: same format, version, feed name and URL, other outlets', () => {
    const cache = createEntryCache(1000);
    const outlets = [{ feedTitle: 'City Paper', url: 'https://city.example/1' }];
    cache.set('rss', a, outlets, bytes(10));
    expect(cache.get('rss', a, [{ ...outlets[0]! }])?.bytes.length).toBe(10);
    // Paging fields are not part of an entry.
    const paged = { ...a, sortAt: '2026-11-20T10:00:00.000Z', storyId: 99 };
    expect(cache.get('rss', paged, outlets)?.bytes.length).toBe(10);
    const misses = [
      cache.get('atom', a, outlets),
      cache.get('rss', b, outlets),
      cache.get('rss', { ...a, version: '2026-11-21T09:05:00.000Z def' }, outlets),
      cache.get('rss', { ...a, feedTitle: 'Wire Service' }, outlets),
      cache.get('rss', { ...a, feedUrl: 'https://wire.example/rss' }, outlets),
      cache.get('rss', a, []),
      cache.get('rss', a, [{ feedTitle: 'City Paper', url: null }]),
      cache.get('rss', a, [{ feedTitle: 'Town Paper', url: 'https://city.example/1' }]),
      cache.get('rss', a, [...outlets, { feedTitle: 'Town Paper', url: null }]),
    ];
    expect(misses.filter((miss) => miss !== undefined)).toHaveLength(0);
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
    entries.get = (...args: Parameters<EntryCache['get']>) => {
      const found = get(...args);
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
