import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/ingest/parse.js';
import type { Item, ParsedFeed } from '../../src/model.js';
import { CORPUS_DIR } from './support/corpus.js';

const URL_OF_FEED = 'https://site.example/feeds/main.xml';

function parse(document: string, url = URL_OF_FEED): ParsedFeed {
  const result = parseFeed(Buffer.from(document), { url, contentType: null });
  if (!result.ok) throw new Error(result.error.message);
  return result.feed;
}

const rss = (item: string, channel = ''): string => `<rss version="2.0"><channel><title>T</title>${channel}<item>${item}</item></channel></rss>`;

describe('well-formedness', () => {
  it.each([
    ['an Atom feed cut mid-entry', '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>\n<entry><title>E</title>\n<summary>cut', /ends inside <atom:summary> opened at line 3/],
    ['an RSS feed cut after an item', '<rss><channel><item><title>a</title></item>', /ends inside <channel>/],
  ])('%s is an error', (_label, document, message) => {
    const result = parseFeed(Buffer.from(document), { url: URL_OF_FEED, contentType: null });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(message);
  });

  it.each([
    ['the last ">" of the root missing', '<rss><channel><title>T</title><item><title>a</title></item></channel></rss'],
    ['the root end tag missing', '<rss><channel><title>T</title><item><title>a</title></item></channel>\n'],
  ])('%s loses nothing and is forgiven', (_label, document) => {
    expect(parse(document).items).toHaveLength(1);
  });

  it('an Atom <link> written without "/>" does not swallow the fields and entries after it', () => {
    const feed = parse(`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><link rel="alternate" href="http://a.example/">
      <entry><title>One</title><link href="http://a.example/1"><id>1</id><updated>2020-01-01T00:00:00Z</updated><summary>S1</summary></entry>
      <entry><link href="http://a.example/2"><title>Two</title><id>2</id></entry></feed>`);
    expect(feed.siteUrl).toBe('http://a.example/');
    expect(feed.items.map(({ guid, url, title, summary, publishedAt }) => ({ guid, url, title, summary, publishedAt }))).toEqual([
      { guid: '1', url: 'http://a.example/1', title: 'One', summary: 'S1', publishedAt: '2020-01-01T00:00:00.000Z' },
      { guid: '2', url: 'http://a.example/2', title: 'Two', summary: '', publishedAt: null },
    ]);
  });

  it('an RSS <link> left open keeps its URL and gives back the elements after it', () => {
    const item = parse(`<rss><channel><title>T</title><item><link>http://a.example/1\n<title>One</title><guid>g1</guid></item></channel></rss>`).items[0];
    expect(item).toMatchObject({ url: 'http://a.example/1', title: 'One', guid: 'g1' });
  });

  it('items swallowed by an unclosed element are still found; items inside items are not items', () => {
    const feed = parse(`<rss><channel><title>T</title><itunes:category text="Tech">
      <item><title>one</title><item/></item><item><title>two</title></item></channel></rss>`);
    expect(feed.items.map((item) => item.title)).toEqual(['one', 'two']);
  });

  it('a feed wrapped in an XHTML page is found', () => {
    const feed = parse(`<html xmlns="http://www.w3.org/1999/xhtml"><body><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title><entry><title>E</title></entry></feed></body></html>`);
    expect(feed.items.map((item) => item.title)).toEqual(['E']);
  });
});

describe('focused corpus cases', () => {
  const corpusItem = (file: string, url = 'http://127.0.0.1:8097/'): Item => {
    const result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url, contentType: null });
    if (!result.ok || !result.feed.items[0]) throw new Error(`${file}: ${result.ok ? 'no items' : result.error.message}`);
    return result.feed.items[0];
  };

  it('feedparser: an item link relative to the document URI', () => {
    expect(corpusItem('feedparser/wellformed/base/http_item_link_base_docuri.xml').url).toBe('http://127.0.0.1:8097/relative/uri');
  });

  it('feedparser: a simple internal DTD entity is expanded', () => {
    expect(corpusItem('feedparser/wellformed/rss/entity_in_doctype.xml').guid).toBe('tag:example.com,2006-05-04:/blog/');
  });

  it.each([
    ['gofeed/parser/rss/issue_305_bare_ampersand.xml', 'Fish & Chips & more <3'],
    ['gofeed/parser/rss/issue_320_legacy_entity_prefix.xml', '?page=1&copy=2;mode=x & done'],
  ])('gofeed: %s has the title %j', (file, title) => {
    const result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url: URL_OF_FEED, contentType: null });
    expect(result.ok && result.feed.title).toBe(title);
  });

  it('feedparser xml:base: content resolves against its own base, else the inherited one', () => {
    expect(corpusItem('feedparser/wellformed/base/entry_content_xml_base_inherit_3.xml').contentHtml).toContain('href="http://example.com/test/test.html"');
    expect(corpusItem('feedparser/wellformed/base/entry_content_xml_base_inherit_4.xml').contentHtml).toContain('href="http://example.com/parent/test.html"');
  });
});

describe('hostile input', () => {
  it.each([
    ['a title of unclosed "<a"', rss(`<title>${'&lt;a '.repeat(200_000)}</title><author>${'@'.repeat(100_000)} (x)</author><pubDate>${'1 '.repeat(50_000)}</pubDate>`)],
    ['5,000 nested elements', `<rss><channel><item><title>x</title><description>${'<b>'.repeat(5000)}deep${'</b>'.repeat(5000)}</description></item></channel></rss>`],
    ['many attributes', rss(`<title x="${'y'.repeat(10)}" ${Array.from({ length: 20_000 }, (_, index) => `a${index}="1"`).join(' ')}>t</title>`)],
  ])('%s still parses (a quadratic path would hit the test timeout)', (_label, document) => {
    const result = parseFeed(Buffer.from(document), { url: URL_OF_FEED, contentType: null });
    expect(result.ok).toBe(true);
  }, 10_000);

  it('a document nested absurdly deep is refused, not parsed in quadratic time', () => {
    const document = `<rss><channel><item>\n${'<b>'.repeat(200_000)}</item></channel></rss>`;
    const result = parseFeed(Buffer.from(document), { url: URL_OF_FEED, contentType: null });
    expect(result).toMatchObject({ ok: false, error: { kind: 'parse' } });
    if (!result.ok) expect(result.error.message).toMatch(/nested deeper than 10000 levels at line 2/);
  }, 10_000);
});
