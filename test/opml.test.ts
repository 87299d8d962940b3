// OPML 2.0 in and out: the parser and renderer, the `opml import` / `opml export` commands, and
// GET /api/feeds.opml, each checked by reading back what was written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpml, renderOpml } from '../src/opml.js';
import { type FaultServer, startFaultServer } from './support/fault-server.js';
import { startTestService, type TestService } from './support/service.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli.js');
const NOW = new Date('2026-11-24T12:00:00Z');

/** xmllint is the referee for well-formedness: a document it rejects is broken for every reader. */
function xmllint(document: string): { ok: boolean; errors: string } {
  const result = spawnSync('xmllint', ['--noout', '-'], { input: document, encoding: 'utf8' });
  return { ok: result.status === 0, errors: result.stderr };
}

const NESTED = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="World Wire" xmlUrl="https://worldwire.example/rss/world.xml" htmlUrl="https://worldwire.example/"/>
        <outline type="rss" text="Eastern &amp; Central Desk" title="Eastern &#38; Central Desk" xmlUrl="https://eastern.example/feed?format=atom&amp;lang=en"/>
      </outline>
      <outline type="rss" text="Caf&#233; Politique" xmlUrl="  https://cafe.example/rss  "/>
    </outline>
    <outline text="A folder with no feeds"/>
    <outline type="rss" text="Top level" xmlurl="https://top.example/feed.json"/>
  </body>
