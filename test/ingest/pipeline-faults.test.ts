// The whole ingest pipeline (fetch → parse → normalize → match → store) against a server that
// misbehaves in every way a real feed host does, all feeds in one ingest pass. Each case checks
// what was stored on its feed; the good feeds in the same pass must be stored as if nothing
// else had happened.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/ingest/address-guard.js';
import { createFetcher } from '../../src/ingest/fetch.js';
import type { RefreshReport } from '../../src/ingest/refresh.js';
import type { Core } from '../../src/main.js';
import type { FeedRecord } from '../../src/model.js';
import { openClockedCore } from '../support/core.js';
import { rssDocument } from '../support/feeds.js';
import { type FaultBehaviour, type FaultServer, startFaultServer } from '../support/fault-server.js';
import { testFetchLimits } from '../support/fetch-limits.js';
import { FIXTURE_TOPICS } from '../support/service.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/feeds');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

const MINUTE = 60_000;
const INGEST = {
  allowPrivateAddresses: true,
  timeoutMs: 1500,
  connectTimeoutMs: 1000,
  maxBytes: 256 * 1024,
  concurrency: 32,
  perHostConcurrency: 16,
  minIntervalMinutes: 15,
  maxIntervalMinutes: 60,
  maxBackoffMinutes: 1440,
};
const RETRY_AFTER_SECONDS = 7200;
const WORLD_WIRE_ETAG = '"world-wire-1"';
const EASTERN_DESK_MODIFIED = 'Wed, 03 Nov 2010 18:00:00 GMT';

/** Entries a month before the clock: they do not count as "published last week" for the interval. */
function oldRss(title: string, guids: string[]): string {
  return rssDocument(title, guids.map((guid, n) => ({ guid, title: `${title} story ${n + 1}`, publishedAt: new Date(Date.UTC(2026, 9, 1 + n)) })));
}

const CP1252_TITLE = 'Minister’s “missile defence” plan costs €4bn — café talks';
const cp1252Feed = iconv.encode(
  '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Café Europa</title>' +
    '<link>https://cafe.example/</link><description>d</description>' +
    `<item><title>${CP1252_TITLE}</title><link>https://cafe.example/1</link><guid>cafe-1</guid>` +
    '<pubDate>Thu, 01 Oct 2026 10:00:00 GMT</pubDate></item></channel></rss>\n',
  'win1252',
);

function openTestCore(dir: string, feeds: { url: string }[], ingest: object, clock: { now: Date }): Promise<Core> {
  return openClockedCore(dir, { ingest, feeds, topics: FIXTURE_TOPICS }, clock);
}

function minutesAfter(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * MINUTE).toISOString();
}

