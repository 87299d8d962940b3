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

describe('following what is stored with afterId while items arrive', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    // 300 items over three feeds, then 150 newcomers dated all through that range, as a feed
    // fetched late or a wire story carried on hours after it was filed would be.
    const routes: Record<string, { body: string; delayMs?: number }> = {};
    for (let f = 0; f < 3; f++) {
      routes[`/old-${f}.rss`] = { body: rssDocument(`old ${f}`, Array.from({ length: 100 }, (_, i) => ({
        guid: `old-${f}-${i}`, title: `Original ${f}-${i} NATO`, publishedAt: new Date(NOW - (i * 3 + f) * 60_000),
      }))) };
    }
    for (let f = 0; f < 3; f++) {
      routes[`/new-${f}.rss`] = {
        body: rssDocument(`new ${f}`, Array.from({ length: 50 }, (_, i) => ({
          guid: `new-${f}-${i}`, title: `Newcomer ${f}-${i}${i % 2 === 0 ? ' NATO' : ''}`, publishedAt: new Date(NOW - (i * 6 + f) * 60_000 - 30_000),
        }))),
        // Answered one after another, so that the client asks between the feeds' saves.
        delayMs: 40 + f * 60,
      };
    }
    origin = await startFaultServer(routes);
    service = await startTestService({
      feeds: Object.keys(routes).map((path) => ({ url: origin.url(path) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    });
    await service.core.ingest((await service.core.store.listFeeds()).filter((f) => f.url.includes('/old-')));
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  type Page = { items: { id: number; title: string }[]; nextAfterId: number; more: boolean };

  it('a client that starts at newestId and asks on with nextAfterId during an ingest sees every new item once, late-dated ones included', async () => {
    const first = (await (await service.get('/api/items?limit=50')).json()) as { items: { title: string }[]; newestId: number };
    expect(first.items.every((i) => i.title.startsWith('Original'))).toBe(true);
    const afterId = first.newestId;
    for (const topic of [undefined, 'nato']) {
      const seen: string[] = [];
      let from = afterId;
      const newcomers = (await service.core.store.listFeeds()).filter((f) => f.url.includes('/new-'));
      let ingestEnded = topic !== undefined;
      const ingest = topic === undefined ? service.core.ingest(newcomers).then(() => { ingestEnded = true; }) : null;
      let done = false;
      let asks = 0;
      // Asks while the ingest runs, and once more after it ended with nothing more to read.
      while (!done) {
        done = ingestEnded;
        asks++;
        let page: Page;
        do {
          const res = await service.get(`/api/items?afterId=${from}&limit=7${topic ? `&topic=${topic}` : ''}`);
          expect(res.status).toBe(200);
          page = (await res.json()) as Page;
          seen.push(...page.items.map((i) => i.title));
          expect(page.nextAfterId).toBeGreaterThanOrEqual(from);
          from = page.nextAfterId;
        } while (page.more);
        if (!done) await new Promise((r) => setTimeout(r, 5));
      }
      await ingest;
      // The ingest ran while the client asked: it caught items in more than one round.
      if (topic === undefined) expect(asks).toBeGreaterThan(2);
      const expectedTitles = topic === undefined ? 150 : 75;
      expect(seen).toHaveLength(expectedTitles);
      expect(new Set(seen).size).toBe(expectedTitles);
      expect(seen.every((t) => t.startsWith('Newcomer'))).toBe(true);
      if (topic === 'nato') expect(seen.every((t) => t.endsWith('NATO'))).toBe(true);
    }
    // By time, the newcomers are spread among the originals: the newest 150 by time hold only some.
    const byTime = (await (await service.get('/api/items?limit=150')).json()) as { items: { title: string }[] };
    const newcomersOnTop = byTime.items.filter((i) => i.title.startsWith('Newcomer')).length;
    expect(newcomersOnTop).toBeGreaterThan(0);
    expect(newcomersOnTop).toBeLessThan(150);
  });

  it('refuses afterId with what lists by time, saying what it goes with, and one past every id given', async () => {
    for (const extra of ['q=NATO', 'since=2026-01-01', 'until=2026-01-01', 'cursor=abc']) {
      const res = await service.get(`/api/items?afterId=1&${extra}`);
      expect(res.status, extra).toBe(400);
      const problem = (await res.json()) as { detail: string; errors: { field: string }[] };
      expect(problem.detail).toContain('goes with topic, feed and limit only');
      expect(problem.errors[0]!.field).toBe(`query.${extra.split('=')[0]}`);
    }
    for (const bad of ['-1', '1.5', 'x', '99999999999999999999']) {
      const res = await service.get(`/api/items?afterId=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.afterId');
    }
    expect((await service.get('/api/items?afterId=0&topic=no-such-topic')).status).toBe(404);
    // Past every id given: from another database, or from before a restore.
    const { newestId } = (await (await service.get('/api/items?limit=1')).json()) as { newestId: number };
    const ahead = await service.get(`/api/items?afterId=${newestId + 1_000}`);
    expect(ahead.status).toBe(409);
    const problem = (await ahead.json()) as { detail: string; errors: { field: string }[] };
    expect(problem.detail).toBe(`afterId ${newestId + 1_000} is past every item this database has stored: it comes from another `
      + `database, or from before this one was restored from a backup; start again from newestId (${newestId})`);
    expect(problem.errors[0]!.field).toBe('query.afterId');
  });
});
