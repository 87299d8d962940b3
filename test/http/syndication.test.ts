import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openCore, type Service, startService } from '../../src/main.js';
import { parseOpml } from '../../src/opml.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { type HubStandIn, startHubStandIn } from '../support/hub.js';
import { until } from '../support/until.js';
import { FIXTURE_TOPICS } from '../support/service.js';
import { freePort } from '../support/net.js';
import { getRaw } from '../support/raw-http.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const SEED = 'NATO, Russia consider joint missile defence plan';
const fixture = (name: string) => readFileSync(join(FIXTURES, name));


describe('republished topic feeds over HTTP', () => {
  let origin: FaultServer;
  let service: Service;
  let base: string;
  let dir: string;
  let pings: URLSearchParams[] = [];
  let hub: HubStandIn;
  let configWith: (changes: Record<string, unknown>) => Config;

  beforeAll(async () => {
    origin = await startFaultServer({
      '/world-wire.rss': { body: fixture('world-wire.rss'), headers: { 'content-type': 'application/rss+xml' } },
      '/eastern-desk.atom': { body: fixture('eastern-desk.atom'), headers: { 'content-type': 'application/atom+xml' } },
      '/briefs.json': { body: fixture('briefs.json'), headers: { 'content-type': 'application/feed+json' } },
      '/late.rss': { body: rssDocument('Late Desk', [{ guid: 'late-1', title: 'NATO ministers meet in Brussels', publishedAt: new Date() }]) },
    });
    hub = await startHubStandIn();
    pings = hub.pings;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-synd-'));
    const settings = {
      database: 'db.sqlite',
      server: { port, websubHub: hub.url },
      ingest: { allowPrivateAddresses: true },
      feeds: ['/world-wire.rss', '/eastern-desk.atom', '/briefs.json'].map((p) => ({ url: origin.url(p) })),
      topics: FIXTURE_TOPICS,
      logLevel: 'silent',
    };
    configWith = (changes) => parseConfig({ ...settings, ...changes }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: 'admin-token-for-tests' });
    const config = configWith({});
    service = await startService(await openCore(config, createLogger('silent')));
    await service.firstIngest;
  });
  afterAll(async () => {
    await service?.stop();
    await origin?.close();
    hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['rss', 'atom', 'json'])('the seed story appears once in nato.%s, listing the other outlet', async (format) => {
    const text = await (await fetch(`${base}/topics/nato.${format}`)).text();
    // Each entry names the feed it was read from (RSS <source url>, atom:source, _feedsieve.source).
    expect(text).toContain(origin.url('/world-wire.rss'));
    if (format === 'json') {
      const doc = JSON.parse(text) as { items: { title: string; content_html: string; _feedsieve: { also_reported_by: { feed_title: string }[] } }[] };
      const seeds = doc.items.filter((i) => i.title === SEED);
      expect(seeds).toHaveLength(1);
      expect(seeds[0]!.content_html).toContain('Also reported by');
      expect(JSON.stringify(seeds[0]!._feedsieve)).toContain('Eastern Desk');
    } else {
      const feed = await new Parser().parseString(text);
      const seeds = feed.items.filter((i) => i.title === SEED);
      expect(seeds).toHaveLength(1);
      const content = (seeds[0] as { 'content:encoded'?: string })['content:encoded'] ?? seeds[0]!.content;
      expect(content).toMatch(/Also reported by:.*Eastern Desk/s);
    }
  });

  it('answers with the right headers, compressed, and HEAD works', async () => {
    const res = await fetch(`${base}/topics/nato.atom`, { headers: { 'accept-encoding': 'br' } });
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('cache-control')).toBe('public, max-age=900');
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(Date.parse(res.headers.get('last-modified')!)).toBeGreaterThan(0);
    expect(await res.text()).toContain('<feed');
    const gz = await fetch(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    // Compressed once and kept: the same bytes for every reader, decoding to the plain body.
    const raw = async (encoding: string) => (await getRaw(`${base}/topics/nato.rss`, encoding)).body;
    const { gunzipSync } = await import('node:zlib');
    const [gz1, gz2, plain] = [await raw('gzip'), await raw('gzip'), await raw('identity')];
    expect(gz1.equals(gz2)).toBe(true);
    expect(gunzipSync(gz1).equals(plain)).toBe(true);
    const head = await fetch(`${base}/topics/nato.rss`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(gz.headers.get('etag'));
    expect(await head.text()).toBe('');
    // Content-Length states the bytes sent: the plain body, and the compressed one when compressed.
    const plainHead = await fetch(`${base}/topics/nato.rss`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect(Number(plainHead.headers.get('content-length'))).toBe(plain.length);
    const gzHead = await fetch(`${base}/topics/nato.rss`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    expect(Number(gzHead.headers.get('content-length'))).toBe(gz1.length);
  });

  it('still compresses the JSON API, which feeds are routed ahead of', async () => {
    const res = await fetch(`${base}/api/items?limit=50`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThan(2);
  });

  it('answers a repeat request with the ETag or the date with 304 and no body', async () => {
    const first = await fetch(`${base}/topics/nato.rss`);
    const etag = first.headers.get('etag')!;
    const byEtag = await fetch(`${base}/topics/nato.rss`, { headers: { 'if-none-match': etag } });
    expect(byEtag.status).toBe(304);
    expect(await byEtag.text()).toBe('');
    const byDate = await fetch(`${base}/topics/nato.rss`, { headers: { 'if-modified-since': first.headers.get('last-modified')! } });
    expect(byDate.status).toBe(304);
  });

  it('walks back through a topic with RFC 5005 next links', async () => {
    const titles: string[] = [];
    let url: string | null = `${base}/topics/nato.atom?limit=1`;
    let pages = 0;
    while (url && pages < 10) {
      const xml = await (await fetch(url)).text();
      titles.push(...[...xml.matchAll(/<entry>[\s\S]*?<title[^>]*>([^<]*)<\/title>/g)].map((m) => m[1]!));
      url = /<link[^>]*rel="next"[^>]*href="([^"]+)"/.exec(xml)?.[1]?.replaceAll('&amp;', '&') ?? null;
      pages++;
    }
    const all = (await new Parser().parseString(await (await fetch(`${base}/topics/nato.atom`)).text())).items.map((i) => i.title);
    expect(titles).toEqual(all);
    expect(pages).toBe(all.length + 1); // the last page is empty and has no next link
  });

  it('serves the subscribe page with autodiscovery links and an OPML of every topic feed', async () => {
    const html = await (await fetch(`${base}/`)).text();
    for (const { slug } of FIXTURE_TOPICS) {
      for (const [type, ext] of [['application/rss+xml', 'rss'], ['application/atom+xml', 'atom'], ['application/feed+json', 'json']]) {
        expect(html).toContain(`<link rel="alternate" type="${type}"`);
        expect(html).toContain(`href="${base}/topics/${slug}.${ext}"`);
      }
    }
    const { topics } = (await (await fetch(`${base}/api/topics`)).json()) as { topics: { slug: string; itemCount: number; recentItemCount: number }[] };
    const nato = topics.find((t) => t.slug === 'nato')!;
    expect(nato.itemCount).toBeGreaterThan(0);
    const recent = `${nato.recentItemCount} ${nato.recentItemCount === 1 ? 'item' : 'items'}`;
    expect(html).toMatch(new RegExp(`NATO</strong> <code>[^<]*</code> — ${recent} this week, ${nato.itemCount} in all:`));
    const opml = parseOpml(await (await fetch(`${base}/opml`)).text());
    expect(opml.ok && opml.feeds.map((f) => f.url)).toEqual(FIXTURE_TOPICS.map((t) => `${base}/topics/${t.slug}.rss`).sort());
    expect((await fetch(`${base}/feeds/all.json`)).status).toBe(200);
  });

  it('advertises the hub, pings it when a topic gains items, and drops the cached feed', async () => {
    const atom = await (await fetch(`${base}/topics/nato.atom`)).text();
    expect(atom).toMatch(/<link[^>]*rel="hub"/);
    expect(atom).toMatch(/<link[^>]*rel="self"[^>]*href="http:\/\/127\.0\.0\.1:\d+\/topics\/nato\.atom"/);
    expect(pings.length).toBeGreaterThanOrEqual(1);
    expect(pings[0]!.get('hub.mode')).toBe('publish');
    expect(pings[0]!.getAll('hub.url')).toContain(`${base}/topics/nato.atom`);

    const before = await fetch(`${base}/topics/nato.rss`);
    const etag = before.headers.get('etag')!;
    const pingsBefore = pings.length;
    const added = await fetch(`${base}/api/feeds`, {
      method: 'POST', body: JSON.stringify({ url: origin.url('/late.rss') }),
      headers: { 'content-type': 'application/json', authorization: 'Bearer admin-token-for-tests' },
    });
    expect(added.status).toBe(201);
    const deadline = Date.now() + 10_000;
    while (pings.length === pingsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pings.length).toBe(pingsBefore + 1);
    // The topic that gained an item, and the combined feed.
    expect(pings.at(-1)!.getAll('hub.url')).toEqual(['topics/nato', 'feeds/all'].flatMap((path) => ['rss', 'atom', 'json'].map((ext) => `${base}/${path}.${ext}`)));
    const after = await fetch(`${base}/topics/nato.rss`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('NATO ministers meet in Brussels');
  });

  it('pings the hub when a topic is edited over the API or by a config read again, not for a pin alone, and for every feed when a feed is deleted', async () => {
    const admin = { 'content-type': 'application/json', authorization: 'Bearer admin-token-for-tests' };
    const urls = (slug: string) => ['rss', 'atom', 'json'].map((ext) => `${base}/topics/${slug}.${ext}`);
    const nextPing = async (act: () => Promise<unknown>) => {
      const before = pings.length;
      await act();
      const deadline = Date.now() + 10_000;
      while (pings.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 100));
      return pings.slice(before).flatMap((ping) => ping.getAll('hub.url'));
    };
    expect(await nextPing(async () => {
      const created = await fetch(`${base}/api/topics`, { method: 'POST', headers: admin, body: JSON.stringify({ slug: 'summits', title: 'Summits', query: 'summit' }) });
      expect(created.status).toBe(201);
    })).toEqual(urls('summits'));
    expect(await nextPing(async () => {
      const edited = await fetch(`${base}/api/topics/summits`, { method: 'PUT', headers: admin, body: JSON.stringify({ title: 'Summits and meetings', query: 'summit OR meet' }) });
      expect(edited.status).toBe(200);
    })).toEqual(urls('summits'));
    // A pin alone changes how long the topic's items are kept, not its feed.
    const quiet = pings.length;
    const pinned = await fetch(`${base}/api/topics/summits`, { method: 'PUT', headers: admin, body: JSON.stringify({ title: 'Summits and meetings', query: 'summit OR meet', pinned: true }) });
    expect(pinned.status).toBe(200);
    expect(((await pinned.json()) as { pinned: boolean }).pinned).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(pings).toHaveLength(quiet);
    expect(await nextPing(async () => {
      const retitled = await fetch(`${base}/api/topics/summits`, { method: 'PUT', headers: admin, body: JSON.stringify({ title: 'Summits', query: 'summit OR meet', pinned: true }) });
      expect(retitled.status).toBe(200);
    })).toEqual(urls('summits'));
    const { feeds } = (await (await fetch(`${base}/api/feeds`)).json()) as { feeds: { id: number; url: string }[] };
    const late = feeds.find((feed) => feed.url === origin.url('/late.rss'))!;
    const every = [...FIXTURE_TOPICS.map((topic) => topic.slug), 'summits'].sort().flatMap(urls);
    const combined = ['rss', 'atom', 'json'].map((ext) => `${base}/feeds/all.${ext}`);
    expect((await nextPing(async () => {
      expect((await fetch(`${base}/api/feeds/${late.id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
    })).sort()).toEqual([...every, ...combined].sort());
    // A config read again that edits a topic.
    const topics = FIXTURE_TOPICS.map((topic, i) => (i === 0 ? { ...topic, title: `${topic.title}, edited` } : topic));
    expect(await nextPing(() => service.reloadConfig(configWith({ topics })))).toEqual(urls(FIXTURE_TOPICS[0]!.slug));
  });

  it('names again, in its next ping, the feeds of a ping the hub did not take', async () => {
    const admin = { 'content-type': 'application/json', authorization: 'Bearer admin-token-for-tests' };
    const urls = (slug: string) => ['rss', 'atom', 'json'].map((ext) => `${base}/topics/${slug}.${ext}`);
    const create = async (slug: string) => {
      const before = pings.length;
      const created = await fetch(`${base}/api/topics`, { method: 'POST', headers: admin, body: JSON.stringify({ slug, title: slug, query: slug }) });
      expect(created.status).toBe(201);
      await until(() => pings.length, (count) => count > before, `the ping for ${slug}`);
      return pings.slice(before).flatMap((ping) => ping.getAll('hub.url'));
    };
    hub.behaviour.status = 503;
    try {
      expect(await create('drills')).toEqual(urls('drills'));
    } finally {
      hub.behaviour.status = 204;
    }
    expect(await create('exercises')).toEqual([...urls('drills'), ...urls('exercises')]);
    expect(await create('manoeuvres')).toEqual(urls('manoeuvres'));
  });
});
