// Feed management over HTTP: adding, inspecting and deleting feeds, and adding a web page URL
// that discovery turns into the page's feed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import type { FeedDiscovery } from '../../src/http/feeds.js';
import { discoverFeed } from '../../src/ingest/discover.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import { rssDocument } from '../support/feeds.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { startTestService, type TestService } from '../support/service.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/feeds');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const TOKEN = 'feeds-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface FeedJson {
  id: number;
  url: string;
  title: string | null;
  origin: string;
  disabled: boolean;
  itemCount: number;
  status: {
    lastFetchedAt: string | null;
    httpStatus: number | null;
    ok: boolean;
    error: { kind: string; message: string } | null;
    consecutiveFailures: number;
    nextFetchAt: string | null;
  };
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const pageLinking = (href: string) =>
  `<!DOCTYPE html><html><head><title>Desk</title><link rel="alternate" type="application/rss+xml" href="${href}"></head><body></body></html>`;

describe('feed management', () => {
  let origin: FaultServer;
  let service: TestService;
  const post = (body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${service.baseUrl}/api/feeds`, { method: 'POST', headers, body: JSON.stringify(body) });
  const remove = (id: number | string, headers: Record<string, string> = auth) =>
    fetch(`${service.baseUrl}/api/feeds/${id}`, { method: 'DELETE', headers });
  const getFeed = async (id: number) => (await (await service.get(`/api/feeds/${id}`)).json()) as FeedJson;

  beforeAll(async () => {
    origin = await startFaultServer({
      '/world.rss': { body: fixture('world-wire.rss'), headers: { 'content-type': 'application/rss+xml', etag: '"w1"' } },
      '/briefs.json': { body: fixture('briefs.json'), headers: { 'content-type': 'application/feed+json' } },
      '/down.rss': { status: 503, body: 'maintenance' },
      '/gone.rss': { status: 410 },
    });
    const feeds = ['/world.rss', '/down.rss', '/gone.rss'].map((path) => ({ url: origin.url(path) }));
    service = await startTestService({ feeds, adminToken: TOKEN });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('shows a feed that was never fetched as waiting, with nothing recorded', async () => {
    const [world] = (await service.core.store.listFeeds());
    expect(await getFeed(world!.id)).toMatchObject({
      url: origin.url('/world.rss'), origin: 'config', itemCount: 0,
      status: { lastFetchedAt: null, httpStatus: null, ok: false, error: null, consecutiveFailures: 0, nextFetchAt: null },
    });
  });

  it('shows the fetch status of a good and a failing feed after an ingest pass', async () => {
    const before = Date.now();
    await service.core.ingest();
    const [world, down] = await service.core.store.listFeeds();
    const good = await getFeed(world!.id);
    expect(good).toMatchObject({
      title: 'World Wire', itemCount: 4,
      status: { httpStatus: 200, ok: true, error: null, consecutiveFailures: 0 },
    });
    expect(Date.parse(good.status.lastFetchedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(good.status.nextFetchAt!)).toBeGreaterThan(Date.parse(good.status.lastFetchedAt!));

    const failing = await getFeed(down!.id);
    expect(failing).toMatchObject({
      itemCount: 0,
      status: { httpStatus: 503, ok: false, consecutiveFailures: 1, error: { kind: 'rate-limited', message: expect.stringContaining('HTTP 503') } },
    });
    expect(Date.parse(failing.status.nextFetchAt!)).toBeGreaterThan(Date.parse(failing.status.lastFetchedAt!));
  });

  it('shows a feed that answered 410 as disabled, with the reason', async () => {
    const gone = (await service.core.store.listFeeds())[2]!;
    expect(await getFeed(gone.id)).toMatchObject({
      disabled: true,
      status: { httpStatus: 410, ok: false, consecutiveFailures: 1, error: { kind: 'gone', message: expect.stringContaining('HTTP 410') } },
    });
  });

  it('lists every feed with the same status object', async () => {
    const { feeds } = (await (await service.get('/api/feeds')).json()) as { feeds: FeedJson[] };
    expect(feeds.map((f) => f.url)).toEqual(['/world.rss', '/down.rss', '/gone.rss'].map((path) => origin.url(path)));
    expect(feeds[1]!.status.consecutiveFailures).toBe(1);
  });

  it('adds a feed with the admin token, then shows and deletes it', async () => {
    const res = await post({ url: origin.url('/briefs.json'), title: 'Briefs' });
    expect(res.status).toBe(201);
    const added = (await res.json()) as FeedJson;
    expect(res.headers.get('location')).toBe(`/api/feeds/${added.id}`);
    expect(added).toMatchObject({ url: origin.url('/briefs.json'), title: 'Briefs', origin: 'api', itemCount: 0, status: { lastFetchedAt: null } });

    await service.core.ingest([(await service.core.store.getFeed(added.id))!]);
    expect(await getFeed(added.id)).toMatchObject({ title: 'Briefs', itemCount: 2, status: { ok: true, httpStatus: 200 } });
    expect((await (await service.get(`/api/items?feed=${added.id}`)).json())).toMatchObject({ items: [{}, {}] });

    const deleted = await remove(added.id);
    expect(deleted.status).toBe(204);
    expect((await service.get(`/api/feeds/${added.id}`)).status).toBe(404);
    expect(service.core.store.db.prepare('SELECT count(*) FROM items WHERE feed_id = ?').pluck().get(added.id)).toBe(0);
    expect((await remove(added.id)).status).toBe(404);
  });

  it.each<[string, Record<string, string>, number, RegExp]>([
    ['a duplicate URL', { url: 'duplicate' }, 409, /already exists/],
    ['a file: URL', { url: 'file:///etc/passwd' }, 400, /body\.url: must be an http or https URL/],
    ['a data: URL', { url: 'data:text/plain,hello' }, 400, /body\.url/],
    ['no URL', { title: 'x' }, 400, /body\.url/],
    ['an unknown field', { url: 'https://news.example/feed', colour: 'red' }, 400, /colour/],
  ])('refuses %s with a problem response', async (_name, body, status, detail) => {
    // The origin's port is known only once it listens, so the duplicate is filled in here.
    const res = await post(body.url === 'duplicate' ? { url: origin.url('/world.rss') } : body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as Problem).detail).toMatch(detail);
  });

  it.each([
    ['POST without a token', () => post({ url: 'https://news.example/x' }, { 'content-type': 'application/json' })],
    ['DELETE without a token', () => remove(1, {})],
    ['DELETE with a wrong token', () => remove(1, { authorization: 'Bearer nope' })],
  ])('refuses %s', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(401);
    expect(await service.core.store.getFeed(1)).not.toBeNull();
  });

  it.each([['abc'], ['0'], ['-3']])('answers 400 to the feed id %s', async (id) => {
    expect((await service.get(`/api/feeds/${id}`)).status).toBe(400);
  });
});

describe('adding a web page URL with discovery', () => {
  let origin: FaultServer;
  let dir: string;
  let core: Core;
  let http: Server;
  let base: string;
  let duePasses = 0;
  let guarded: Server;
  let guardedBase: string;

  async function listen(discover: FeedDiscovery): Promise<[Server, string]> {
    const deps = {
      store: core.store, log: core.log, now: () => new Date(),
      baseUrl: 'http://127.0.0.1', adminToken: TOKEN, readToken: null, websubHub: null,
      feedMaxAgeSeconds: 900, metrics: null,
      scheduler: () => ({ alive: true, lastTickAt: null }),
      onTopicChanged: async () => undefined,
      onFeedsDue: () => void duePasses++,
      discover,
    } satisfies AppDeps & { discover: FeedDiscovery };
    const server = createServer(createApp(deps, createFeedCache()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
  }

  const post = (at: string, body: unknown) =>
    fetch(`${at}/api/feeds`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

  beforeAll(async () => {
    origin = await startFaultServer({
      '/world.rss': { body: fixture('world-wire.rss'), headers: { 'content-type': 'application/rss+xml' } },
      '/desk/front': { body: pageLinking('../world.rss'), headers: HTML },
      '/desk/other': { body: pageLinking('/world.rss'), headers: HTML },
      '/plain': { body: '<!DOCTYPE html><html><head><title>No feed</title></head><body>hi</body></html>', headers: HTML },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-discovery-'));
    const config = parseConfig(
      { database: 'test.db', ingest: { allowPrivateAddresses: true, timeoutMs: 2000 }, feeds: [], logLevel: 'silent' },
      join(dir, 'config.json'),
      {},
    );
    core = await openCore(config, createLogger('silent'));
    // What main.ts wires: discovery with the ingest limits, never reading files.
    [http, base] = await listen((url) => discoverFeed(url, { ...core.refreshDeps.fetchLimits, allowFileUrls: false }));
    [guarded, guardedBase] = await listen((url) =>
      discoverFeed(url, { ...core.refreshDeps.fetchLimits, allowPrivateAddresses: false, allowFileUrls: false }));
  });
  afterAll(async () => {
    for (const server of [http, guarded]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await core?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('subscribes to the feed a page links to, resolved against the page URL', async () => {
    const res = await post(base, { url: origin.url('/desk/front') });
    expect(res.status).toBe(201);
    const feed = (await res.json()) as FeedJson;
    expect(feed.url).toBe(origin.url('/world.rss'));
    expect(duePasses).toBe(1);
    expect(await core.store.getFeedByUrl(origin.url('/desk/front'))).toBeNull();

    await core.ingest([(await core.store.getFeed(feed.id))!]);
    const shown = (await (await fetch(`${base}/api/feeds/${feed.id}`)).json()) as FeedJson;
    expect(shown).toMatchObject({ title: 'World Wire', itemCount: 4, status: { ok: true, httpStatus: 200 } });
  });

  it('answers 409 when the page leads to a feed already subscribed', async () => {
    const res = await post(base, { url: origin.url('/desk/other') });
    expect(res.status).toBe(409);
    expect(((await res.json()) as Problem).detail).toContain(origin.url('/world.rss'));
  });

  it('answers 422 with a clear detail for a page that links to no feed', async () => {
    const res = await post(base, { url: origin.url('/plain') });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as Problem;
    expect(problem).toMatchObject({ status: 422, title: 'Unprocessable Content' });
    expect(problem.detail).toBe(`no feed found: ${origin.url('/plain')} is a web page with no <link rel="alternate"> to an RSS, Atom or JSON feed`);
    expect(await core.store.getFeedByUrl(origin.url('/plain'))).toBeNull();
  });

  it('answers 422 for a URL that cannot be fetched', async () => {
    const res = await post(base, { url: origin.url('/nothing-here') });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).detail).toMatch(/HTTP 404/);
  });

  it('keeps a password in the posted URL out of the problem response', async () => {
    const withPassword = origin.url('/plain').replace('http://', 'http://reader:s3cret-pass@');
    const res = await post(base, { url: withPassword });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).not.toContain('s3cret-pass');
    expect(text).toContain(origin.url('/plain'));
  });

  it('answers 400 to a file: URL without reading anything', async () => {
    const res = await post(base, { url: 'file:///etc/passwd' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).detail).toMatch(/body\.url/);
  });

  it('goes through the address guard: a loopback page is refused without a connection', async () => {
    const connections = origin.connections();
    const res = await post(guardedBase, { url: origin.url('/desk/front') });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).detail).toContain('127.0.0.1 is a blocked address');
    expect(origin.connections()).toBe(connections);
  });
});

describe('a running service fetches the feeds made due out of schedule', () => {
  let origin: FaultServer;
  let dir: string;
  let core: Core;
  let service: Service;
  let base: string;
  const rss = (title: string) =>
    rssDocument(title, [{ guid: `${title}-1`, title: `${title} story`, publishedAt: new Date('2026-01-01T00:00:00Z') }]);
  const waitUntil = async (done: () => boolean | Promise<boolean>, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await done()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return done();
  };
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) =>
    fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  beforeAll(async () => {
    origin = await startFaultServer({
      // Slow enough that the start-up pass is still under way when the test adds a feed.
      '/slow.rss': { body: rss('slow'), delayMs: 1500 },
      '/added.rss': { body: rss('added') },
    });
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-due-'));
    const config = parseConfig(
      {
        database: 'test.db',
        server: { host: '127.0.0.1', port: 0 },
        // A tick once a year: anything fetched during the test was fetched out of schedule.
        ingest: { allowPrivateAddresses: true, timeoutMs: 5000, schedule: '0 0 1 1 *' },
        feeds: [{ url: origin.url('/slow.rss') }],
        topics: [],
        logLevel: 'silent',
      },
      join(dir, 'config.json'),
      { FEEDSIEVE_ADMIN_TOKEN: TOKEN },
    );
    core = await openCore(config, createLogger('silent'));
    service = await startService(core);
    base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await service?.stop();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fetches a feed added while a pass is under way as soon as that pass ends, not at the next tick', async () => {
    expect(await waitUntil(() => origin.hits('/slow.rss') === 1)).toBe(true);
    const res = await send('POST', '/api/feeds', { url: origin.url('/added.rss') });
    expect(res.status).toBe(201);
    const added = (await res.json()) as FeedJson;
    // Adding it read it once, to find the feed; the pass under way listed its feeds before it existed.
    expect(origin.hits('/added.rss')).toBe(1);
    expect(added.status.lastFetchedAt).toBeNull();
    await service.firstIngest;
    expect(await waitUntil(async () => (await core.store.getFeed(added.id))?.itemCount === 1)).toBe(true);
    expect(origin.hits('/added.rss')).toBe(2);
    // Only what was due: the slow feed was fetched once, by the start-up pass.
    expect(origin.hits('/slow.rss')).toBe(1);
  });
});