describe('one ingest pass over a misbehaving server', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const clock = { now: new Date('2026-11-24T12:00:00.000Z') };
  const firstRunAt = clock.now;
  let firstPass: RefreshReport[];
  const feedIds = new Map<string, number>();

  const PATHS = [
    '/world-wire.rss', '/eastern-desk.atom', '/briefs.json', '/gzip.rdf', '/br.rss', '/cp1252.rss',
    '/moved-301', '/moved-308', '/broken.rss', '/bomb', '/too-large', '/too-large-chunked', '/drip',
    '/reset', '/500', '/429', '/410', '/loop-a', '/dup-301', '/moved-302', '/config-301',
  ];
  // Added over HTTP rather than by the config file, whose URLs stay as the file has them.
  const API_PATHS = new Set(['/moved-301', '/moved-308', '/dup-301']);

  const feed = async (path: string): Promise<FeedRecord> => (await core.store.getFeed(feedIds.get(path)!))!;
  const report = (path: string) => firstPass.find((r) => r.feedId === feedIds.get(path))!;
  const titles = (feedId: number) =>
    (core.store.db.prepare('SELECT title FROM items WHERE feed_id = ? ORDER BY id').pluck().all(feedId) as string[]);

  beforeAll(async () => {
    server = await startFaultServer({
      // Good feeds: one with an ETag, one with only Last-Modified, one with no validators at all.
      '/world-wire.rss': (req): FaultBehaviour => req.headers['if-none-match'] === WORLD_WIRE_ETAG
        ? { status: 304, headers: { etag: WORLD_WIRE_ETAG } }
        : { body: fixture('world-wire.rss'), headers: { 'content-type': 'application/rss+xml', etag: WORLD_WIRE_ETAG } },
      '/eastern-desk.atom': (req): FaultBehaviour => req.headers['if-modified-since'] === EASTERN_DESK_MODIFIED
        ? { status: 304 }
        : { body: fixture('eastern-desk.atom'), headers: { 'content-type': 'application/atom+xml', 'last-modified': EASTERN_DESK_MODIFIED } },
      '/briefs.json': { body: fixture('briefs.json'), headers: { 'content-type': 'application/feed+json' } },
      // Compressed bodies, and Latin-1 bytes inside gzip.
      '/gzip.rdf': { body: fixture('capital-report.rdf'), encoding: 'gzip', headers: { 'content-type': 'application/rdf+xml' } },
      '/br.rss': { body: oldRss('Brotli Times', ['br-1', 'br-2']), encoding: 'br', headers: { 'content-type': 'application/rss+xml' } },
      '/cp1252.rss': { body: cp1252Feed, headers: { 'content-type': 'application/rss+xml; charset=utf-8' } },
      // Redirects: permanent ones move the feed, a temporary one does not, and a permanent one
      // onto a URL another feed already has cannot.
      '/moved-301': { redirect: { to: '/new-301', status: 301 } },
      '/new-301': { body: oldRss('Moved Permanently', ['m301-1']) },
      '/moved-308': { redirect: { to: '/new-308', status: 308 } },
      '/new-308': { body: oldRss('Permanent Redirect', ['m308-1']) },
      '/moved-302': { redirect: { to: '/new-302', status: 302 } },
      '/new-302': { body: oldRss('Found Elsewhere', ['m302-1']) },
      '/dup-301': { redirect: { to: '/world-wire.rss', status: 301 } },
      '/config-301': { redirect: { to: '/config-new-301', status: 301 } },
      '/config-new-301': { body: oldRss('Moved From The Config', ['c301-1']) },
      '/broken.rss': { body: fixture('broken.rss'), headers: { 'content-type': 'application/rss+xml' } },
      // 10 MB of zeros gzip to about 10 kB; the limit is 256 kB of decoded bytes. Compressed once
      // here: compressing per request would stall this process's event loop during the pass.
      '/bomb': { body: gzipSync(Buffer.alloc(10 * 1024 * 1024)), headers: { 'content-encoding': 'gzip' } },
      '/too-large': { body: Buffer.alloc(INGEST.maxBytes + 1, 0x20) },
      '/too-large-chunked': { body: Buffer.alloc(INGEST.maxBytes + 1, 0x20), chunked: true },
      '/drip': { body: oldRss('Drip', ['drip-1']), drip: { intervalMs: 1000 } },
      '/reset': { body: oldRss('Reset', ['reset-1', 'reset-2', 'reset-3']), reset: { afterBytes: 100 } },
      '/500': { status: 500, body: 'oops' },
      '/429': { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
      '/410': { status: 410 },
      '/loop-a': { redirect: { to: '/loop-b', status: 302 } },
      '/loop-b': { redirect: { to: '/loop-a', status: 302 } },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-faults-'));
    core = await openTestCore(dir, PATHS.filter((path) => !API_PATHS.has(path)).map((path) => ({ url: server.url(path) })), INGEST, clock);
    for (const path of API_PATHS) await core.store.addFeed({ url: server.url(path), title: null, origin: 'api' }, clock.now);
    for (const path of PATHS) feedIds.set(path, (await core.store.getFeedByUrl(server.url(path)))!.id);
    const pass = await core.ingest();
    if (pass.status !== 'done') throw new Error(`ingest was busy: ${pass.holder}`);
    firstPass = pass.reports;
  });

  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fetches every feed exactly once in the pass', () => {
    expect(firstPass.map((r) => r.feedId).sort((a, b) => a - b)).toEqual([...feedIds.values()].sort((a, b) => a - b));
  });

  it.each([
    ['/world-wire.rss', 4, 'NATO, Russia consider joint missile defence plan'],
    ['/eastern-desk.atom', 2, 'NATO, Russia consider joint missile defence plan'],
    ['/briefs.json', 2, 'What to expect from the Lisbon summit'],
    ['/gzip.rdf', 2, null],
    ['/br.rss', 2, 'Brotli Times story 1'],
  ])('stores the good feed %s normally (%i items) beside the failing ones', async (path, count, title) => {
    expect(report(path)).toMatchObject({ status: 'stored', inserted: count, error: null });
    const stored = await feed(path);
    expect(stored).toMatchObject({
      lastStatus: 200, lastError: null, consecutiveFailures: 0, disabled: false, itemCount: count,
      lastFetchedAt: firstRunAt.toISOString(),
      // No entry from the last week, so the regular interval is the configured maximum.
      nextFetchAt: minutesAfter(firstRunAt, INGEST.maxIntervalMinutes),
    });
    if (title !== null) expect(titles(stored.id)).toContain(title);
  });

  it('decodes Latin-1 bytes inside a gzip body', async () => {
    const stored = titles((await feed('/gzip.rdf')).id).join(' ');
    expect(stored).toMatch(/[é£]/);
    expect(stored).not.toContain('\uFFFD');
  });

  it('reads windows-1252 bytes declared as UTF-8 as the characters the publisher meant', async () => {
    expect(report('/cp1252.rss')).toMatchObject({ status: 'stored', inserted: 1 });
    const stored = await feed('/cp1252.rss');
    expect(stored.title).toBe('Café Europa');
    expect(titles(stored.id)).toEqual([CP1252_TITLE]);
  });

  it('keeps the validators of a good feed for the next pass', async () => {
    expect(await feed('/world-wire.rss')).toMatchObject({ etag: WORLD_WIRE_ETAG, lastModified: null });
    expect(await feed('/eastern-desk.atom')).toMatchObject({ etag: null, lastModified: EASTERN_DESK_MODIFIED });
  });

  it.each([
    ['/moved-301', '/new-301', 'Moved Permanently story 1'],
    ['/moved-308', '/new-308', 'Permanent Redirect story 1'],
  ])('follows the permanent redirect %s, stores its items and makes %s the feed URL', async (path, target, title) => {
    expect(report(path)).toMatchObject({ status: 'stored', inserted: 1 });
    const stored = await feed(path);
    expect(stored).toMatchObject({ url: server.url(target), lastStatus: 200, consecutiveFailures: 0, movedTo: null });
    expect(titles(stored.id)).toEqual([title]);
  });

  it('follows a permanent redirect for a config file\'s feed but keeps the file\'s URL, showing where it moved', async () => {
    expect(report('/config-301')).toMatchObject({ status: 'stored', inserted: 1 });
    expect(await feed('/config-301')).toMatchObject({
      url: server.url('/config-301'), movedTo: server.url('/config-new-301'), lastStatus: 200, consecutiveFailures: 0,
    });
    expect(titles((await feed('/config-301')).id)).toEqual(['Moved From The Config story 1']);
  });

  it('follows a temporary redirect but keeps the feed URL', async () => {
    expect(report('/moved-302')).toMatchObject({ status: 'stored', inserted: 1 });
    expect(await feed('/moved-302')).toMatchObject({ url: server.url('/moved-302'), lastStatus: 200, consecutiveFailures: 0, movedTo: null });
  });

  // Two subscriptions converging on one URL (an http → https move, say) must not wedge the
  // second: it keeps its own URL, which still redirects, rather than failing on the unique URL.
  it('stores a feed whose 301 points at a URL another feed already has, keeping its own URL', async () => {
    expect(report('/dup-301')).toMatchObject({ status: 'stored', error: null });
    expect(await feed('/dup-301')).toMatchObject({
      url: server.url('/dup-301'), movedTo: server.url('/world-wire.rss'), lastStatus: 200, lastError: null, consecutiveFailures: 0,
    });
  });

  // The first failure backs off min·(1 ± 25% jitter), never below the minimum interval.
  const backoffRange = (failures: number) => {
    const base = INGEST.minIntervalMinutes * 2 ** (failures - 1);
    return [Math.max(base * 0.75, INGEST.minIntervalMinutes), base * 1.25];
  };

  it.each([
    ['/broken.rss', 'parse', 200, /not well-formed XML/],
    ['/bomb', 'too-large', null, /body over 262144 bytes/],
    ['/too-large', 'too-large', null, /body over 262144 bytes/],
    ['/too-large-chunked', 'too-large', null, /body over 262144 bytes/],
    ['/drip', 'timeout', null, /within 1500 ms/],
    ['/reset', 'network', null, /\/reset/],
    ['/500', 'http', 500, /HTTP 500/],
    ['/loop-a', 'redirect', null, /redirect loop/],
  ])('records %s as a %s failure and backs off', async (path, kind, httpStatus, message) => {
    expect(report(path)).toMatchObject({ status: 'error', inserted: 0, error: { kind } });
    const stored = await feed(path);
    expect(stored).toMatchObject({
      lastStatus: httpStatus, consecutiveFailures: 1, disabled: false, itemCount: 0,
      lastFetchedAt: firstRunAt.toISOString(),
      lastError: { kind, message: expect.stringMatching(message) },
    });
    const [earliest, latest] = backoffRange(1);
    const waitMinutes = (Date.parse(stored.nextFetchAt!) - firstRunAt.getTime()) / MINUTE;
    expect(waitMinutes).toBeGreaterThanOrEqual(earliest!);
    expect(waitMinutes).toBeLessThanOrEqual(latest!);
  });

  it('honours Retry-After on a 429 in next_fetch_at', async () => {
    expect(report('/429')).toMatchObject({ status: 'error', error: { kind: 'rate-limited', httpStatus: 429 } });
    expect(await feed('/429')).toMatchObject({
      lastStatus: 429, consecutiveFailures: 1, disabled: false,
      lastError: { kind: 'rate-limited' },
      nextFetchAt: minutesAfter(firstRunAt, RETRY_AFTER_SECONDS / 60),
    });
  });

  it('disables a feed that answers 410 Gone, and the next due list leaves it out', async () => {
    expect(await feed('/410')).toMatchObject({
      lastStatus: 410, disabled: true, consecutiveFailures: 1, lastError: { kind: 'gone' },
      nextFetchAt: minutesAfter(firstRunAt, INGEST.maxBackoffMinutes),
    });
    const dueLongAfter = await core.store.dueFeeds(new Date(firstRunAt.getTime() + 10 * INGEST.maxBackoffMinutes * MINUTE));
    expect(dueLongAfter.map((f) => f.id)).not.toContain(feedIds.get('/410'));
    expect(dueLongAfter.map((f) => f.id)).toContain(feedIds.get('/500'));
  });

  it('matched the good feeds against the topics in the same pass', async () => {
    const nato = await core.store.listItems({ topicSlug: 'nato', limit: 50 });
    expect(nato.map((item) => item.title)).toContain('NATO, Russia consider joint missile defence plan');
  });

  describe('a second pass over the unchanged feeds', () => {
    const secondRunAt = new Date(firstRunAt.getTime() + 2 * 60 * MINUTE);
    let secondPass: RefreshReport[];
    let requestsBefore: number;
    let changedAtBefore: string[];
    const SECOND = ['/world-wire.rss', '/eastern-desk.atom', '/briefs.json', '/moved-301'];

    beforeAll(async () => {
      clock.now = secondRunAt;
      requestsBefore = server.requests.length;
      changedAtBefore = core.store.db.prepare('SELECT changed_at FROM items ORDER BY id').pluck().all() as string[];
      const feeds = await Promise.all(SECOND.map(feed));
      const pass = await core.ingest(feeds);
      if (pass.status !== 'done') throw new Error('ingest was busy');
      secondPass = pass.reports;
    });

    const requestFor = (path: string) => server.requests.slice(requestsBefore).find((r) => r.path === path);

    it('sends If-None-Match to the server that gave an ETag and gets not-modified', async () => {
      expect(requestFor('/world-wire.rss')?.headers['if-none-match']).toBe(WORLD_WIRE_ETAG);
      expect(secondPass.find((r) => r.feedId === feedIds.get('/world-wire.rss'))).toMatchObject({ status: 'not-modified', inserted: 0 });
      expect(await feed('/world-wire.rss')).toMatchObject({
        lastStatus: 304, lastError: null, consecutiveFailures: 0, etag: WORLD_WIRE_ETAG, itemCount: 4,
        lastFetchedAt: secondRunAt.toISOString(),
        nextFetchAt: minutesAfter(secondRunAt, INGEST.maxIntervalMinutes),
      });
    });

    it('sends If-Modified-Since to the server that gave only Last-Modified and gets not-modified', async () => {
      const request = requestFor('/eastern-desk.atom');
      expect(request?.headers['if-modified-since']).toBe(EASTERN_DESK_MODIFIED);
      expect(request?.headers['if-none-match']).toBeUndefined();
      expect(secondPass.find((r) => r.feedId === feedIds.get('/eastern-desk.atom'))).toMatchObject({ status: 'not-modified' });
      expect(await feed('/eastern-desk.atom')).toMatchObject({ lastStatus: 304, lastModified: EASTERN_DESK_MODIFIED });
    });

    it('recognises the same bytes from a server without validators by their hash and parses nothing', async () => {
      const request = requestFor('/briefs.json');
      expect(request?.headers['if-none-match']).toBeUndefined();
      expect(request?.headers['if-modified-since']).toBeUndefined();
      expect(secondPass.find((r) => r.feedId === feedIds.get('/briefs.json'))).toMatchObject({
        status: 'unchanged-body', inserted: 0, updated: 0, unchanged: 0,
      });
      expect(await feed('/briefs.json')).toMatchObject({ lastStatus: 200, lastFetchedAt: secondRunAt.toISOString(), itemCount: 2 });
    });

    it('goes straight to the URL a 301 moved the feed to', () => {
      expect(requestFor('/moved-301')).toBeUndefined();
      expect(requestFor('/new-301')).toBeDefined();
      expect(secondPass.find((r) => r.feedId === feedIds.get('/moved-301'))).toMatchObject({ status: 'unchanged-body' });
    });

    it('rewrites no stored item', () => {
      expect(core.store.db.prepare('SELECT changed_at FROM items ORDER BY id').pluck().all()).toEqual(changedAtBefore);
    });
  });
});

