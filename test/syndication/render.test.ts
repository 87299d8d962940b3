import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { afterAll, describe, expect, it } from 'vitest';
import { SANITIZE_POLICY } from '../../src/html/sanitize.js';
import { entryId } from '../../src/syndication/entry.js';
import { CONTENT_TYPES, renderFeed, type FeedFormat } from '../../src/syndication/render.js';
import { checkWellFormed } from './readers.js';
import { hostileStory, sampleDocument, seedStory, storedItem, stormStory } from './sample.js';

const tmp = mkdtempSync(join(tmpdir(), 'feedsieve-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

// Collects the text of every element with the given name (XML decoded once), so assertions talk
// about what a reader sees rather than about bytes.
function xmlTexts(xml: string, name: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let current = '';
  const parser = new Parser(
    {
      onopentag(tag) {
        if (tag === name) { depth++; current = ''; }
      },
      ontext(text) { if (depth > 0) current += text; },
      oncdatastart() {},
      onclosetag(tag) {
        if (tag === name && depth > 0) { depth--; found.push(current); }
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true },
  );
  parser.write(xml);
  parser.end();
  return found;
}

function jsonItems(doc: string): Record<string, unknown>[] {
  return (JSON.parse(doc) as { items: Record<string, unknown>[] }).items;
}

describe('renderFeed', () => {
  it.each(FORMATS)('%s: is the same bytes for the same document (no clock inside)', (format) => {
    expect(renderFeed(format, sampleDocument(format))).toBe(renderFeed(format, sampleDocument(format)));
  });

  it.each(FORMATS)('%s: keeps the entry id when the item is edited upstream', (format) => {
    const edited = {
      ...seedStory,
      item: { ...seedStory.item, title: 'NATO and Russia weigh joint missile shield', url: 'https://worldwire.example/v2', updatedAt: '2010-11-04T08:00:00.000Z' },
    };
    const ids = (doc: string) =>
      format === 'json' ? jsonItems(doc).map((item) => item.id) : xmlTexts(doc, format === 'rss' ? 'guid' : 'id').slice(format === 'atom' ? 1 : 0);
    const before = ids(renderFeed(format, sampleDocument(format, [seedStory])));
    const after = ids(renderFeed(format, sampleDocument(format, [edited])));
    expect(before).toEqual(['tag:feedsieve,2026:item/12']);
    expect(after).toEqual(before);
  });

  it.each(FORMATS)('%s: republishes content as stored when the current rules sanitized it, else sanitizes it again', (format) => {
    // A class attribute is harmless but outside the allowlist: whether it survives shows which path ran.
    const contentHtml = '<p class="as-stored">Body</p><script>alert(1)</script>';
    const rendered = (sanitizedWith?: number) => renderFeed(format, sampleDocument(format, [{
      item: storedItem({ id: 7, title: 'T', contentHtml, url: 'https://x.example/7', ...(sanitizedWith === undefined ? {} : { sanitizedWith }) }),
      alsoReportedBy: [],
    }]));
    expect(rendered(SANITIZE_POLICY)).toContain('as-stored');
    for (const older of [undefined, 0, SANITIZE_POLICY - 1]) {
      const doc = rendered(older);
      expect(doc).toContain('Body');
      expect(doc).not.toContain('as-stored');
      expect(doc).not.toContain('alert(1)');
    }
  });

  it('rss: a title with an ampersand is escaped exactly once', () => {
    const xml = renderFeed('rss', sampleDocument('rss', [stormStory]));
    expect(xml).toContain('<title>High winds &amp; heavy seas</title>');
    expect(xml).not.toContain('&amp;amp; heavy seas</title>');
    expect(xmlTexts(xml, 'title')).toContain('High winds & heavy seas');
  });

  it('atom: a title with an ampersand is plain text, escaped exactly once', () => {
    const xml = renderFeed('atom', sampleDocument('atom', [stormStory]));
    expect(xml).toContain('<title type="text">High winds &amp; heavy seas</title>');
    expect(xmlTexts(xml, 'title')).toContain('High winds & heavy seas');
  });

  it('json: a title with an ampersand is the plain string', () => {
    const items = jsonItems(renderFeed('json', sampleDocument('json', [stormStory])));
    expect(items[0]?.title).toBe('High winds & heavy seas');
  });

  it.each(['rss', 'atom'] as const)('%s: "]]>" and markup in titles and content cannot end the document early', (format) => {
    // Content goes out as stored, in a CDATA section; a "]]>" in it must not close the section.
    const storedAsIs = {
      item: storedItem({ id: 32, title: 'T', contentHtml: '<p>Stored ]]> as is, ]]]]> twice</p>', url: 'https://x.example/32', sanitizedWith: SANITIZE_POLICY }),
      alsoReportedBy: [],
      sourceFeedUrl: 'https://x.example/feed.xml',
    };
    const xml = renderFeed(format, sampleDocument(format, [hostileStory, storedAsIs]));
    const file = join(tmp, `early-end.${format}`);
    writeFileSync(file, xml);
    expect(checkWellFormed(file)).toEqual({ ok: true, messages: '' });
    expect(xml).not.toContain('\u0001');
    const titles = xmlTexts(xml, 'title');
    expect(titles).toContain('Markup <b>in</b> a title ]]> & a "quote"');
    const contents = xmlTexts(xml, format === 'rss' ? 'content:encoded' : 'content');
    expect(contents[1]).toBe('<p>Stored ]]> as is, ]]]]> twice</p>');
  });

  it.each(FORMATS)('%s: content carries no script, handler or javascript: link', (format) => {
    const doc = renderFeed(format, sampleDocument(format, [hostileStory]));
    const html = format === 'json' ? String(jsonItems(doc)[0]?.content_html) : xmlTexts(doc, format === 'rss' ? 'content:encoded' : 'content')[0] ?? '';
    expect(html).toContain('Before ]]&gt; after');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onerror/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/style=/i);
    // The hostile outlet name is text: its quote and tags arrive escaped inside the HTML.
    expect(html).toContain('Also reported by: Evil &quot;&gt;&lt;script&gt;x&lt;/script&gt;');
  });

  it.each(FORMATS)('%s: "Also reported by" names the other outlets, linked where known', (format) => {
    const doc = renderFeed(format, sampleDocument(format, [seedStory]));
    const html = format === 'json' ? String(jsonItems(doc)[0]?.content_html) : xmlTexts(doc, format === 'rss' ? 'content:encoded' : 'content')[0] ?? '';
    expect(html).toContain('<p>Also reported by: <a href="https://easterndesk.example/news/88213">Eastern Desk</a>, Capital &lt;Report&gt; &amp; Co</p>');
    expect(html.startsWith('<p>Moscow: NATO and Russia')).toBe(true);
  });

  it('json: also_reported_by and the source feed sit in the _feedsieve extension', () => {
    const [item] = jsonItems(renderFeed('json', sampleDocument('json', [seedStory])));
    expect(item?._feedsieve).toEqual({
      source: { feed_title: 'World Wire', feed_url: 'https://worldwire.example/rss/world.xml' },
      also_reported_by: [
        { feed_title: 'Eastern Desk', url: 'https://easterndesk.example/news/88213' },
        { feed_title: 'Capital <Report> & Co', url: null },
      ],
    });
  });

  it('rss: <source> names the original feed with its URL', () => {
    const xml = renderFeed('rss', sampleDocument('rss', [seedStory]));
    expect(xml).toContain('<source url="https://worldwire.example/rss/world.xml">World Wire</source>');
  });

  it('rss: no <source> when the original feed URL is unknown (the url attribute is required)', () => {
    const xml = renderFeed('rss', sampleDocument('rss', [hostileStory]));
    expect(xml).not.toContain('<source');
  });

  it('atom: atom:source names the original feed, and stands in as author when the item names none', () => {
    const xml = renderFeed('atom', sampleDocument('atom', [stormStory, hostileStory]));
    expect(xml).toContain('<source><title>World Wire</title><link rel="self" href="https://worldwire.example/rss/world.xml"/><author><name>World Wire</name></author></source>');
    expect(xml).toContain('<source><title>Eastern &lt;Desk&gt; &amp; Partners</title></source>');
    expect(xml).toContain('<author><name>Tom &amp; Jerry &lt;desk@example&gt;</name></author>');
  });

  it.each(['rss', 'atom'] as const)('%s: self, hub and RFC 5005 paging links', (format) => {
    const xml = renderFeed(format, sampleDocument(format));
    const tag = format === 'rss' ? 'atom:link' : 'link';
    expect(xml).toContain(`<${tag} rel="self" href="http://127.0.0.1:8080/topics/nato/feed.${format}"`);
    expect(xml).toContain(`<${tag} rel="hub" href="https://hub.example/"/>`);
    expect(xml).toContain(`<${tag} rel="first" href="http://127.0.0.1:8080/topics/nato/feed.${format}"/>`);
    expect(xml).toContain(`<${tag} rel="next" href="http://127.0.0.1:8080/topics/nato/feed.${format}?before=31"/>`);
    expect(xml).not.toContain('rel="previous"');
  });

  it.each(['rss', 'atom'] as const)('%s: no hub or paging links when the document has none', (format) => {
    const doc = { ...sampleDocument(format), hubUrl: null, paging: { first: null, next: null, prev: null } };
    const xml = renderFeed(format, doc);
    expect(xml).not.toMatch(/rel="(hub|first|next|previous)"/);
  });

  it('json: hub, next_url and feed_url', () => {
    const feed = JSON.parse(renderFeed('json', sampleDocument('json'))) as Record<string, unknown>;
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe('http://127.0.0.1:8080/topics/nato/feed.json');
    expect(feed.next_url).toBe('http://127.0.0.1:8080/topics/nato/feed.json?before=31');
    expect(feed.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/' }]);
  });

  it('dates: published from the source, updated from its update date, first-seen when it has none', () => {
    const undated = { item: storedItem({ id: 40, title: 'Undated', sortAt: '2010-11-03T12:00:00.000Z' }), alsoReportedBy: [] };
    const atom = renderFeed('atom', sampleDocument('atom', [stormStory, undated]));
    expect(xmlTexts(atom, 'published')).toEqual(['2010-11-03T09:10:00.000Z']);
    expect(xmlTexts(atom, 'updated')).toEqual(['2010-11-03T19:02:00.000Z', '2010-11-03T10:00:00.000Z', '2010-11-03T12:00:00.000Z']);
    const rss = renderFeed('rss', sampleDocument('rss', [stormStory, undated]));
    expect(xmlTexts(rss, 'pubDate')).toEqual(['Wed, 03 Nov 2010 09:10:00 GMT', 'Wed, 03 Nov 2010 12:00:00 GMT']);
    const [storm, plain] = jsonItems(renderFeed('json', sampleDocument('json', [stormStory, undated])));
    expect(storm).toMatchObject({ date_published: '2010-11-03T09:10:00.000Z', date_modified: '2010-11-03T10:00:00.000Z' });
    expect(plain).not.toHaveProperty('date_published');
  });

  it('rss: authors are dc:creator (RSS <author> is for e-mail addresses) and categories are kept', () => {
    const xml = renderFeed('rss', sampleDocument('rss', [seedStory]));
    expect(xmlTexts(xml, 'dc:creator')).toEqual(['World Wire staff']);
    expect(xmlTexts(xml, 'category')).toEqual(['World', 'Defence']);
    expect(xml).not.toContain('<author>');
  });

  it('enclosures appear as RSS enclosure, Atom enclosure link and JSON attachment', () => {
    expect(renderFeed('rss', sampleDocument('rss', [stormStory]))).toContain(
      '<enclosure url="https://worldwire.example/media/storm.jpg" length="12345" type="image/jpeg"/>',
    );
    expect(renderFeed('atom', sampleDocument('atom', [stormStory]))).toContain(
      '<link rel="enclosure" href="https://worldwire.example/media/storm.jpg" type="image/jpeg" length="12345"/>',
    );
    expect(jsonItems(renderFeed('json', sampleDocument('json', [stormStory])))[0]?.attachments).toEqual([
      { url: 'https://worldwire.example/media/storm.jpg', mime_type: 'image/jpeg', size_in_bytes: 12345 },
    ]);
  });

  it('rss: the plain-text summary is HTML-escaped inside <description>, which readers treat as HTML', () => {
    const xml = renderFeed('rss', sampleDocument('rss', [hostileStory]));
    expect(xmlTexts(xml, 'description')).toContain('A summary with &lt;tags&gt; &amp; ampersands');
  });

  it('content types name the format and UTF-8', () => {
    expect(CONTENT_TYPES).toEqual({
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
    });
  });
});

describe('entry ids', () => {
  const item = storedItem({ id: 41, title: 'NATO', firstSeenAt: '2026-12-01T08:00:00.123Z' });

  it('are the row id alone up to the database\'s mark, and name when the item was first stored past it', () => {
    expect(entryId(item, 41)).toBe('tag:feedsieve,2026:item/41');
    expect(entryId(item, 40)).toBe(`tag:feedsieve,2026:item/41/${Date.parse('2026-12-01T08:00:00.123Z')}`);
    // The same row id first stored at another time, as a restored database gives it again: another entry.
    expect(entryId({ ...item, firstSeenAt: '2026-12-02T09:00:00.000Z' }, 0)).not.toBe(entryId(item, 0));
    // Edited upstream, the item keeps its id.
    expect(entryId({ ...item, title: 'Edited', url: 'https://x.example/moved', version: 'v2' }, 0)).toBe(entryId(item, 0));
  });

  it.each<FeedFormat>(['rss', 'atom', 'json'])('are what %s writes for an entry given its id', (format) => {
    const doc = sampleDocument(format, [{ ...seedStory, id: entryId(seedStory.item, 0) }]);
    const written = renderFeed(format, doc);
    expect(written).toContain(entryId(seedStory.item, 0));
    // The row id alone, not followed by the time: nowhere.
    expect(written.split(entryId(seedStory.item)).slice(1).every((after) => after.startsWith('/'))).toBe(true);
  });
});
