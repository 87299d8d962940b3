import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import type { RawEntry, RawText } from '../../src/ingest/formats/raw.js';
import { itemIdentity, stripTrackingParams } from '../../src/ingest/identity.js';
import { draftEntry, EXCERPT_LENGTH, finishItem, finishItemWithText, normalizeEntry, summaryTextOf, toPlainText } from '../../src/ingest/normalize.js';
import { parseFeedDrafts } from '../../src/ingest/parse.js';
import { CORPUS_BASE_URL, CORPUS_DIR, corpusInputFiles } from './support/corpus.js';

const BASE = 'https://news.example/feeds/world.xml';

function entry(overrides: Partial<RawEntry>): RawEntry {
  return {
    base: BASE,
    guid: null,
    guidIsPermaLink: false,
    link: null,
    title: null,
    summary: null,
    content: null,
    published: null,
    updated: null,
    authors: [],
    categories: [],
    language: null,
    enclosures: [],
    ...overrides,
  };
}

const html = (value: string, base = BASE): RawText => ({ value, type: 'html', base });
const text = (value: string, base = BASE): RawText => ({ value, type: 'text', base });

describe('stripTrackingParams', () => {
  it.each([
    ['https://a.example/story?utm_source=rss&utm_medium=feed', 'https://a.example/story'],
    ['https://a.example/story?id=7&utm_campaign=x', 'https://a.example/story?id=7'],
    ['https://a.example/story?UTM_Source=x&page=2#comments', 'https://a.example/story?page=2#comments'],
    ['https://a.example/s?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2&msclkid=3', 'https://a.example/s'],
    ['https://a.example/s?_hsenc=a&_hsmi=b&igshid=c&yclid=d&pk_campaign=e', 'https://a.example/s'],
    ['https://www.heise.de/meldung/x-4205274.html?wt_mc=rss.ho.beitrag.rdf', 'https://www.heise.de/meldung/x-4205274.html'],
    ['https://a.example/s?q=utm_source', 'https://a.example/s?q=utm_source'],
    ['https://a.example/s?ref=home', 'https://a.example/s?ref=home'],
    ['https://a.example/0,2817,2525649,00.asp', 'https://a.example/0,2817,2525649,00.asp'],
    ['not a url?utm_source=x', 'not a url?utm_source=x'],
    ['/relative?utm_source=x', '/relative?utm_source=x'],
  ])('%s → %s', (url, expected) => {
    expect(stripTrackingParams(url)).toBe(expected);
  });
});

describe('itemIdentity', () => {
  const hashed = (title: string, publishedAt: string | null): string => itemIdentity({ guid: null, url: null, title, publishedAt });

  it.each([
    ['the guid when there is one', { guid: 'g-1', url: 'https://a.example/x', title: 't', publishedAt: null }, 'g-1'],
    ['else the url', { guid: null, url: 'https://a.example/x', title: 't', publishedAt: null }, 'https://a.example/x'],
  ])('is %s', (_label, input, expected) => {
    expect(itemIdentity(input)).toBe(expected);
  });

  it('else a sha256 of title and date, stable and sensitive to both', () => {
    const one = hashed('Storm closes ports', '2010-11-03T09:10:00.000Z');
    expect(one).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashed('Storm closes ports', '2010-11-03T09:10:00.000Z')).toBe(one);
    expect(hashed('Storm closes ports', '2010-11-04T09:10:00.000Z')).not.toBe(one);
    expect(hashed('Storm closes port', '2010-11-03T09:10:00.000Z')).not.toBe(one);
  });
});