const GUARDED_LIMITS = testFetchLimits({ timeoutMs: 1500, connectTimeoutMs: 1000, maxBytes: 256 * 1024, allowPrivateAddresses: false });

// The pipeline takes its fetcher from fetch.ts with the production guard, so loopback feeds can
// only be refused there. Redirects that leave a permitted host for a private one are therefore
// checked at the fetch level, with a policy that permits exactly one loopback address.
describe('redirects into private address space with the guard on', () => {
  const FEED_HOST = '127.0.0.5';
  const fetchGuarded = createFetcher({ isBlocked: (ip) => ip !== FEED_HOST && isBlockedAddress(ip) });
  let target: FaultServer;
  let feedHost: FaultServer;

  beforeAll(async () => {
    target = await startFaultServer({ '/feed': { body: oldRss('Internal', ['secret-1']) } });
    feedHost = await startFaultServer({
      '/feed': { body: oldRss('Public', ['public-1']) },
      '/to-loopback': { redirect: { to: target.url('/feed'), status: 302 } },
      '/to-loopback-301': { redirect: { to: target.url('/feed'), status: 301 } },
      '/to-metadata': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 302 } },
      '/to-metadata-308': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 308 } },
    }, { host: FEED_HOST });
  });
  afterAll(async () => {
    await feedHost.close();
    await target.close();
  });

  it('fetches from the permitted host', async () => {
    expect(await fetchGuarded(feedHost.url('/feed'), { etag: null, lastModified: null }, GUARDED_LIMITS)).toMatchObject({ status: 'ok' });
  });

  it.each([
    ['/to-loopback', '127.0.0.1'],
    ['/to-loopback-301', '127.0.0.1'],
    ['/to-metadata', '169.254.169.254'],
    ['/to-metadata-308', '169.254.169.254'],
  ])('refuses %s to %s without connecting, and keeps no new URL', async (path, address) => {
    const connections = target.connections();
    const outcome = await fetchGuarded(feedHost.url(path), { etag: null, lastModified: null }, GUARDED_LIMITS);
    expect(outcome).toMatchObject({
      status: 'error',
      error: { kind: 'blocked-address', message: expect.stringContaining(`${address} is a blocked address`) },
      permanentUrl: null,
    });
    expect(target.connections()).toBe(connections);
  });
});