</opml>`;

describe('parseOpml', () => {
  it('finds every feed in nested folders, in document order', () => {
    const parsed = parseOpml(NESTED);
    expect(parsed).toEqual({
      ok: true,
      feeds: [
        { url: 'https://worldwire.example/rss/world.xml', title: 'World Wire' },
        { url: 'https://eastern.example/feed?format=atom&lang=en', title: 'Eastern & Central Desk' },
        { url: 'https://cafe.example/rss', title: 'Café Politique' },
        { url: 'https://top.example/feed.json', title: 'Top level' },
      ],
    });
  });

  it('takes the text attribute when there is no title, and null when there is neither', () => {
    const parsed = parseOpml('<opml version="2.0"><body><outline xmlUrl="https://a.example/x"/></body></opml>');
    expect(parsed).toEqual({ ok: true, feeds: [{ url: 'https://a.example/x', title: null }] });
  });

  it('returns the non-http URLs too, for the importer to refuse with a message', () => {
    const parsed = parseOpml('<opml version="2.0"><body><outline text="f" xmlUrl="file:///etc/passwd"/></body></opml>');
    expect(parsed).toEqual({ ok: true, feeds: [{ url: 'file:///etc/passwd', title: 'f' }] });
  });

  it.each([
    ['an RSS document', '<rss version="2.0"><channel><title>x</title></channel></rss>'],
    ['an HTML page', '<!DOCTYPE html><html><body><p>hello</p></body></html>'],
    ['an empty string', ''],
  ])('refuses %s as not OPML', (_name, text) => {
    expect(parseOpml(text)).toEqual({ ok: false, error: 'not an OPML document (no <opml> element)' });
  });
});

describe('renderOpml', () => {
  const feeds = [
    { url: 'https://a.example/feed?x=1&y=2', title: 'Tom & Jerry <"quoted"> news', htmlUrl: 'https://a.example/?s=1&t=2' },
    { url: 'https://b.example/rss', title: null, htmlUrl: null },
    { url: 'https://c.example/atom', title: 'Café “Europa”' },
  ];

  it('writes a well-formed OPML 2.0 document with every character escaped', () => {
    const document = renderOpml('Feeds & more', feeds, NOW);
    expect(xmllint(document)).toEqual({ ok: true, errors: '' });
    expect(document).toContain('<opml version="2.0">');
    expect(document).toContain(`<dateCreated>${NOW.toUTCString()}</dateCreated>`);
    expect(document).toContain('xmlUrl="https://a.example/feed?x=1&amp;y=2"');
    expect(document).not.toContain('Tom & Jerry');
  });

  it('reads back as the same URLs and titles, a missing title falling back to the URL', () => {
    expect(parseOpml(renderOpml('t', feeds, NOW))).toEqual({
      ok: true,
      feeds: [
        { url: 'https://a.example/feed?x=1&y=2', title: 'Tom & Jerry <"quoted"> news' },
        { url: 'https://b.example/rss', title: 'https://b.example/rss' },
        { url: 'https://c.example/atom', title: 'Café “Europa”' },
      ],
    });
  });

  it('writes an empty body for no feeds, still well-formed', () => {
    const document = renderOpml('none', [], NOW);
    expect(xmllint(document).ok).toBe(true);
    expect(parseOpml(document)).toEqual({ ok: true, feeds: [] });
  });
});

describe('feedsieve opml import and export', () => {
  let dir: string;
  let config: string;

  // Only the config file decides where the database is.
  const { FEEDSIEVE_DB: _db, FEEDSIEVE_CONFIG: _config, ...env } = process.env;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--config', config], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });

  beforeAll(() => {
    expect(existsSync(CLI), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-opml-'));
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ database: 'opml.db', feeds: [], logLevel: 'warn' }));
    writeFileSync(join(dir, 'subscriptions.opml'), NESTED.replace(
      '<outline text="A folder with no feeds"/>',
      `<outline text="Odd ones">
        <outline text="Local file" xmlUrl="file:///etc/passwd"/>
        <outline text="Script" xmlUrl="javascript:alert(1)"/>
        <outline text="Relative" xmlUrl="feeds/local.xml"/>
        <outline text="World again" xmlUrl="https://worldwire.example/rss/world.xml"/>
      </outline>`,
    ));
    writeFileSync(join(dir, 'not-opml.xml'), '<rss version="2.0"><channel/></rss>');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds the http(s) feeds, skips the others with a message, and exits 0', () => {
    const result = run('opml', 'import', join(dir, 'subscriptions.opml'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('4 feeds added, 4 skipped');
    expect(result.stderr).toContain('skipped file:///etc/passwd: not an http(s) URL');
    expect(result.stderr).toContain('skipped javascript:alert(1): not an http(s) URL');
    expect(result.stderr).toContain('skipped feeds/local.xml: not an http(s) URL');
  });

  it('adds nothing the second time', () => {
    const result = run('opml', 'import', join(dir, 'subscriptions.opml'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('0 feeds added, 8 skipped');
  });

  it('exports the imported feeds as well-formed OPML that reads back to the same URLs', () => {
    const result = run('opml', 'export');
    expect(result.status, result.stderr).toBe(0);
    expect(xmllint(result.stdout)).toEqual({ ok: true, errors: '' });
    const parsed = parseOpml(result.stdout);
    expect(parsed.ok && parsed.feeds).toEqual([
      { url: 'https://worldwire.example/rss/world.xml', title: 'World Wire' },
      { url: 'https://eastern.example/feed?format=atom&lang=en', title: 'Eastern & Central Desk' },
      { url: 'https://cafe.example/rss', title: 'Café Politique' },
      { url: 'https://top.example/feed.json', title: 'Top level' },
    ]);
  });

  it('fails with the reason on a file that is not OPML', () => {
    const result = run('opml', 'import', join(dir, 'not-opml.xml'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('not an OPML document');
  });

  it('answers a usage error without a file', () => {
    const result = run('opml', 'import');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('opml import FILE');
  });
});

describe('GET /api/feeds.opml', () => {
  const TOKEN = 'opml-admin-token-0123456789';
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    origin = await startFaultServer({
      // Served, so the POST below works whether or not the route first fetches what it is given.
      '/added.rss?a=1&b=2': { body: '<rss version="2.0"><channel><title>Added</title><link>https://added.example/?a=1&amp;b=2</link></channel></rss>' },
    });
    service = await startTestService({
      feeds: [
        { url: origin.url('/world.rss'), title: 'World & Wire' },
        { url: origin.url('/desk.atom?lang=en&format=atom') },
        { url: pathToFileURL(join(ROOT, 'test/fixtures/feeds/briefs.json')).href, title: 'Local briefs' },
      ],
      adminToken: TOKEN,
    });
    const added = await fetch(`${service.baseUrl}/api/feeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: origin.url('/added.rss?a=1&b=2'), title: 'Added "via" <API>' }),
    });
    expect(added.status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('round-trips: export, parse, and the same http(s) URLs and titles as /api/feeds', async () => {
    const res = await service.get('/api/feeds.opml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/x-opml; charset=utf-8/);
    const document = await res.text();
    expect(xmllint(document)).toEqual({ ok: true, errors: '' });
    const parsed = parseOpml(document);
    const { feeds } = (await (await service.get('/api/feeds')).json()) as { feeds: { url: string; title: string | null }[] };
    const httpFeeds = feeds.filter((feed) => !feed.url.startsWith('file:'));
    expect(httpFeeds).toHaveLength(3);
    expect(parsed.ok && parsed.feeds).toEqual(httpFeeds.map((feed) => ({ url: feed.url, title: feed.title ?? feed.url })));
  });

  it('gives a feed its site as htmlUrl once a fetch has read it', async () => {
    const added = (await service.core.store.listFeeds()).find((feed) => feed.url.includes('/added.rss'))!;
    await service.core.ingest([added]);
    const document = await (await service.get('/api/feeds.opml')).text();
    expect(document).toMatch(/<outline [^>]*xmlUrl="[^"]*\/added\.rss\?a=1&amp;b=2"[^>]*htmlUrl="https:\/\/added\.example\/\?a=1&amp;b=2"/);
    expect(xmllint(document)).toEqual({ ok: true, errors: '' });
  });

  it('leaves file: feeds out: they name paths on the server', async () => {
    const document = await (await service.get('/api/feeds.opml')).text();
    expect(document).not.toContain('file:');
    expect(document).not.toContain('Local briefs');
  });
});

