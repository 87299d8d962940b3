import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchItems } from '../src/search.js';
import type { ItemCursor } from '../src/store/index.js';
import { startFaultServer, type FaultServer } from './support/fault-server.js';
import { rssDocument } from './support/feeds.js';
import { startTestService, type TestService } from './support/service.js';

describe('searchItems', () => {
  let origin: FaultServer;
  let service: TestService;
  const now = Date.now();

  beforeAll(async () => {
    // 120 items; every tenth is about NATO.
    const body = rssDocument('Mixed', Array.from({ length: 120 }, (_, i) => ({
      guid: `m-${i}`, title: i % 10 === 0 ? `NATO briefing ${i}` : `Weather report ${i}`, publishedAt: new Date(now - i * 60_000),
    })));
    origin = await startFaultServer({ '/mixed.rss': { body } });
    service = await startTestService({ feeds: [{ url: origin.url('/mixed.rss') }], topics: [] });
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('stops at its scan budget with a place to resume, and resuming finds every match exactly once', async () => {
    const found: string[] = [];
    let after: ItemCursor | undefined;
    let requests = 0;
    for (;;) {
      const result = await searchItems(service.core.store, 'NATO', { after }, 50, 25);
      if (!result.ok) throw new Error(result.error.message);
      requests++;
      expect(result.scanned).toBeLessThanOrEqual(25);
      found.push(...result.hits.map((h) => h.item.title));
      if (!result.stoppedAt) break;
      after = result.stoppedAt;
    }
    expect(requests).toBe(5);
    expect(found).toEqual(Array.from({ length: 12 }, (_, k) => `NATO briefing ${k * 10}`));
  });

  it('returns the parse error with its position', async () => {
    const result = await searchItems(service.core.store, 'NATO AND (', {}, 10);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.position).toBeGreaterThan(0);
  });
});
