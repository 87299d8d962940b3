import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFeed, feedLinks } from '../../src/ingest/discover.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { testFetchLimits } from '../support/fetch-limits.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/feeds');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

const limits = testFetchLimits({ timeoutMs: 1000, connectTimeoutMs: 1000, maxBytes: 64 * 1024 });

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const page = (head: string, body = '<p>Hello</p>') =>
  `<!DOCTYPE html>\n<html><head><title>A page</title>${head}</head><body>${body}</body></html>`;

describe('feedLinks', () => {
  const base = 'https://news.example/world/today.html';
  it.each([
    ['an absolute RSS link', '<link rel="alternate" type="application/rss+xml" href="https://news.example/rss.xml">', ['https://news.example/rss.xml']],
    ['a root-relative Atom link', '<link rel="alternate" type="application/atom+xml" href="/atom.xml">', ['https://news.example/atom.xml']],
    ['a document-relative JSON Feed link', '<link rel="alternate" type="application/feed+json" href="feed.json">', ['https://news.example/world/feed.json']],
    ['upper-case attributes and a type with parameters', '<LINK REL="Alternate" TYPE="Application/RSS+XML; charset=utf-8" HREF="r.xml">', ['https://news.example/world/r.xml']],
    ['rel with several tokens', '<link rel="feed alternate" type="application/rss+xml" href="/x.rss">', ['https://news.example/x.rss']],
    ['entities in the href', '<link rel="alternate" type="application/rss+xml" href="/feed?a=1&amp;b=2">', ['https://news.example/feed?a=1&b=2']],
    ['a <base href> before the link', '<base href="https://cdn.example/feeds/"><link rel="alternate" type="application/rss+xml" href="main.rss">', ['https://cdn.example/feeds/main.rss']],
    ['two feeds in document order, duplicates once', '<link rel="alternate" type="application/rss+xml" href="/a.rss"><link rel="alternate" type="application/atom+xml" href="/b.atom"><link rel="alternate" type="application/rss+xml" href="https://news.example/a.rss">', ['https://news.example/a.rss', 'https://news.example/b.atom']],
    ['a stylesheet and a translation, not feeds', '<link rel="stylesheet" type="text/css" href="/s.css"><link rel="alternate" hreflang="fr" type="text/html" href="/fr/">', []],
    ['a feed type without rel=alternate', '<link rel="self" type="application/rss+xml" href="/self.rss">', []],
    ['a javascript: or file: href', '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)"><link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">', []],
  ])('finds %s', (_name, head, expected) => {
    expect(feedLinks(page(head), base).map((link) => link.url)).toEqual(expected);
  });

  it('keeps the link title', () => {
    expect(feedLinks(page('<link rel="alternate" type="application/rss+xml" title="World &amp; Politics" href="/w.rss">'), base))
      .toEqual([{ url: 'https://news.example/w.rss', title: 'World & Politics' }]);
  });
});

