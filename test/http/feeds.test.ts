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
import { createSearchBudget } from '../../src/http/search-budget.js';
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
  intervalMinutes: number | null;
  disabled: boolean;
  itemCount: number;
  status: {
    lastFetchedAt: string | null;
    httpStatus: number | null;
    ok: boolean;
    error: { kind: string; message: string } | null;
    consecutiveFailures: number;
    nextFetchAt: string | null;
    movedTo: string | null;
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
      '/moved.rss': { redirect: { to: '/moved-here.rss', status: 301 } },
      '/moved-here.rss': { body: rssDocument('Moved Desk', ['one', 'two'].map((n) => ({ guid: `moved-${n}`, title: `Moved story ${n}`, publishedAt: new Date('2026-01-01T00:00:00Z') }))) },
    });
    const feeds = ['/world.rss', '/down.rss', '/gone.rss', '/moved.rss'].map((path) => ({ url: origin.url(path) }));
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

  it('shows where a config file\'s feed moved by a 301, since its URL is the file\'s to change', async () => {
    const moved = (await service.core.store.listFeeds())[3]!;
    expect(await getFeed(moved.id)).toMatchObject({
      url: origin.url('/moved.rss'), itemCount: 2,
      status: { ok: true, httpStatus: 200, movedTo: origin.url('/moved-here.rss') },
    });
    expect((await getFeed((await service.core.store.listFeeds())[0]!.id)).status.movedTo).toBeNull();
  });

  it('lists every feed with the same status object', async () => {
    const { feeds } = (await (await service.get('/api/feeds')).json()) as { feeds: FeedJson[] };
    expect(feeds.map((f) => f.url)).toEqual(['/world.rss', '/down.rss', '/gone.rss', '/moved.rss'].map((path) => origin.url(path)));
    expect(feeds[1]!.status.consecutiveFailures).toBe(1);
  });

  it('lists the feeds in one state, each feed naming its own', async () => {
    const urlsIn = async (state: string) => {
      const res = await service.get(`/api/feeds?state=${state}`);
      expect(res.status).toBe(200);
      const { feeds } = (await res.json()) as { feeds: (FeedJson & { state: string })[] };
      for (const feed of feeds) expect(feed.state).toBe(state);
      return feeds.map((feed) => feed.url);
    };
    expect(await urlsIn('ok')).toEqual(['/world.rss', '/moved.rss'].map((path) => origin.url(path)));
    expect(await urlsIn('failing')).toEqual([origin.url('/down.rss')]);
    expect(await urlsIn('disabled')).toEqual([origin.url('/gone.rss')]);
    expect(await urlsIn('waiting')).toEqual([]);
    for (const bad of ['state=broken', 'state=ok&state=failing', 'status=ok']) {
      const res = await service.get(`/api/feeds?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as Problem).detail, bad).toMatch(/^invalid query: /);
    }
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
    const everything = async () => (await (await service.get('/feeds/all.json')).json()) as { items: { _feedsieve: { source: { feed_title: string } } }[] };
    // Rendered and kept, as a reader's poll leaves it.
    expect((await everything()).items.filter((i) => i._feedsieve.source.feed_title === 'Briefs')).toHaveLength(2);

    const deleted = await remove(added.id);
    expect(deleted.status).toBe(204);
    // Its items are gone from the pages at once, not at the next ingest.
    expect((await everything()).items.filter((i) => i._feedsieve.source.feed_title === 'Briefs')).toHaveLength(0);
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
      baseUrl: 'http://127.0.0.1', adminToken: TOKEN, readToken: null, websubHub: null, hub: null, websub: null, maxFeedBytes: 1_000_000, corsOrigins: [],
      searchBudget: createSearchBudget(250), trustProxy: false, feedMaxAgeSeconds: 900, metrics: null,
      scheduler: () => ({ alive: true, lastTickAt: null }),
      onTopicChanged: async () => undefined,
      onFeedsDue: () => void duePasses++,
      onFeedChanged: async () => undefined,
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
      '/steady.rss': { body: rss('steady') },
      '/titled.rss': { body: rss('titled') },
      '/quick.rss': { body: rss('quick') },
      // Found by the discovery of its adding, then gone at the first fetch, then back.
      '/revived.rss': ({ hit }) => (hit === 2 ? { status: 410 } : { body: rss('revived') }),
      '/old-home.rss': { body: rss('home'), headers: { etag: '"old-home-1"', 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT' } },
      '/new-home.rss': { body: rss('home') },
      // Quick to add and to fetch first; from then on, slow enough to be moved while being read.
      '/slow-old.rss': ({ hit }) => ({ body: rss('old place'), headers: { etag: '"old-place-1"' }, ...(hit > 2 ? { delayMs: 800 } : {}) }),
      '/new-place.rss': { body: rss('old place') },
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

  /** Adds a feed over HTTP and waits for its first fetch, which the adding starts. */
  const subscribe = async (path: string, title?: string): Promise<FeedJson> => {
    const res = await send('POST', '/api/feeds', { url: origin.url(path), ...(title ? { title } : {}) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as FeedJson;
    expect(await waitUntil(async () => (await core.store.getFeed(id))?.lastFetchedAt !== null)).toBe(true);
    return feedOf(id);
  };
  const feedOf = async (id: number) => (await (await fetch(`${base}/api/feeds/${id}`)).json()) as FeedJson;
  const fetchedAgain = (feed: FeedJson) =>
    waitUntil(async () => (await core.store.getFeed(feed.id))?.lastFetchedAt !== feed.status.lastFetchedAt);

  it('refreshes a feed at once when asked, though its next fetch was an hour away', async () => {
    const steady = await subscribe('/steady.rss');
    expect(Date.parse(steady.status.nextFetchAt!)).toBeGreaterThan(Date.now() + 10 * 60_000);
    const hits = origin.hits('/steady.rss');

    const before = Date.now();
    const res = await send('POST', `/api/feeds/${steady.id}/refresh`);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/feeds/${steady.id}`);
    const queued = (await res.json()) as FeedJson;
    expect(Date.parse(queued.status.nextFetchAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(queued.status.nextFetchAt!)).toBeLessThanOrEqual(Date.now());

    expect(await fetchedAgain(steady)).toBe(true);
    expect(origin.hits('/steady.rss')).toBe(hits + 1);
    const after = await feedOf(steady.id);
    expect(after).toMatchObject({ itemCount: 1, status: { ok: true, consecutiveFailures: 0 } });
    expect(Date.parse(after.status.nextFetchAt!)).toBeGreaterThan(Date.now() + 10 * 60_000);
  });

  it('enables a feed a 410 disabled, forgetting its failures, and fetches it at once; a refresh before says how', async () => {
    const res = await send('POST', '/api/feeds', { url: origin.url('/revived.rss') });
    const { id } = (await res.json()) as FeedJson;
    expect(await waitUntil(async () => (await core.store.getFeed(id))?.disabled === true)).toBe(true);
    const gone = await feedOf(id);
    expect(gone).toMatchObject({ disabled: true, itemCount: 0, status: { httpStatus: 410, consecutiveFailures: 1 } });

    const refused = await send('POST', `/api/feeds/${id}/refresh`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Problem).detail).toBe(
      `feed ${id} is disabled: enable it with PATCH /api/feeds/${id} {"disabled": false}, which also fetches it`);
    expect(origin.hits('/revived.rss')).toBe(2);

    const enabled = await send('PATCH', `/api/feeds/${id}`, { disabled: false });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ disabled: false, status: { consecutiveFailures: 0 } });
    expect(await fetchedAgain(gone)).toBe(true);
    expect(await feedOf(id)).toMatchObject({ disabled: false, itemCount: 1, status: { ok: true, httpStatus: 200, error: null } });
  });

  it('moves a feed to a new URL: its items kept, the old server\'s validators not sent to the new one, fetched at once', async () => {
    const home = await subscribe('/old-home.rss');
    expect(home.itemCount).toBe(1);
    expect((await core.store.getFeed(home.id))?.etag).toBe('"old-home-1"');
    const [item] = ((await (await fetch(`${base}/api/items?feed=${home.id}`)).json()) as { items: { id: number }[] }).items;

    const res = await send('PATCH', `/api/feeds/${home.id}`, { url: origin.url('/new-home.rss') });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: home.id, url: origin.url('/new-home.rss'), itemCount: 1 });
    expect(await fetchedAgain(home)).toBe(true);

    const fetches = origin.requests.filter((r) => r.path === '/new-home.rss');
    // The first read is the discovery's check of the address; the second is the fetch.
    expect(fetches).toHaveLength(2);
    expect(fetches[1]!.headers['if-none-match']).toBeUndefined();
    expect(fetches[1]!.headers['if-modified-since']).toBeUndefined();
    const moved = await feedOf(home.id);
    expect(moved).toMatchObject({ url: origin.url('/new-home.rss'), itemCount: 1, status: { ok: true, httpStatus: 200 } });
    const { items } = (await (await fetch(`${base}/api/items?feed=${home.id}`)).json()) as { items: { id: number }[] };
    expect(items.map((i) => i.id)).toEqual([item!.id]);
  });

  it('fetches a feed moved while its old address was being read at its new one at once, without the old server\'s ETag', async () => {
    const old = await subscribe('/slow-old.rss');
    expect((await core.store.getFeed(old.id))?.etag).toBe('"old-place-1"');
    expect((await send('POST', `/api/feeds/${old.id}/refresh`)).status).toBe(202);
    expect(await waitUntil(() => origin.hits('/slow-old.rss') === 3)).toBe(true);
    const moved = await send('PATCH', `/api/feeds/${old.id}`, { url: origin.url('/new-place.rss') });
    expect(moved.status).toBe(200);
    // Read once to check it is a feed, then fetched when the pass that was reading the old one ends.
    expect(await waitUntil(() => origin.hits('/new-place.rss') === 2)).toBe(true);
    const fetch = origin.requests.filter((r) => r.path === '/new-place.rss')[1]!;
    expect(fetch.headers['if-none-match']).toBeUndefined();
    expect(await waitUntil(async () => (await core.store.getFeed(old.id))?.lastStatus === 200
      && (await core.store.getFeed(old.id))?.etag === null)).toBe(true);
    expect(await feedOf(old.id)).toMatchObject({ url: origin.url('/new-place.rss'), itemCount: 1 });
  });

  it('sets an added feed\'s title, and gives it back the title the feed gives itself on null', async () => {
    const titled = await subscribe('/titled.rss', 'Desk notes');
    expect(titled.title).toBe('Desk notes');
    const sources = async () => ((await (await fetch(`${base}/feeds/all.json`)).json()) as { items: { title: string; _feedsieve: { source: { feed_title: string } } }[] })
      .items.filter((i) => i.title === 'titled story').map((i) => i._feedsieve.source.feed_title);
    expect(await sources()).toEqual(['Desk notes']);
    const renamed = await send('PATCH', `/api/feeds/${titled.id}`, { title: 'Morning desk' });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as FeedJson).title).toBe('Morning desk');
    // The pages name the new title at once.
    expect(await sources()).toEqual(['Morning desk']);
    const cleared = await send('PATCH', `/api/feeds/${titled.id}`, { title: null });
    expect(((await cleared.json()) as FeedJson).title).toBe('titled');
    expect(await sources()).toEqual(['titled']);
    // A title alone changes no schedule.
    expect((await feedOf(titled.id)).status.nextFetchAt).toBe(titled.status.nextFetchAt);
  });

  it('fetches a feed on the interval set for it, pulls its next fetch in when the interval shortens, and goes back to its own rate', async () => {
    const res = await send('POST', '/api/feeds', { url: origin.url('/quick.rss'), intervalMinutes: 5 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as FeedJson;
    expect(await waitUntil(async () => (await core.store.getFeed(id))?.lastFetchedAt !== null)).toBe(true);
    const quick = await feedOf(id);
    const minutesToNext = (feed: FeedJson) => (Date.parse(feed.status.nextFetchAt!) - Date.parse(feed.status.lastFetchedAt!)) / 60_000;
    expect(quick.intervalMinutes).toBe(5);
    expect(minutesToNext(quick)).toBeCloseTo(5, 1);

    // Its own rate (an entry from January) puts the next fetch a day away; 30 minutes brings it in.
    expect((await send('PATCH', `/api/feeds/${id}`, { intervalMinutes: null })).status).toBe(200);
    await send('POST', `/api/feeds/${id}/refresh`);
    expect(await fetchedAgain(quick)).toBe(true);
    const adaptive = await feedOf(id);
    expect(adaptive.intervalMinutes).toBeNull();
    expect(minutesToNext(adaptive)).toBeCloseTo(1440, 0);
    const before = Date.now();
    const shortened = (await (await send('PATCH', `/api/feeds/${id}`, { intervalMinutes: 30 })).json()) as FeedJson;
    expect(shortened.intervalMinutes).toBe(30);
    expect(Date.parse(shortened.status.nextFetchAt!)).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
    expect(Date.parse(shortened.status.nextFetchAt!)).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    // A longer one leaves a nearer fetch where it is.
    const lengthened = (await (await send('PATCH', `/api/feeds/${id}`, { intervalMinutes: 120 })).json()) as FeedJson;
    expect(lengthened.status.nextFetchAt).toBe(shortened.status.nextFetchAt);
  });

  it('leaves a disabled feed out of every pass, its items kept, and takes it back when enabled', async () => {
    const steady = (await core.store.getFeedByUrl(origin.url('/steady.rss')))!;
    const res = await send('PATCH', `/api/feeds/${steady.id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ disabled: true, itemCount: 1 });
    // Due an hour ago, and a pass runs (another feed's refresh): the disabled feed is not fetched.
    core.store.db.prepare('UPDATE feeds SET next_fetch_at = ? WHERE id = ?').run(new Date(Date.now() - 3_600_000).toISOString(), steady.id);
    const titled = (await core.store.getFeedByUrl(origin.url('/titled.rss')))!;
    const hits = origin.hits('/steady.rss');
    expect((await send('POST', `/api/feeds/${titled.id}/refresh`)).status).toBe(202);
    expect(await waitUntil(async () => (await core.store.getFeed(titled.id))?.lastFetchedAt !== titled.lastFetchedAt)).toBe(true);
    expect(origin.hits('/steady.rss')).toBe(hits);
    expect((await feedOf(steady.id)).itemCount).toBe(1);

    expect((await send('PATCH', `/api/feeds/${steady.id}`, { disabled: false })).status).toBe(200);
    expect(await waitUntil(() => origin.hits('/steady.rss') === hits + 1)).toBe(true);
  });

  it('lets the config file keep a config feed\'s URL, title and place, and still disables and enables it', async () => {
    const slow = (await core.store.getFeedByUrl(origin.url('/slow.rss')))!;
    for (const [body, field] of [[{ title: 'Slow desk' }, 'title'], [{ url: origin.url('/elsewhere.rss'), title: 'x' }, 'url and title'],
      [{ intervalMinutes: 5 }, 'intervalMinutes'], [{ url: origin.url('/elsewhere.rss'), title: 'x', intervalMinutes: 5 }, 'url, title and intervalMinutes']] as const) {
      const res = await send('PATCH', `/api/feeds/${slow.id}`, body);
      expect(res.status).toBe(409);
      expect(((await res.json()) as Problem).detail).toBe(`feed ${slow.id} comes from the config file: change its ${field} there, then reload serve (SIGHUP)`);
    }
    const removed = await send('DELETE', `/api/feeds/${slow.id}`);
    expect(removed.status).toBe(409);
    expect(((await removed.json()) as Problem).detail).toBe(`feed ${slow.id} comes from the config file: remove it there, then reload serve (SIGHUP)`);
    expect(await core.store.getFeed(slow.id)).toEqual(slow);
    // Its own URL sent back is no change.
    const same = await send('PATCH', `/api/feeds/${slow.id}`, { url: slow.url, disabled: true });
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ url: slow.url, origin: 'config', disabled: true });
    expect((await send('PATCH', `/api/feeds/${slow.id}`, { disabled: false })).status).toBe(200);
    expect((await core.store.getFeed(slow.id))?.disabled).toBe(false);
  });

  it.each<[string, string, string, unknown, Record<string, string>, number, RegExp]>([
    ['an empty change', 'PATCH', 'steady', {}, auth, 400, /give at least one of url, title, intervalMinutes and disabled/],
    ['an interval of 0', 'PATCH', 'steady', { intervalMinutes: 0 }, auth, 400, /body\.intervalMinutes/],
    ['an interval over a week', 'PATCH', 'steady', { intervalMinutes: 10_081 }, auth, 400, /body\.intervalMinutes/],
    ['an interval in words', 'PATCH', 'steady', { intervalMinutes: 'five' }, auth, 400, /body\.intervalMinutes/],
    ['no body at all', 'PATCH', 'steady', undefined, { authorization: auth.authorization }, 400, /^invalid body: body: must be a JSON object$/],
    ['a file: URL', 'PATCH', 'steady', { url: 'file:///etc/passwd' }, auth, 400, /body\.url: must be an http or https URL/],
    ['an unknown field', 'PATCH', 'steady', { colour: 'red' }, auth, 400, /colour/],
    ['an empty title', 'PATCH', 'steady', { title: '' }, auth, 400, /body\.title/],
    ['disabled as a string', 'PATCH', 'steady', { disabled: 'yes' }, auth, 400, /body\.disabled/],
    ['another feed\'s URL', 'PATCH', 'steady', { url: 'titled' }, auth, 409, /already exists/],
    ['an unknown feed', 'PATCH', '9999', { title: 'x' }, auth, 404, /no feed 9999/],
    ['a malformed id', 'PATCH', 'abc', { title: 'x' }, auth, 400, /feed id must be a positive integer/],
    ['no token', 'PATCH', 'steady', { title: 'x' }, { 'content-type': 'application/json' }, 401, /./],
    ['a refresh of an unknown feed', 'POST', '9999', undefined, auth, 404, /no feed 9999/],
    ['a refresh without a token', 'POST', 'steady', undefined, {}, 401, /./],
  ])('refuses %s', async (_name, method, which, body, headers, status, detail) => {
    const steady = (await core.store.getFeedByUrl(origin.url('/steady.rss')))!;
    const id = which === 'steady' ? steady.id : which;
    const sent = body && typeof body === 'object' && 'url' in body && body.url === 'titled' ? { url: origin.url('/titled.rss') } : body;
    const path = method === 'POST' ? `/api/feeds/${id}/refresh` : `/api/feeds/${id}`;
    const res = await send(method, path, sent, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as Problem).detail).toMatch(detail);
    expect(await core.store.getFeed(steady.id)).toEqual(steady);
  });
});

describe('a service stopping while a feed is being added', () => {
  it('answers the request under way and starts no pass after the stop began', async () => {
    const origin = await startFaultServer({ '/late.rss': { body: rssDocument('late', []), delayMs: 400 } });
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-stopping-'));
    try {
      const config = parseConfig({
        database: 'test.db', server: { host: '127.0.0.1', port: 0 }, feeds: [], topics: [], logLevel: 'silent',
        ingest: { allowPrivateAddresses: true, timeoutMs: 5000, schedule: '0 0 1 1 *' },
      }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: TOKEN });
      const core = await openCore(config, createLogger('silent'));
      const service = await startService(core);
      await service.firstIngest;
      const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
      // The adding reads the URL first (400 ms); the stop begins meanwhile.
      // Connection: close, or the stop would wait out the connection's keep-alive.
      const adding = fetch(`${base}/api/feeds`, {
        method: 'POST', headers: { ...auth, connection: 'close' }, body: JSON.stringify({ url: origin.url('/late.rss') }),
      });
      while (origin.hits('/late.rss') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const stopped = service.stop();
      expect((await adding).status).toBe(201);
      await stopped;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Read once, by the adding: no pass fetched it.
      expect(origin.hits('/late.rss')).toBe(1);
    } finally {
      await origin.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
