import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/http/deps.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { feedLane } from '../../src/http/feed-lane.js';
import { feedRenderer } from '../../src/http/feed-render.js';
import { feedCacheKey } from '../../src/http/feed-response.js';
import { createLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/index.js';
import { logLines } from '../support/log-lines.js';

const BODY = Buffer.from('<rss version="2.0"><channel><title>NATO</title></channel></rss>');
// As a render leaves it: in the pieces it was put together from.
const PARTS = [BODY.subarray(0, 18), BODY.subarray(18, 40), BODY.subarray(40)];
const DIGEST = createHash('sha256').update(BODY).digest();

let server: Server | null = null;
let store: Store | null = null;
let dir: string | null = null;
afterEach(async () => {
  server?.close();
  server = null;
  await store?.close().catch(() => {});
  store = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/**
 * A real server whose listener is the lane, falling through to a handler that answers 418, so
 * every response says which of the two answered it. The store is a real one in a temporary file,
 * holding one topic, nato, and no items; only the lane's and the renderer's fields of AppDeps are set.
 */
async function start(options: { readToken?: string; adminToken?: string } = {}) {
  const { lines, stream } = logLines();
  dir = mkdtempSync(join(tmpdir(), 'feedsieve-lane-'));
  store = openStore(join(dir, 'lane.db'));
  await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'config', pinned: false }, new Date('2026-11-20T09:00:00Z'));
  const cache = createFeedCache();
  const deps = {
    store,
    log: createLogger('info', stream),
    metrics: null,
    baseUrl: 'http://feeds.example',
    websubHub: null,
    readToken: options.readToken ?? null,
    adminToken: options.adminToken ?? null,
    feedMaxAgeSeconds: 900,
  } as Partial<AppDeps> as AppDeps;
  const lane = feedLane(deps, feedRenderer(deps, cache));
  server = createServer((req, res) => {
    const toApp = () => void res.writeHead(418).end('app');
    if (!lane(req, res, toApp)) toApp();
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const put = (scope: string, path: string, format: 'rss' | 'atom' | 'json') =>
    cache.set(scope, feedCacheKey(path, format, { limit: 50 }), { parts: PARTS, digest: DIGEST, lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml; charset=utf-8' });
  return { base, cache, put, lines, store };
}

describe('the feed lane', () => {
  it('answers a cached topic feed and the combined feed with their headers, HEAD and 304 included', async () => {
    const { base, put, lines } = await start();
    const feed = put('nato', '/topics/nato', 'rss');
    put('*', '/feeds/all', 'rss');
    const res = await fetch(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
    expect(res.headers.get('etag')).toBe(feed.etag);
    expect(res.headers.get('last-modified')).toBe('Fri, 20 Nov 2026 10:00:00 GMT');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('cache-control')).toBe('public, max-age=900');
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    expect((await fetch(`${base}/feeds/all.rss`)).status).toBe(200);
    const head = await fetch(`${base}/topics/nato.rss`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect([head.status, Number(head.headers.get('content-length')), await head.text()]).toEqual([200, BODY.length, '']);
    const again = await fetch(`${base}/topics/nato.rss`, { headers: { 'if-none-match': feed.etag } });
    expect([again.status, await again.text()]).toEqual([304, '']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status])).toEqual([
      ['/topics/nato.rss', 200], ['/feeds/all.rss', 200], ['/topics/nato.rss', 200], ['/topics/nato.rss', 304],
    ]);
  });

  it('answers the same bytes from the pieces the first time and joined every time after, compressed or not', async () => {
    const { base, put } = await start();
    const feed = put('nato', '/topics/nato', 'rss');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': 'identity' } });
      expect(Number(res.headers.get('content-length'))).toBe(BODY.length);
      expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
      expect(feed.joined === null).toBe(i === 0);
    }
    const gzipped = await fetch(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(BODY)).toBe(true); // fetch decodes it
  });

  it('renders a first page the cache does not hold, and leaves the rest to the app', async () => {
    const { base, put, cache } = await start();
    put('nato', '/topics/nato', 'rss');
    const answeredBy = async (path: string, init: RequestInit = {}) => ((await fetch(`${base}${path}`, init)).status === 418 ? 'app' : 'lane');
    expect(await answeredBy('/topics/nato.rss')).toBe('lane');
    expect(await answeredBy('/topics/nato.atom')).toBe('lane'); // rendered here
    expect(cache.get('nato', feedCacheKey('/topics/nato', 'atom', { limit: 50 }))).not.toBeNull();
    expect(await answeredBy('/feeds/all.json')).toBe('lane');
    expect(await answeredBy('/topics/other.rss')).toBe('app'); // no such topic: the app's 404
    expect(await answeredBy('/topics/nato.rss?limit=5')).toBe('app');
    expect(await answeredBy('/topics/nato.xml')).toBe('app');
    expect(await answeredBy('/topics/nato.rss/')).toBe('app');
    expect(await answeredBy('/topics/n%61to.rss')).toBe('app');
    expect(await answeredBy('/feeds/other.rss')).toBe('app');
    expect(await answeredBy('/topics/nato.rss', { method: 'POST' })).toBe('app');
    cache.invalidate(['nato']);
    expect(await answeredBy('/topics/nato.rss')).toBe('lane');
  });

  it('renders the page it answers from the store, and hands a failed render to the app', async () => {
    const { base, store: opened, lines } = await start();
    const res = await fetch(`${base}/topics/nato.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('atom');
    const body = await res.text();
    expect(body).toContain('<title type="text">NATO</title>');
    expect(body).toContain('<id>http://feeds.example/topics/nato</id>');
    await opened.close();
    // The store is gone: the render fails, and the app gets the request to answer its way.
    expect((await fetch(`${base}/topics/nato.rss`)).status).toBe(418);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status])).toEqual([['/topics/nato.atom', 200]]);
  });

  it('with a read token, answers only a reader whose Authorization header carries it', async () => {
    const { base, put } = await start({ readToken: 'reader-secret', adminToken: 'admin-secret' });
    put('nato', '/topics/nato', 'rss');
    const status = async (headers: Record<string, string>) => (await fetch(`${base}/topics/nato.rss`, { headers })).status;
    expect(await status({})).toBe(418);
    expect(await status({ authorization: 'Bearer wrong' })).toBe(418);
    expect(await status({ authorization: 'Bearer reader-secret' })).toBe(200);
    expect(await status({ authorization: 'Bearer admin-secret' })).toBe(200);
  });
});
