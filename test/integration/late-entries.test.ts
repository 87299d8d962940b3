import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LATE_TITLE = 'NATO ministers sign the transit accord';
const NEW_FEED_TITLE = 'NATO opens a liaison office';
const ARCHIVE_TITLE = 'NATO archive: the summit communique';

interface ApiItem { title: string; publishedAt: string; sortAt: string; firstSeenAt: string }

/**
 * A busy topic: one feed carries 60 NATO entries from the last three hours, 20 of them from the
 * last hour. A second feed, stored before, comes back with an entry published five hours ago (its
 * site dated it when it was written, or the feed failed meanwhile); a third is fetched for the
 * first time with an entry as old. A reader polling the topic's first page must be shown the late
 * entry, and not the new feed's past.
 */
describe('a late entry in a busy topic feed', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  const started = Date.now();
  const ago = (ms: number): Date => new Date(started - ms);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-late-'));
    const busy: FeedEntrySpec[] = Array.from({ length: 60 }, (_, k) => ({ guid: `busy-${k}`, title: `NATO update ${k}`, publishedAt: ago(30_000 + k * 3 * MINUTE) }));
    writeFileSync(join(dir, 'busy.rss'), rssDocument('Busy', busy));
    const quietPast: FeedEntrySpec = { guid: 'quiet-past', title: 'Harbour dredging resumes', publishedAt: ago(6 * HOUR) };
    writeFileSync(join(dir, 'quiet.rss'), rssDocument('Quiet', [quietPast]));
    origin = await startStaticServer(dir);
    service = await startTestService({
      feeds: ['busy.rss', 'quiet.rss', 'new.rss'].map((file) => ({ url: origin.url(file) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    });
    // new.rss is not there yet: its fetch fails, and it stores nothing.
    await service.core.ingest(await service.core.store.listFeeds());
    writeFileSync(join(dir, 'quiet.rss'), rssDocument('Quiet', [
      { guid: 'quiet-late', title: LATE_TITLE, publishedAt: ago(5 * HOUR) },
      { guid: 'quiet-archive', title: ARCHIVE_TITLE, publishedAt: ago(30 * HOUR) },
      quietPast,
    ]));
    writeFileSync(join(dir, 'new.rss'), rssDocument('New', [{ guid: 'new-1', title: NEW_FEED_TITLE, publishedAt: ago(5 * HOUR) }]));
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is in the first page a reader polls, under its own date', async () => {
    const res = await service.get('/topics/nato.rss');
    expect(res.status).toBe(200);
    const feed = await new Parser().parseString(await res.text());
    expect(feed.items).toHaveLength(50);
    const late = feed.items.find((item) => item.title === LATE_TITLE);
    expect(late, 'the late entry in the first page').toBeDefined();
    expect(Date.parse(late!.pubDate ?? '')).toBe(Math.floor(ago(5 * HOUR).getTime() / 1000) * 1000);
    const titles = feed.items.map((item) => item.title);
    expect(titles).not.toContain(NEW_FEED_TITLE);
    expect(titles).not.toContain(ARCHIVE_TITLE);
  });

  it('sorts an hour before it was stored in the API; a new feed\'s past and a day-old entry keep their dates', async () => {
    const res = await service.get('/api/items?topic=nato&limit=100');
    const { items } = (await res.json()) as { items: ApiItem[] };
    const byTitle = new Map(items.map((item) => [item.title, item]));
    const late = byTitle.get(LATE_TITLE)!;
    expect(Date.parse(late.sortAt)).toBe(Date.parse(late.firstSeenAt) - HOUR);
    expect(Date.parse(late.publishedAt)).toBeLessThan(Date.parse(late.sortAt) - 3 * HOUR);
    for (const title of [NEW_FEED_TITLE, ARCHIVE_TITLE]) {
      const kept = byTitle.get(title)!;
      expect(kept.sortAt, title).toBe(kept.publishedAt);
    }
    expect(items.map((item) => item.title).indexOf(NEW_FEED_TITLE)).toBeGreaterThan(60);
  });
});