describe('an ingest pass with allowPrivateAddresses false', () => {
  let server: FaultServer;
  let dir: string;
  let core: Core;
  const clock = { now: new Date('2026-11-24T12:00:00.000Z') };

  beforeAll(async () => {
    server = await startFaultServer({
      '/feed': { body: oldRss('Loopback', ['l-1']) },
      '/to-metadata': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 301 } },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-guard-'));
    const port = new URL(server.origin).port;
    const feeds = [
      { url: server.url('/feed') },
      { url: server.url('/to-metadata') },
      { url: `http://localhost:${port}/feed` },
      { url: 'http://169.254.169.254/latest/meta-data/' },
      { url: `http://[::1]:${port}/feed` },
    ];
    core = await openTestCore(dir, feeds, { ...INGEST, allowPrivateAddresses: false }, clock);
  });
  afterAll(async () => {
    await core?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every feed as blocked-address and never reaches the server', async () => {
    const pass = await core.ingest();
    expect(pass.status).toBe('done');
    const feeds = await core.store.listFeeds();
    expect(feeds).toHaveLength(5);
    for (const stored of feeds) {
      expect(stored, stored.url).toMatchObject({
        lastError: { kind: 'blocked-address' }, consecutiveFailures: 1, itemCount: 0, disabled: false,
      });
    }
    // A refused permanent redirect moves nothing.
    expect(feeds.find((f) => f.url.endsWith('/to-metadata'))).toBeDefined();
    expect(server.connections()).toBe(0);
  });
});

