import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';

const NOW = Date.now();

describe('keyset paging while items arrive', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    // 1,000 originals over ten feeds, then 200 newcomers whose dates fall all through that range.
    const routes: Record<string, { body: string }> = {};
    for (let f = 0; f < 10; f++) {
      routes[`/old-${f}.rss`] = { body: rssDocument(`old ${f}`, Array.from({ length: 100 }, (_, i) => ({
        guid: `old-${f}-${i}`, title: `Original ${f}-${i}`, publishedAt: new Date(NOW - (i * 10 + f) * 60_000),
      }))) };
    }
    for (let f = 0; f < 2; f++) {
      routes[`/new-${f}.rss`] = { body: rssDocument(`new ${f}`, Array.from({ length: 100 }, (_, i) => ({
        guid: `new-${f}-${i}`, title: `Newcomer ${f}-${i}`, publishedAt: new Date(NOW - (i * 10 + 5 + f) * 60_000 + 1),
      }))) };
    }
    origin = await startFaultServer(routes);
    service = await startTestService({ feeds: Object.keys(routes).map((path) => ({ url: origin.url(path) })), topics: [] });
    const feeds = await service.core.store.listFeeds();
    await service.core.ingest(feeds.filter((f) => f.url.includes('/old-')));
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('paging through 1,000 items with limit=37 during an ingest of 200 more yields every original exactly once', async () => {
    expect(await service.core.store.listItems({ limit: 2000 })).toHaveLength(1000);

    const newcomers = (await service.core.store.listFeeds()).filter((f) => f.url.includes('/new-'));
    let ingest: Promise<unknown> | null = null;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await service.get(`/api/items?limit=37${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { title: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.title));
      cursor = page.nextCursor;
      pages++;
      // The second ingest starts after the first page and runs while the walk goes on.
      if (pages === 1) ingest = service.core.ingest(newcomers);
      if (pages === 10) await ingest;
    } while (cursor);
    await ingest;

    const original = seen.filter((t) => t.startsWith('Original'));
    expect(original).toHaveLength(1000);
    expect(new Set(original).size).toBe(1000);
    expect(new Set(seen).size).toBe(seen.length); // nothing repeated, newcomers included
    // Some newcomers landed on pages not yet walked: the ingest really overlapped the paging.
    expect(seen.some((t) => t.startsWith('Newcomer'))).toBe(true);
    const stored = await service.core.store.listItems({ limit: 2000 });
    expect(stored).toHaveLength(1200);
  });
});