describe('normalizeEntry', () => {
  it('identity and url ignore tracking parameters; the link resolves against the entry base', () => {
    const item = normalizeEntry(entry({ link: '/news/1?utm_source=rss&id=1', base: 'https://news.example/feeds/' }), { language: null });
    expect(item.url).toBe('https://news.example/news/1?id=1');
    expect(item.identity).toBe('https://news.example/news/1?id=1');
    expect(item.guid).toBeNull();
  });

  it('a permalink guid stands in for a missing link; a non-permalink guid does not', () => {
    const permalink = normalizeEntry(entry({ guid: 'https://a.example/p/1', guidIsPermaLink: true }), { language: null });
    expect(permalink.url).toBe('https://a.example/p/1');
    const opaque = normalizeEntry(entry({ guid: 'https://a.example/p/1', guidIsPermaLink: false }), { language: null });
    expect(opaque.url).toBeNull();
    const relative = normalizeEntry(entry({ guid: '12345', guidIsPermaLink: true }), { language: null });
    expect(relative.url).toBeNull();
    expect(relative.identity).toBe('12345');
  });

  it('links that are not http(s) are dropped', () => {
    expect(normalizeEntry(entry({ link: 'javascript:alert(1)' }), { language: null }).url).toBeNull();
    expect(normalizeEntry(entry({ link: 'mailto:a@b.example' }), { language: null }).url).toBeNull();
  });

  it.each([
    ['plain text stays as written', text('High winds & heavy seas'), 'High winds & heavy seas'],
    ['plain text with "<" that is not a tag', text('2 < 3 and 5 > 4'), '2 < 3 and 5 > 4'],
    ['an entity left in text (double-escaped in the feed) is decoded', text('Tom &amp; Jerry &#8217;s'), 'Tom & Jerry ’s'],
    ['markup in text is stripped', text('A <b>bold</b> move'), 'A bold move'],
    ['html is read as HTML', html('Fish &amp; chips<br/>today'), 'Fish & chips today'],
    ['whitespace is collapsed', text('  one\n\t two  '), 'one two'],
  ])('title: %s', (_label, title, expected) => {
    expect(normalizeEntry(entry({ title }), { language: null }).title).toBe(expected);
  });

  it('summary is plain text of the description; content is sanitized HTML with absolute URLs', () => {
    const item = normalizeEntry(
      entry({
        summary: html('<p>Short <em>summary</em></p>'),
        content: html('<p onclick="x()">Body <a href="/more">more</a><script>alert(1)</script></p>', 'https://news.example/2010/'),
      }),
      { language: null },
    );
    expect(item.summary).toBe('Short summary');
    expect(item.contentHtml).toBe('<p>Body <a href="https://news.example/more" rel="noopener noreferrer nofollow">more</a></p>');
  });

  it('without a summary, the summary is an excerpt of the content cut at a word', () => {
    const long = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
    const item = normalizeEntry(entry({ content: html(`<p>${long}</p>`) }), { language: null });
    expect(item.summary.length).toBeLessThanOrEqual(EXCERPT_LENGTH + 1);
    expect(item.summary.endsWith('…')).toBe(true);
    expect(long.startsWith(item.summary.slice(0, -1))).toBe(true);
    expect(item.summary.slice(0, -1)).toMatch(/word\d+$/);
  });

  it('without content, the description becomes the content', () => {
    const item = normalizeEntry(entry({ summary: html('Plain <b>description</b>') }), { language: null });
    expect(item.contentHtml).toBe('Plain <b>description</b>');
  });

  it('reads the text of a description that is also the content in the pass that sanitizes it', () => {
    const description = '<p>NATO <em>allies</em> met.</p><section>Ministers</section><svg><text>chart</text></svg>';
    const draft = draftEntry(entry({ summary: html(description) }), { language: null });
    // Left to the sanitizing pass, not read from the HTML a second time for the draft.
    expect(draft.summary).toEqual({ fromContent: 'whole' });
    const { item, contentText } = finishItemWithText(draft);
    expect(item.summary).toBe(htmlToText(description));
    expect(item.summary).toBe('NATO allies met. Ministers');
    expect(contentText).toBe('NATO allies met. Ministerschart');
    expect(finishItem(draft)).toEqual(item);

    const long = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
    const contentOnly = draftEntry(entry({ content: html(`<p>${long}</p>`) }), { language: null });
    expect(contentOnly.summary).toEqual({ fromContent: 'excerpt' });
    expect(finishItem(contentOnly).summary).toBe(summaryTextOf(contentOnly));
    // A summary of its own, or plain text, is read as before.
    expect(draftEntry(entry({ summary: html('<b>Short</b>'), content: html('<p>Body</p>') }), { language: null }).summary).toBe('Short');
    expect(draftEntry(entry({ summary: text('Plain & simple') }), { language: null }).summary).toBe('Plain & simple');
  });

  it('gives every entry of the corpus and the fixtures the summary that reading its HTML again gives', () => {
    const files = [
      ...corpusInputFiles().map((file) => ({ path: join(CORPUS_DIR, file), url: CORPUS_BASE_URL + file })),
      ...['world-wire.rss', 'capital-report.rdf', 'eastern-desk.atom', 'briefs.json'].map((name) => ({
        path: join(import.meta.dirname, '../fixtures/feeds', name), url: `https://feeds.example/${name}` })),
    ];
    let fromContent = 0;
    const differ: string[] = [];
    for (const { path, url } of files) {
      const parsed = parseFeedDrafts(readFileSync(path), { url, contentType: null });
      if (!parsed.ok) continue;
      for (const draft of parsed.feed.items) {
        if (typeof draft.summary === 'string') continue;
        fromContent++;
        if (finishItem(draft).summary !== summaryTextOf(draft)) differ.push(`${path}: ${draft.identity}`);
      }
    }
    expect(differ).toEqual([]);
    expect(fromContent).toBeGreaterThan(2000);
  });

  it('plain-text content is escaped into paragraphs', () => {
    const item = normalizeEntry(entry({ content: text('First <line>\nsecond\n\nNext & last') }), { language: null });
    expect(item.contentHtml).toBe('<p>First &lt;line&gt;<br />second</p><p>Next &amp; last</p>');
  });

  it('authors and categories are trimmed and deduped; RSS author e-mails give way to the name', () => {
    const item = normalizeEntry(
      entry({
        authors: ['jo@example.com (Jo Smith)', ' Jo Smith ', 'Ann (ann@example.com)', 'Bo Li <bo@example.com>', 'cy@example.com'],
        categories: [' World ', 'world', '', 'Defence'],
      }),
      { language: null },
    );
    expect(item.authors).toEqual(['Jo Smith', 'Ann', 'Bo Li', 'cy@example.com']);
    expect(item.categories).toEqual(['World', 'Defence']);
  });

  it('dates become ISO UTC; an entry with only an update date is dated by it', () => {
    const both = normalizeEntry(entry({ published: 'Wed, 03 Nov 2010 17:05:00 +0100', updated: '2010-11-03T18:00:00Z' }), { language: null });
    expect(both.publishedAt).toBe('2010-11-03T16:05:00.000Z');
    expect(both.updatedAt).toBe('2010-11-03T18:00:00.000Z');
    const updatedOnly = normalizeEntry(entry({ updated: '2010-11-03T18:00:00Z' }), { language: null });
    expect(updatedOnly.publishedAt).toBe('2010-11-03T18:00:00.000Z');
    expect(normalizeEntry(entry({ published: 'someday' }), { language: null }).publishedAt).toBeNull();
  });

  it('language comes from the entry, else the feed', () => {
    expect(normalizeEntry(entry({ language: 'fr' }), { language: 'en' }).language).toBe('fr');
    expect(normalizeEntry(entry({}), { language: 'en' }).language).toBe('en');
  });

  it('enclosures are absolute, deduped, with numeric lengths', () => {
    const item = normalizeEntry(
      entry({
        enclosures: [
          { url: '/audio/1.mp3', type: 'audio/mpeg', length: '12345' },
          { url: 'https://news.example/audio/1.mp3', type: 'audio/mpeg', length: null },
          { url: 'https://cdn.example/v.mp4', type: null, length: 'unknown' },
        ],
      }),
      { language: null },
    );
    expect(item.enclosures).toEqual([
      { url: 'https://news.example/audio/1.mp3', type: 'audio/mpeg', length: 12345 },
      { url: 'https://cdn.example/v.mp4', type: null, length: null },
    ]);
  });
});

describe('toPlainText', () => {
  it('decodes entities exactly once', () => {
    // The XML layer already turned "&amp;amp;" into "&amp;"; HTML reading decodes it once more, as RSS intends.
    expect(toPlainText(html('High winds &amp; heavy seas'))).toBe('High winds & heavy seas');
    expect(toPlainText(text('High winds & heavy seas'))).toBe('High winds & heavy seas');
  });
});