describe('a config file\'s feed that moved by a 301, over restarts', () => {
  let server: FaultServer;
  let dir: string;
  const clock = { now: new Date('2026-11-24T12:00:00.000Z') };

  beforeAll(async () => {
    server = await startFaultServer({
      '/old.rss': { redirect: { to: '/new.rss', status: 301 } },
      '/new.rss': { body: oldRss('Moved Desk', ['desk-1', 'desk-2']) },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-moved-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One start of the service: the file mirrored, one pass, then stopped. */
  const start = async (path: string) => {
    const core = await openTestCore(dir, [{ url: server.url(path) }], INGEST, clock);
    try {
      const pass = await core.ingest(await core.store.listFeeds());
      if (pass.status !== 'done') throw new Error('ingest was busy');
      const ids = core.store.db.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
      const feeds = (await core.store.listFeeds()).map(({ id, url, movedTo, itemCount }) => ({ id, url, movedTo, itemCount }));
      return { feeds, ids, inserted: pass.reports[0]!.inserted };
    } finally {
      await core.close();
    }
  };

  it('keeps the feed and its items at each start with the same file, and when the file takes the new URL', async () => {
    const first = await start('/old.rss');
    expect(first.feeds).toEqual([{ id: expect.any(Number), url: server.url('/old.rss'), movedTo: server.url('/new.rss'), itemCount: 2 }]);
    expect(first.inserted).toBe(2);

    const again = await start('/old.rss');
    expect(again.feeds).toEqual(first.feeds);
    expect(again.ids).toEqual(first.ids);
    expect(again.inserted).toBe(0);

    const followed = await start('/new.rss');
    expect(followed.feeds).toEqual([{ id: first.feeds[0]!.id, url: server.url('/new.rss'), movedTo: null, itemCount: 2 }]);
    expect(followed.ids).toEqual(first.ids);
    expect(followed.inserted).toBe(0);
  });
});
