import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { createLogger } from '../../src/log.js';
import { buildListener, type Core, openCore } from '../../src/main.js';

const ADMIN = 'admin-secret-7f3a9c21d4e8';
const READ = 'read-secret-19b2c7e5a0f4';

/** A core on a temp database whose every log line lands in `lines`, served on 127.0.0.1. */
async function serveLogged(config: Record<string, unknown>, lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-secrets-'));
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const core = await openCore(parseConfig({ database: 'db.sqlite', ...config }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: ADMIN }),
    createLogger('trace', sink));
  const server = createServer(buildListener(core, createFeedCache())).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    core,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('tokens', () => {
  let served: Awaited<ReturnType<typeof serveLogged>>;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    served = await serveLogged({ server: { readToken: READ }, feeds: [], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }] }, lines);
    base = served.base;
  });
  afterAll(async () => {
    await served?.close();
  });

  it('with server.readToken set, reads need it (header or ?token=), and the admin token reads too', async () => {
    expect((await fetch(`${base}/api/topics`)).status).toBe(401);
    expect((await fetch(`${base}/topics/nato.rss`)).status).toBe(401);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(200);
    expect((await fetch(`${base}/topics/nato.rss?token=${READ}`)).status).toBe(200);
    expect((await fetch(`${base}/api/topics`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // liveness stays open for supervisors
  });

  it('a read token does not authorize writes', async () => {
    const res = await fetch(`${base}/api/topics`, {
      method: 'POST', body: '{"slug":"x","title":"x","query":"x"}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${READ}` },
    });
    expect(res.status).toBe(401);
  });

  it('never writes a token into logs or error responses', async () => {
    const bodies: string[] = [];
    for (const [path, init] of [
      [`/api/topics?token=${READ}`, {}],
      ['/api/topics', { headers: { authorization: `Bearer ${ADMIN}` } }],
      ['/api/topics', { method: 'POST', body: '{"slug":"y","title":"y","query":"("}', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` } }],
      ['/api/topics', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}x` } }],
      [`/api/items?token=${READ}&limit=0`, {}],
    ] as [string, RequestInit][]) {
      bodies.push(await (await fetch(`${base}${path}`, init)).text());
    }
    const logged = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const secret of [ADMIN, READ]) {
      expect(logged).not.toContain(secret);
      expect(bodies.join('')).not.toContain(secret);
    }
  });
});

describe('a feed\'s password in its URL', () => {
  const PASSWORD = 'feed-pass-5e1d8a93c2';
  let served: Awaited<ReturnType<typeof serveLogged>>;
  let core: Core;
  let base: string;
  let origin: ReturnType<typeof createServer>;
  let feedUrl: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const body = readFileSync(join(import.meta.dirname, '../fixtures/feeds/world-wire.rss'));
    // Answers only with the password: the items below prove the fetch sent it.
    origin = createServer((req, res) => {
      const expected = `Basic ${Buffer.from(`desk:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      res.writeHead(req.url === '/old' ? 301 : 200, req.url === '/old' ? { location: '/feed' } : { 'content-type': 'application/rss+xml' }).end(req.url === '/old' ? '' : body);
    }).listen(0, '127.0.0.1');
    await new Promise((r) => origin.once('listening', r));
    feedUrl = `http://desk:${PASSWORD}@127.0.0.1:${(origin.address() as AddressInfo).port}/old`;
    served = await serveLogged({ ingest: { allowPrivateAddresses: true }, feeds: [{ url: feedUrl }], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }] }, lines);
    ({ core, base } = served);
  });
  afterAll(async () => {
    origin?.close();
    await served?.close();
  });

  it('is sent to fetch the feed, and shown nowhere: feeds republished, the API, OPML, messages, logs', async () => {
    const pass = await core.ingest();
    expect(pass.status === 'done' && pass.reports.map((r) => [r.status, r.inserted])).toEqual([['stored', 4]]);
    const [feed] = await core.store.listFeeds();
    expect(feed!.url).toBe(feedUrl);
    // A redirect it followed, shown beside the URL; and a duplicate refused, naming the URL.
    expect(feed!.movedTo).toContain(PASSWORD);
    const duplicate = await fetch(`${base}/api/feeds`, {
      method: 'POST', body: JSON.stringify({ url: feedUrl }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    });
    expect(duplicate.status).toBe(409);
    const shown: string[] = [await duplicate.text()];
    for (const path of ['/api/feeds', `/api/feeds/${feed!.id}`, '/api/feeds.opml', '/api/items', '/api/items?topic=nato', '/opml', '/',
      '/topics/nato.rss', '/topics/nato.atom', '/topics/nato.json', '/feeds/all.rss', '/feeds/all.atom', '/feeds/all.json']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      shown.push(await res.text());
    }
    // Where the URL is shown, it is shown without its user and password.
    const safeUrl = feedUrl.replace(`desk:${PASSWORD}@`, '');
    expect(shown.join('\n')).toContain(safeUrl);
    expect(shown.join('\n')).not.toContain(PASSWORD);
    expect(lines.join('').includes('feed fetched')).toBe(true);
    expect(lines.join('')).not.toContain(PASSWORD);
  });
});