describe('POST /api/feeds.opml', () => {
  const TOKEN = 'opml-import-token-0123456789';
  let service: TestService;
  const ODD_ONES = NESTED.replace('<outline text="A folder with no feeds"/>', `<outline text="Odd ones">
        <outline text="Local file" xmlUrl="file:///etc/passwd"/>
        <outline text="Script" xmlUrl="javascript:alert(1)"/>
        <outline text="World again" xmlUrl="https://worldwire.example/rss/world.xml"/>
      </outline>`);
  const post = (body: string, type = 'text/x-opml', token: string | null = TOKEN) =>
    fetch(`${service.baseUrl}/api/feeds.opml`, {
      method: 'POST', body, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  interface Imported { added: { id: number; url: string; title: string; origin: string }[]; skipped: { url: string; reason: string }[] }

  beforeAll(async () => {
    service = await startTestService({ feeds: [], adminToken: TOKEN });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('adds a reader\'s export\'s http(s) feeds with their titles, and says what it skipped and why', async () => {
    const res = await post(ODD_ONES);
    expect(res.status).toBe(200);
    const { added, skipped } = (await res.json()) as Imported;
    expect(added.map(({ url, title, origin }) => ({ url, title, origin }))).toEqual([
      { url: 'https://worldwire.example/rss/world.xml', title: 'World Wire', origin: 'api' },
      { url: 'https://eastern.example/feed?format=atom&lang=en', title: 'Eastern & Central Desk', origin: 'api' },
      { url: 'https://cafe.example/rss', title: 'Café Politique', origin: 'api' },
      { url: 'https://top.example/feed.json', title: 'Top level', origin: 'api' },
    ]);
    expect(skipped).toEqual([
      { url: 'file:///etc/passwd', reason: 'not an http(s) URL' },
      { url: 'javascript:alert(1)', reason: 'not an http(s) URL' },
      { url: 'https://worldwire.example/rss/world.xml', reason: 'already subscribed' },
    ]);
    expect((await service.core.store.listFeeds()).map((feed) => feed.id)).toEqual(added.map((feed) => feed.id));
  });

  it('adds nothing the second time, and takes the document as XML too', async () => {
    const res = await post(ODD_ONES, 'application/xml; charset=utf-8');
    expect(res.status).toBe(200);
    const { added, skipped } = (await res.json()) as Imported;
    expect(added).toEqual([]);
    // In document order: the folder of odd ones comes before the top-level feed.
    const already = 'already subscribed';
    expect(skipped.map((s) => s.reason)).toEqual([already, already, already, 'not an http(s) URL', 'not an http(s) URL', already, already]);
  });

  it('reads back through GET /api/feeds.opml', async () => {
    const parsed = parseOpml(await (await service.get('/api/feeds.opml')).text());
    expect(parsed.ok && parsed.feeds.map((feed) => feed.url)).toEqual([
      'https://worldwire.example/rss/world.xml', 'https://eastern.example/feed?format=atom&lang=en', 'https://cafe.example/rss', 'https://top.example/feed.json',
    ]);
  });

  it.each<[string, () => Promise<Response>, number, RegExp]>([
    ['a document that is not OPML', () => post('<rss version="2.0"><channel/></rss>'), 422, /^not an OPML document \(no <opml> element\)$/],
    ['a JSON body', () => post('{"url": "https://x.example/"}', 'application/json'), 415, /Content-Type: text\/x-opml/],
    ['no token', () => post(ODD_ONES, 'text/x-opml', null), 401, /admin token/],
    ['a wrong token', () => post(ODD_ONES, 'text/x-opml', 'wrong-token-0123456789'), 401, /admin token/],
    ['a document over 2 MB', () => post(NESTED.replace('<body>', `<body>${'<outline text="x"/>'.repeat(120_000)}`)), 413, /too large/],
  ])('refuses %s, adding nothing', async (_name, send, status, detail) => {
    const before = await service.core.store.listFeeds();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect(await service.core.store.listFeeds()).toEqual(before);
  });
});
