// Which feeds an ingest pass fetches, and when a feed comes round again: only due feeds are
// fetched on a tick; failures back off further each time and a success resets the backoff.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import type { FeedRecord } from '../../src/model.js';
import { openClockedCore } from '../support/core.js';
import { rssDocument } from '../support/feeds.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';

const MINUTE = 60_000;
const INGEST = {
  allowPrivateAddresses: true,
  timeoutMs: 2000,
  minIntervalMinutes: 15,
  maxIntervalMinutes: 60,
  maxBackoffMinutes: 240,
};

/** Entries long before the clock, so every healthy feed polls at the configured maximum. */
const oldRss = (title: string) =>
  rssDocument(title, [{ guid: `${title}-1`, title: `${title} story`, publishedAt: new Date('2026-01-01T00:00:00Z') }]);

function openTestCore(dir: string, feeds: { url: string }[], clock: { now: Date }, extra: object = {}): Promise<Core> {
  return openClockedCore(dir, { ingest: INGEST, feeds, topics: [], ...extra }, clock);
}

const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * MINUTE);

describe('an ingest pass with no feed list fetches only the due feeds', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const t0 = new Date('2026-11-24T12:00:00.000Z');
  const clock = { now: t0 };
  const PATHS = ['/a', '/b', '/c'];
  const ids = new Map<string, number>();

  beforeAll(async () => {
    server = await startFaultServer(Object.fromEntries(PATHS.map((path) => [path, { body: oldRss(path.slice(1)) }])));
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-schedule-'));
    core = await openTestCore(dir, PATHS.map((path) => ({ url: server.url(path) })), clock);
    for (const path of PATHS) ids.set(path, (await core.store.getFeedByUrl(server.url(path)))!.id);
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fetchedIn = async (): Promise<number[]> => {
    const pass = await core.ingest();
    if (pass.status !== 'done') throw new Error('ingest was busy');
    return pass.reports.map((r) => r.feedId).sort((a, b) => a - b);
  };
  const setNextFetch = (path: string, at: Date) =>
    core.store.db.prepare('UPDATE feeds SET next_fetch_at = ? WHERE id = ?').run(at.toISOString(), ids.get(path));

  it('fetches every feed that has never been fetched', async () => {
    expect(await fetchedIn()).toEqual([...ids.values()].sort((a, b) => a - b));
    for (const path of PATHS) expect(server.hits(path)).toBe(1);
    for (const feed of await core.store.listFeeds()) expect(feed.nextFetchAt).toBe(minutesAfter(t0, 60).toISOString());
  });

  it('fetches nothing while every next_fetch_at lies in the future', async () => {
    clock.now = minutesAfter(t0, 30);
    expect(await fetchedIn()).toEqual([]);
    for (const path of PATHS) expect(server.hits(path)).toBe(1);
  });

  it('fetches only the feed whose next_fetch_at has passed', async () => {
    setNextFetch('/b', minutesAfter(t0, 20));
    setNextFetch('/c', minutesAfter(t0, 31));
    expect(await fetchedIn()).toEqual([ids.get('/b')]);
    expect([server.hits('/a'), server.hits('/b'), server.hits('/c')]).toEqual([1, 2, 1]);
    const b = (await core.store.getFeed(ids.get('/b')!))!;
    expect(b.nextFetchAt).toBe(minutesAfter(clock.now, 60).toISOString());
  });

  it('counts a next_fetch_at equal to the clock as due', async () => {
    clock.now = minutesAfter(t0, 31);
    expect(await fetchedIn()).toEqual([ids.get('/c')]);
  });

  it('fetches them all again once the regular interval has passed', async () => {
    clock.now = minutesAfter(t0, 100);
    expect(await fetchedIn()).toEqual([...ids.values()].sort((a, b) => a - b));
  });
});

describe('backoff', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  let failing = true;
  const t0 = new Date('2026-11-24T12:00:00.000Z');
  const clock = { now: t0 };

  beforeAll(async () => {
    server = await startFaultServer({
      '/flaky': () => (failing ? { status: 500, body: 'internal error' } : { body: oldRss('flaky') }),
      '/steady': { body: oldRss('steady') },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-backoff-'));
    core = await openTestCore(dir, [{ url: server.url('/flaky') }, { url: server.url('/steady') }], clock);
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const flaky = async (): Promise<FeedRecord> => (await core.store.getFeedByUrl(server.url('/flaky')))!;

  /** Move the clock to the flaky feed's next fetch and run a tick there. */
  async function tickWhenDue(): Promise<{ waitedMinutes: number; fetched: string[] }> {
    const before = clock.now;
    const next = (await flaky()).nextFetchAt;
    if (next !== null) clock.now = new Date(next);
    const pass = await core.ingest();
    if (pass.status !== 'done') throw new Error('ingest was busy');
    return { waitedMinutes: (clock.now.getTime() - before.getTime()) / MINUTE, fetched: pass.reports.map((r) => r.url) };
  }

  const waitAfter = (feed: FeedRecord, from: Date) => (Date.parse(feed.nextFetchAt!) - from.getTime()) / MINUTE;

  /** The first failure waits the minimum interval, each further one twice as long, ±25% jitter, up to the cap. */
  function backoffRange(failures: number): [number, number] {
    const base = Math.min(INGEST.minIntervalMinutes * 2 ** (failures - 1), INGEST.maxBackoffMinutes);
    return [Math.max(base * 0.75, INGEST.minIntervalMinutes), Math.min(base * 1.25, INGEST.maxBackoffMinutes)];
  }

  it('doubles the wait with each consecutive failure, up to the cap', async () => {
    const waits: number[] = [];
    for (let failures = 1; failures <= 6; failures++) {
      await tickWhenDue();
      const feed = await flaky();
      expect(feed).toMatchObject({ consecutiveFailures: failures, lastStatus: 500, lastError: { kind: 'http' } });
      const wait = waitAfter(feed, clock.now);
      const [earliest, latest] = backoffRange(failures);
      expect(wait, `after ${failures} failures`).toBeGreaterThanOrEqual(earliest);
      expect(wait, `after ${failures} failures`).toBeLessThanOrEqual(latest);
      waits.push(wait);
    }
    // Up to the cap the jittered ranges do not overlap, so every wait is longer than the one before.
    for (let n = 1; n < 5; n++) expect(waits[n]!).toBeGreaterThan(waits[n - 1]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(INGEST.maxBackoffMinutes);
  });

  it('does not fetch the failing feed before its backoff has passed', async () => {
    const feed = await flaky();
    clock.now = new Date(Date.parse(feed.nextFetchAt!) - MINUTE);
    const pass = await core.ingest();
    expect(pass.status === 'done' && pass.reports.map((r) => r.url)).not.toContain(server.url('/flaky'));
    expect((await flaky()).consecutiveFailures).toBe(6);
  });

  it('resets the failure count and the interval on the first success', async () => {
    failing = false;
    await tickWhenDue();
    const feed = await flaky();
    expect(feed).toMatchObject({ consecutiveFailures: 0, lastStatus: 200, lastError: null, itemCount: 1 });
    expect(feed.nextFetchAt).toBe(minutesAfter(clock.now, INGEST.maxIntervalMinutes).toISOString());
  });

  it('starts again from the shortest backoff when the feed fails after recovering', async () => {
    failing = true;
    await tickWhenDue();
    const feed = await flaky();
    expect(feed.consecutiveFailures).toBe(1);
    const [earliest, latest] = backoffRange(1);
    expect(waitAfter(feed, clock.now)).toBeGreaterThanOrEqual(earliest);
    expect(waitAfter(feed, clock.now)).toBeLessThanOrEqual(latest);
  });
});

describe('the cron schedule of a running service', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  let service: Service;

  beforeAll(async () => {
    server = await startFaultServer({ '/a': { body: oldRss('a') }, '/b': { body: oldRss('b') } });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-cron-'));
    const config = parseConfig(
      {
        database: 'test.db',
        server: { host: '127.0.0.1', port: 0 },
        ingest: { ...INGEST, schedule: '* * * * * *' },
        feeds: [{ url: server.url('/a') }, { url: server.url('/b') }],
        logLevel: 'silent',
      },
      join(dir, 'config.json'),
      {},
    );
    core = await openCore(config, createLogger('silent'));
    service = await startService(core);
    await service.firstIngest;
  });
  afterAll(async () => {
    await service?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lastTick = async () => {
    const { port } = service.server.address() as { port: number };
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { lastIngestTickAt: string | null };
    return ready.lastIngestTickAt;
  };
  const waitUntil = async (done: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + 5000;
    while (!(await done()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  it('fetches on a tick only the feed that has become due', async () => {
    expect([server.hits('/a'), server.hits('/b')]).toEqual([1, 1]);
    // The schedule ticks every second; nothing is due for an hour, so a tick fetches nothing.
    const startTick = await lastTick();
    await waitUntil(async () => (await lastTick()) !== startTick);
    expect(await lastTick()).not.toBe(startTick);
    expect([server.hits('/a'), server.hits('/b')]).toEqual([1, 1]);

    core.store.db.prepare('UPDATE feeds SET next_fetch_at = ? WHERE url = ?')
      .run(new Date(Date.now() - MINUTE).toISOString(), server.url('/b'));
    await waitUntil(() => server.hits('/b') >= 2);
    expect([server.hits('/a'), server.hits('/b')]).toEqual([1, 2]);
  });
});

describe('a feed whose server says how long its answer stays fresh', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const t0 = new Date('2026-11-24T12:00:00.000Z');
  const clock = { now: t0 };
  /** Forty entries in the last week: on its rate alone, polled every 7 days / 40 = 252 minutes. */
  const busy = (title: string) => rssDocument(title, Array.from({ length: 40 }, (_, i) => ({
    guid: `${title}-${i}`, title: `${title} story ${i}`, publishedAt: new Date(t0.getTime() - i * 3 * 3_600_000),
  })));

  beforeAll(async () => {
    server = await startFaultServer({
      // Fresh for 350 minutes: max-age less the Age a cache in front of the server gave it.
      '/cached': (request) => (request.headers['if-none-match'] === '"v1"'
        ? { status: 304, body: '', headers: { etag: '"v1"', 'cache-control': 'public, max-age=21600', age: '600' } }
        : { body: busy('cached'), headers: { etag: '"v1"', 'cache-control': 'public, max-age=21600', age: '600' } }),
      '/expires': { body: busy('expires'), headers: { date: 'Tue, 24 Nov 2026 12:00:00 GMT', expires: 'Tue, 24 Nov 2026 17:00:00 GMT' } },
      '/short': { body: busy('short'), headers: { 'cache-control': 'max-age=600' } },
      // New entries at every fetch: its second answer is parsed and stored.
      '/changing': (request) => ({ body: busy(`changing-${request.hit}`), headers: { 'cache-control': 'max-age=21600' } }),
      '/silent': { body: busy('silent') },
      '/no-cache': { body: busy('no-cache'), headers: { 'cache-control': 'no-cache, max-age=21600' } },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-fresh-'));
    core = await openTestCore(dir, ['/cached', '/expires', '/short', '/changing', '/silent', '/no-cache'].map((path) => ({ url: server.url(path) })), clock,
      { ingest: { ...INGEST, maxIntervalMinutes: 1440 } });
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const nextFetchIn = async (path: string) =>
    (Date.parse((await core.store.getFeedByUrl(server.url(path)))!.nextFetchAt!) - clock.now.getTime()) / MINUTE;

  it('is not asked again before then, after a full answer and after a 304; a server that says nothing, or no-cache, leaves the feed\'s rate', async () => {
    // The first pass stores the entries the rate is counted from (a feed is planned before its entries are stored).
    expect((await core.ingest()).status).toBe('done');
    const second = await core.ingest(await core.store.listFeeds());
    const statusOf = (path: string) => second.status === 'done' && second.reports.find((r) => r.url === server.url(path))?.status;
    expect([statusOf('/cached'), statusOf('/expires'), statusOf('/changing')]).toEqual(['not-modified', 'unchanged-body', 'stored']);
    expect(await nextFetchIn('/cached')).toBe(350);
    expect(await nextFetchIn('/changing')).toBe(360);
    expect(await nextFetchIn('/expires')).toBe(300);
    // Fresh for less than the feed's rate asks: the rate stands.
    expect(await nextFetchIn('/short')).toBe(252);
    expect(await nextFetchIn('/silent')).toBe(252);
    expect(await nextFetchIn('/no-cache')).toBe(252);

    clock.now = minutesAfter(t0, 350);
    const pass = await core.ingest([(await core.store.getFeedByUrl(server.url('/cached')))!]);
    expect(pass.status === 'done' && pass.reports[0]!.status).toBe('not-modified');
    expect(await nextFetchIn('/cached')).toBe(350);
  });
});