describe('discoverFeed', () => {
  let server: FaultServer;

  beforeAll(async () => {
    server = await startFaultServer({
      '/world.rss': { body: fixture('world-wire.rss'), headers: { 'content-type': 'application/rss+xml' } },
      '/briefs.json': { body: fixture('briefs.json'), headers: { 'content-type': 'application/feed+json' } },
      '/blog/post-1': { body: page('<link rel="alternate" type="application/rss+xml" title="Blog" href="../world.rss">'), headers: HTML },
      '/blog/json': { body: page('<link rel="alternate" type="application/feed+json" href="/briefs.json">'), headers: HTML },
      '/go': { redirect: { to: '/section/front', status: 302 } },
      '/section/front': { body: page('<link rel="alternate" type="application/atom+xml" href="latest.atom">'), headers: HTML },
      '/section/latest.atom': { body: fixture('eastern-desk.atom'), headers: { 'content-type': 'application/atom+xml' } },
      '/old-feed': { redirect: { to: '/world.rss', status: 301 } },
      '/moved-for-now': { redirect: { to: '/world.rss', status: 302 } },
      '/first-broken': {
        body: page('<link rel="alternate" type="application/rss+xml" href="/missing.rss"><link rel="alternate" type="application/rss+xml" href="/world.rss">'),
        headers: HTML,
      },
      '/only-broken': { body: page('<link rel="alternate" type="application/rss+xml" href="/missing.rss">'), headers: HTML },
      '/links-to-page': { body: page('<link rel="alternate" type="application/rss+xml" href="/no-feed">'), headers: HTML },
      '/no-feed': { body: page('<link rel="stylesheet" href="/s.css">'), headers: HTML },
      '/untyped-page': { body: page('') },
      '/text': { body: 'just some words', headers: { 'content-type': 'text/plain' } },
      '/broken.rss': { body: fixture('broken.rss'), headers: { 'content-type': 'application/rss+xml' } },
      '/huge-page': { body: page('', 'x'.repeat(128 * 1024)), headers: HTML },
      '/slow-page': { body: page('<link rel="alternate" type="application/rss+xml" href="/world.rss">'), headers: HTML, drip: { intervalMs: 200, bytes: 4 } },
      '/gone': { status: 410 },
    });
  });
  afterAll(() => server.close());

  it('accepts a feed URL as it is, with the feed title', async () => {
    expect(await discoverFeed(server.url('/world.rss'), limits)).toEqual({ ok: true, feedUrl: server.url('/world.rss'), title: 'World Wire' });
  });

  it.each([
    ['an RSS link relative to the page', '/blog/post-1', '/world.rss', 'World Wire'],
    ['a JSON Feed link', '/blog/json', '/briefs.json', 'Morning Briefs'],
    ['an Atom link, resolved against the page a redirect led to', '/go', '/section/latest.atom', 'Eastern Desk'],
    ['the second link when the first one is broken', '/first-broken', '/world.rss', 'World Wire'],
  ])('finds %s', async (_name, pagePath, feedPath, title) => {
    const found = await discoverFeed(server.url(pagePath), limits);
    expect(found).toMatchObject({ ok: true, feedUrl: server.url(feedPath) });
    if (found.ok) expect(found.title).toContain(title);
  });

  it('takes the new URL of a feed that moved permanently', async () => {
    expect(await discoverFeed(server.url('/old-feed'), limits)).toMatchObject({ ok: true, feedUrl: server.url('/world.rss') });
  });

  it('keeps the given URL of a feed that moved temporarily', async () => {
    expect(await discoverFeed(server.url('/moved-for-now'), limits)).toMatchObject({ ok: true, feedUrl: server.url('/moved-for-now') });
  });

  it.each([
    ['a web page with no feed link', 'parse', '/no-feed', /is a web page with no <link rel="alternate">/],
    ['an HTML page served without a content type', 'parse', '/untyped-page', /is a web page with no <link rel="alternate">/],
    ['plain text', 'parse', '/text', /is not a feed \(.*\) and not a web page that links to one/],
    ['a feed that is not well-formed', 'parse', '/broken.rss', /is not a feed \(not well-formed XML/],
    ['a page whose only feed link is broken', 'http', '/only-broken', /links to .*\/missing\.rss, but none of them could be read: .*HTTP 404/],
    ['a page whose feed link leads to another page', 'parse', '/links-to-page', /none of them could be read/],
    ['a page over the byte limit', 'too-large', '/huge-page', /body over 65536 bytes/],
    ['a page slower than the deadline', 'timeout', '/slow-page', /within 1000 ms/],
    ['a 410', 'gone', '/gone', /HTTP 410/],
  ])('reports %s as a %s error', async (_name, kind, path, message) => {
    const found = await discoverFeed(server.url(path), limits);
    expect(found).toMatchObject({ ok: false, error: { kind, message: expect.stringMatching(message) } });
  });

  it('refuses file: URLs', async () => {
    expect(await discoverFeed('file:///etc/passwd', limits)).toMatchObject({ ok: false, error: { kind: 'unsupported-scheme' } });
  });

  it('applies the address guard when private addresses are not allowed', async () => {
    const before = server.connections();
    const found = await discoverFeed(server.url('/blog/post-1'), { ...limits, allowPrivateAddresses: false });
    expect(found).toMatchObject({ ok: false, error: { kind: 'blocked-address', message: expect.stringContaining('127.0.0.1 is a blocked address') } });
    expect(server.connections()).toBe(before);
  });
});
