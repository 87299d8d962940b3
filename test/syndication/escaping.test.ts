// Whatever text sources put in titles, names and content, the rendered XML stays well-formed and
// reads back as the same text. Random documents are checked in one batch per format, so the real
// parsers run once rather than per sample.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDocument, DomUtils } from 'htmlparser2';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES, renderFeed, type FeedEntry } from '../../src/syndication/render.js';
import { checkWellFormed, parseWithFeedparser } from './readers.js';
import { sampleDocument, storedItem } from './sample.js';

const dir = mkdtempSync(join(tmpdir(), 'feedsieve-escaping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Any code point, lone surrogates included, with the strings that break naive writers mixed in.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom(']]>', '<![CDATA[', '&amp;', '&#0;', '&bogus;', '"\'<>&', '\uD800', '\uDFFF x', '\u0000\u0008\u000B\uFFFE', '</title>', '<!--', '?>'),
);
const text = fc.array(nasty, { maxLength: 4 }).map((parts) => parts.join(''));
const entryArb = fc.record({ title: text, author: text, category: text, feedTitle: text, html: text, other: text });

// Characters XML cannot carry are dropped; everything else must survive the round trip.
function readable(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

const samples = fc.sample(fc.array(entryArb, { minLength: 60, maxLength: 60 }), { numRuns: 1, seed: 4287 })[0] ?? [];
const entries: FeedEntry[] = samples.map((s, i) => ({
  item: storedItem({
    id: i + 1,
    title: s.title,
    authors: [s.author],
    categories: [s.category],
    feedTitle: s.feedTitle,
    contentHtml: s.html,
    url: `https://example.com/${i + 1}`,
  }),
  alsoReportedBy: [{ feedTitle: s.other, url: null }],
  sourceFeedUrl: 'https://example.com/feed.xml',
}));

describe('escaping of arbitrary source text', () => {
  it('the sample really contains the hard cases', () => {
    const all = samples.map((s) => Object.values(s).join('')).join('');
    expect(all).toMatch(/[\u0000-\u0008]/);
    expect(all).toContain(']]>');
  });

  it.each(['rss', 'atom'] as const)('%s: well-formed for xmllint, no bozo for feedparser, titles read back', (format) => {
    const xml = renderFeed(format, sampleDocument(format, entries));
    const file = join(dir, `random.${format}`);
    writeFileSync(file, xml);
    expect(checkWellFormed(file)).toEqual({ ok: true, messages: '' });
    expect(parseWithFeedparser(xml, CONTENT_TYPES[format]).bozo_exception).toBeNull();

    const doc = parseDocument(xml, { xmlMode: true, decodeEntities: true });
    const items = DomUtils.getElementsByTagName(format === 'rss' ? 'item' : 'entry', doc);
    const titles = items.map((el) => DomUtils.textContent(DomUtils.getElementsByTagName('title', el.children, false)[0] ?? []));
    expect(titles).toEqual(samples.map((s) => readable(s.title)));
    const names = items.map((el) => DomUtils.textContent(DomUtils.getElementsByTagName(format === 'rss' ? 'dc:creator' : 'name', el.children, format === 'atom')[0] ?? []));
    expect(names).toEqual(samples.map((s) => readable(s.author).trim()).map((name, i) => name || (format === 'atom' ? readable(samples[i]!.feedTitle).trim() || 'Unknown source' : '')));
  });

  it('json: parses and reads back the same titles', () => {
    const feed = JSON.parse(renderFeed('json', sampleDocument('json', entries))) as { items: { title: string }[] };
    expect(feed.items.map((item) => item.title)).toEqual(samples.map((s) => readable(s.title)));
  });
});
