// Retention deletes items first stored long ago; their feed may still carry them (a podcast's
// episodes, a quiet blog's last posts). Such an entry must not come back as a new item at the
// feed's next fetch: not in its topic's feed, not among what afterId follows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main.js';
import { openClockedCore } from '../support/core.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';

const DAY = 86_400_000;
const t0 = new Date('2026-06-01T12:00:00.000Z');

const episode = (n: number, over: Partial<FeedEntrySpec> = {}): FeedEntrySpec =>
  ({ guid: `ep-${n}`, title: `Episode ${n}: NATO and its neighbours`, publishedAt: new Date(t0.getTime() - (10 - n) * DAY), ...over });

describe('an entry its feed still carries when retention deletes its item', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const clock = { now: t0 };
  let document = rssDocument('Podcast', [1, 2, 3].map((n) => episode(n)));
  const news = { current: rssDocument('News', [{ guid: 'news-1', title: 'Gone by then: NATO talks', publishedAt: t0 }]) };

  beforeAll(async () => {
    server = await startFaultServer({ '/podcast': () => ({ body: document }), '/news': () => ({ body: news.current }) });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-expired-'));
    core = await openClockedCore(dir, {
      retention: { maxAgeDays: 30 }, ingest: { allowPrivateAddresses: true },
      feeds: [{ url: server.url('/podcast') }, { url: server.url('/news') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    }, clock);
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const titles = async () => (await core.store.listItems({ topicSlug: 'nato', limit: 100 })).map((i) => i.title).sort();
  const ingestAll = async () => {
    const pass = await core.ingest(await core.store.listFeeds());
    if (pass.status !== 'done') throw new Error('busy');
    return new Map(pass.reports.map((r) => [new URL(r.url).pathname, r]));
  };

  it('is not stored again, edited or not; an entry its feed dropped before is forgotten; one the feed drops later is forgotten then', async () => {
    await ingestAll();
    expect(await titles()).toHaveLength(4);
    // The news item leaves its feed; the episodes stay in theirs.
    news.current = rssDocument('News', [{ guid: 'news-2', title: 'Later news', publishedAt: new Date(t0.getTime() + 10 * DAY) }]);
    clock.now = new Date(t0.getTime() + 10 * DAY);
    await ingestAll();
    const followFrom = await core.store.newestItemId();

    clock.now = new Date(t0.getTime() + 45 * DAY);
    expect(await core.expire()).toBe(5);
    expect(await titles()).toEqual([]);
    const left = core.store.db.prepare('SELECT identity FROM expired_entries ORDER BY identity').pluck().all();
    // news-1 had left its feed: nothing of it is kept.
    expect(left).toEqual(['ep-1', 'ep-2', 'ep-3', 'news-2']);

    // A new episode: the document is read again, the old ones with it, one of them edited.
    document = rssDocument('Podcast', [episode(4, { publishedAt: clock.now }), episode(1), episode(2, { description: 'Show notes corrected' }), episode(3)]);
    const reports = await ingestAll();
    expect(reports.get('/podcast')).toMatchObject({ status: 'stored', inserted: 1, updated: 0, unchanged: 3 });
    expect(await titles()).toEqual(['Episode 4: NATO and its neighbours']);
    const followed = await core.store.listItemsStoredAfter({ afterId: followFrom, limit: 50, examineAtMost: 1000 });
    expect(followed.items.map((i) => i.title)).toEqual(['Episode 4: NATO and its neighbours']);

    // The feed drops episode 1: its identity goes, and it would be new if it ever came back.
    document = rssDocument('Podcast', [episode(4, { publishedAt: clock.now }), episode(2), episode(3)]);
    await ingestAll();
    expect(core.store.db.prepare('SELECT identity FROM expired_entries ORDER BY identity').pluck().all()).toEqual(['ep-2', 'ep-3', 'news-2']);
    document = rssDocument('Podcast', [episode(5, { publishedAt: clock.now }), episode(4, { publishedAt: clock.now }), episode(2), episode(3), episode(1)]);
    expect((await ingestAll()).get('/podcast')).toMatchObject({ inserted: 2, unchanged: 3 });

    // A feed deleted takes what it left with it.
    await core.store.deleteFeed((await core.store.getFeedByUrl(server.url('/podcast')))!.id);
    expect(core.store.db.prepare('SELECT identity FROM expired_entries').pluck().all()).toEqual(['news-2']);
    expect(core.store.db.prepare('SELECT count(*) FROM feed_entries').pluck().get()).toBe(1);
  });
});

describe('a feed that serves a document with no entries for a while', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const clock = { now: t0 };
  const full = rssDocument('Podcast', [3, 2, 1].map((n) => episode(n)));
  let document = full;

  beforeAll(async () => {
    server = await startFaultServer({ '/podcast': () => ({ body: document }) });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-expired-empty-'));
    core = await openClockedCore(dir, {
      retention: { maxAgeDays: 30 }, ingest: { allowPrivateAddresses: true },
      feeds: [{ url: server.url('/podcast') }], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    }, clock);
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ingestAll = async () => {
    const pass = await core.ingest(await core.store.listFeeds());
    if (pass.status !== 'done') throw new Error('busy');
    return pass.reports[0]!;
  };
  const left = () => core.store.db.prepare('SELECT identity FROM expired_entries ORDER BY identity').pluck().all();

  it('keeps what retention left, before and after: the entries are not stored again once the full document is back', async () => {
    await ingestAll();
    // Empty while retention runs, then empty after it.
    document = rssDocument('Podcast', []);
    clock.now = new Date(t0.getTime() + DAY);
    expect(await ingestAll()).toMatchObject({ status: 'stored', inserted: 0 });
    clock.now = new Date(t0.getTime() + 45 * DAY);
    expect(await core.expire()).toBe(3);
    expect(left()).toEqual(['ep-1', 'ep-2', 'ep-3']);
    document = rssDocument('Podcast (back soon)', []);
    expect(await ingestAll()).toMatchObject({ status: 'stored', inserted: 0 });
    expect(left()).toEqual(['ep-1', 'ep-2', 'ep-3']);

    document = full;
    expect(await ingestAll()).toMatchObject({ status: 'stored', inserted: 0, unchanged: 3 });
    expect(await core.store.listItems({ topicSlug: 'nato', limit: 10 })).toEqual([]);
  });
});
