import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ParsedFeed } from '../../src/model.js';
import { parseFeed } from '../../src/ingest/parse.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/feeds/${name}`, import.meta.url)));

function parseOk(name: string, url: string): ParsedFeed {
  const result = parseFeed(fixture(name), { url, contentType: null });
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.feed;
}

describe('parseFeed on the seed fixtures', () => {
  it.each([
    ['world-wire.rss', 'https://worldwire.example/rss/world.xml', 'rss', 'World Wire', 4],
    ['eastern-desk.atom', 'https://easterndesk.example/atom.xml', 'atom', 'Eastern Desk', 2],
    ['capital-report.rdf', 'https://capitalreport.example/rss', 'rdf', 'Capital Report', 2],
    ['briefs.json', 'https://briefs.example/feed.json', 'json', 'Morning Briefs', 2],
  ] as const)('%s is read as %s titled %s with %i items', (name, url, format, title, count) => {
    const feed = parseOk(name, url);
    expect(feed.format).toBe(format);
    expect(feed.title).toBe(title);
    expect(feed.items).toHaveLength(count);
  });

  it('world-wire: the seed story keeps its guid as identity and its full content', () => {
    const feed = parseOk('world-wire.rss', 'https://worldwire.example/rss/world.xml');
    const story = feed.items[0]!;
    expect(story).toMatchObject({
      identity: 'worldwire-2010-11-03-0412',
      guid: 'worldwire-2010-11-03-0412',
      url: 'https://worldwire.example/world/2010/11/03/nato-russia-missile-defence',
      title: 'NATO, Russia consider joint missile defence plan',
      summary: 'The US is the main backer for the plan to make missile defence NATO-wide.',
      authors: ['World Wire staff'],
      categories: ['World', 'Defence'],
      publishedAt: '2010-11-03T17:05:00.000Z',
      language: 'en-gb',
    });
    expect(story.contentHtml).toMatch(/^<p>Moscow: NATO and Russia/);
    expect(story.contentHtml).toContain('four drugs laboratories in Afghanistan.</p>');
    expect(feed.minIntervalMinutes).toBe(15);
    expect(feed.siteUrl).toBe('https://worldwire.example/');
  });

  it('world-wire: a permalink guid is the identity and the link loses its utm_* parameters', () => {
    const storm = parseOk('world-wire.rss', 'https://worldwire.example/rss/world.xml').items[3]!;
    expect(storm.identity).toBe('https://worldwire.example/uk/2010/11/03/storm-ferries');
    expect(storm.url).toBe('https://worldwire.example/uk/2010/11/03/storm-ferries');
  });

  it('world-wire: "High winds &amp; heavy seas" is decoded exactly once', () => {
    const storm = parseOk('world-wire.rss', 'https://worldwire.example/rss/world.xml').items[3]!;
    expect(storm.summary).toBe('High winds & heavy seas halted crossings from both ports for most of the morning.');
    expect(storm.contentHtml).toBe('High winds &amp; heavy seas halted crossings from both ports for most of the morning.');
  });

  it('eastern-desk: escaped html content, tracking-free link and the relative link made absolute', () => {
    const feed = parseOk('eastern-desk.atom', 'https://easterndesk.example/atom.xml');
    const [story, gas] = feed.items;
    expect(story).toMatchObject({
      identity: 'tag:easterndesk.example,2010:story-88213',
      url: 'https://easterndesk.example/news/88213',
      title: 'NATO, Russia consider joint missile defence plan',
      summary: 'The US is the main backer for the plan to make missile defence NATO-wide.',
      authors: ['Eastern Desk with agencies'],
      categories: ['Russia'],
      publishedAt: '2010-11-03T17:31:00.000Z',
      updatedAt: '2010-11-03T18:02:00.000Z',
      language: 'en',
    });
    expect(story!.contentHtml).toContain('<p>A common defence system stretching "from Vancouver to Vladivostok"');
    expect(gas!.url).toBe('https://easterndesk.example/news/88190');
    expect(feed.siteUrl).toBe('https://easterndesk.example/');
  });

  it('capital-report: ISO-8859-1 bytes come out as Unicode and dc:date offsets become UTC', () => {
    const feed = parseOk('capital-report.rdf', 'https://capitalreport.example/rss');
    const cafe = feed.items[1]!;
    expect(cafe.title).toBe('Café owners protest new licence fees');
    expect(cafe.summary).toBe('Owners of small cafés say the fee rise would cost them £400 a year.');
    expect(cafe.publishedAt).toBe('2010-11-04T14:30:00.000Z');
    expect(feed.items[0]!.identity).toBe('https://capitalreport.example/2010/11/04/interceptor-sites');
    expect(feed.items[0]!.authors).toEqual(['Capital Report']);
  });

  it('briefs: content_html is kept, content_text is escaped into paragraphs and excerpted as summary', () => {
    const [lisbon, rates] = parseOk('briefs.json', 'https://briefs.example/feed.json').items;
    expect(lisbon).toMatchObject({ authors: ['Briefs desk'], categories: ['Lisbon', 'NATO'], publishedAt: '2010-11-04T06:00:00.000Z' });
    expect(lisbon!.contentHtml).toMatch(/^<p>Alliance leaders meet in Lisbon/);
    expect(rates!.contentHtml).toBe('<p>The central bank left its main rate unchanged for the twentieth month.</p>');
    expect(rates!.summary).toBe('The central bank left its main rate unchanged for the twentieth month.');
  });

  it('broken.rss is a parse error naming the unclosed element and its line', () => {
    const result = parseFeed(fixture('broken.rss'), { url: 'https://broken.example/rss', contentType: null });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('parse');
    expect(result.error.message).toMatch(/ends inside <title> opened at line 3/);
  });
});

describe('parseFeed on documents that are not feeds', () => {
  it.each([
    ['an empty body', '', /empty document/],
    ['an HTML page', '<!DOCTYPE html><html><head><title>x</title></head><body></body></html>', /no feed root.*<html>/],
    ['JSON that is not a JSON Feed', '{"rss": {"channel": {}}}', /not a JSON Feed/],
    ['truncated JSON', '{"version": "https://jsonfeed.org/version/1.1", "items": [', /invalid JSON/],
    ['plain text', 'hello', /no XML element|no feed root/],
  ])('%s is a parse error', (_label, body, message) => {
    const result = parseFeed(Buffer.from(body), { url: 'https://x.example/', contentType: null });
    expect(result).toMatchObject({ ok: false, error: { kind: 'parse' } });
    if (!result.ok) expect(result.error.message).toMatch(message);
  });
});
