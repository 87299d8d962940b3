// The rendered feeds as real readers and validators see them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES, renderFeed, type FeedFormat } from '../../src/syndication/render.js';
import { readWithNewsboat } from './newsboat.js';
import { checkWellFormed, parseWithFeedparser, validateRelaxNg } from './readers.js';
import { degenerateStory, sampleDocument, seedStory } from './sample.js';

const ATOM_RNG = resolve(import.meta.dirname, '../fixtures/schemas/atom.rng');
const dir = mkdtempSync(join(tmpdir(), 'feedsieve-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeRendered(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

// What every reader must see, in document order.
const EXPECTED = [
  { id: 'tag:feedsieve,2026:item/12', title: 'NATO, Russia consider joint missile defence plan', link: 'https://worldwire.example/world/2010/11/03/nato-russia-missile-defence' },
  { id: 'tag:feedsieve,2026:item/15', title: 'High winds & heavy seas', link: 'https://worldwire.example/uk/2010/11/03/storm-ferries' },
  { id: 'tag:feedsieve,2026:item/31', title: 'Markup <b>in</b> a title ]]> & a "quote"', link: 'https://easterndesk.example/news/88190' },
];

// Debian's python3-feedparser (6.0.x) has no JSON Feed parser; the JSON output is checked against
// the JSON Feed schema below instead.
describe('feedparser (python3-feedparser)', () => {
  it.each(['rss', 'atom'] as const)('%s: parses without bozo and with the expected entries', (format) => {
    const parsed = parseWithFeedparser(renderFeed(format, sampleDocument(format)), CONTENT_TYPES[format]);
    expect(parsed.bozo_exception).toBeNull();
    expect(parsed.bozo).toBe(0);
    expect(parsed.version).toBe(format === 'rss' ? 'rss20' : 'atom10');
    expect(parsed.feed.title).toBe('NATO & friends');
    expect(parsed.entries.map(({ id, title, link }) => ({ id, title, link }))).toEqual(EXPECTED);
  });

  it.each(['rss', 'atom'] as FeedFormat[])('%s: source, authors, categories and content come through', (format) => {
    const [seed, , hostile] = parseWithFeedparser(renderFeed(format, sampleDocument(format)), CONTENT_TYPES[format]).entries;
    expect(seed?.source?.title).toBe('World Wire');
    expect(seed?.authors.map((a) => a.name)).toEqual(['World Wire staff']);
    expect(seed?.tags.map((t) => t.term)).toEqual(['World', 'Defence']);
    expect(seed?.content[0]?.value).toContain('Also reported by: <a href="https://easterndesk.example/news/88213">Eastern Desk</a>');
    expect(hostile?.authors.map((a) => a.name)).toEqual(['Tom & Jerry <desk@example>']);
    expect(hostile?.content[0]?.value).not.toMatch(/<script|onerror|javascript:/i);
  });

  it('atom: the feed links to its hub, its next page and the page for humans', () => {
    const parsed = parseWithFeedparser(renderFeed('atom', sampleDocument('atom')), CONTENT_TYPES.atom);
    const rels = Object.fromEntries(parsed.feed.links.filter((l) => l.rel !== 'alternate').map((l) => [l.rel, l.href]));
    expect(rels).toMatchObject({ hub: 'https://hub.example/', next: 'http://127.0.0.1:8080/topics/nato/feed.atom?before=31' });
    expect(parsed.feed.id).toBe('tag:feedsieve,2026:topic/nato');
  });
});

describe('xmllint', () => {
  it('atom: validates against the RELAX NG grammar of RFC 4287', () => {
    const result = validateRelaxNg(writeRendered('feed.atom', renderFeed('atom', sampleDocument('atom'))), ATOM_RNG);
    expect(result.messages).toContain('validates');
    expect(result.ok).toBe(true);
  });

  it('atom: every entry has an author of its own or in its atom:source (RFC 4287 §4.1.2, outside RELAX NG)', () => {
    const xml = renderFeed('atom', sampleDocument('atom'));
    const entries = xml.split('<entry>').slice(1);
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect(entry).toMatch(/<author><name>[^<]+<\/name><\/author>/);
  });

  it.each([
    ['a feed without <id>', (xml: string) => xml.replace('<id>tag:feedsieve,2026:topic/nato</id>', '')],
    ['an entry without <id>', (xml: string) => xml.replace('<id>tag:feedsieve,2026:item/12</id>', '')],
    ['an entry without <updated>', (xml: string) => xml.replace('<updated>2010-11-03T10:00:00.000Z</updated>', '')],
    ['an unparseable date', (xml: string) => xml.replace('2010-11-03T10:00:00.000Z', 'Wed, 03 Nov 2010')],
    ['a link without href', (xml: string) => xml.replace('<link rel="hub" href="https://hub.example/"/>', '<link rel="hub"/>')],
  ])('the schema rejects %s', (_name, corrupt) => {
    const good = renderFeed('atom', sampleDocument('atom'));
    const bad = corrupt(good);
    expect(bad).not.toBe(good);
    const result = validateRelaxNg(writeRendered('bad.atom', bad), ATOM_RNG);
    expect(result.ok).toBe(false);
    expect(result.messages).toContain('fails to validate');
  });

  it('rss: is well-formed XML', () => {
    const result = checkWellFormed(writeRendered('feed.rss', renderFeed('rss', sampleDocument('rss'))));
    expect(result.messages).toBe('');
    expect(result.ok).toBe(true);
  });
});

describe('JSON Feed 1.1 schema (jsonfeed-schema)', () => {
  const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules/jsonfeed-schema/schema-v1.1.json'), 'utf8')) as object;
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('the rendered feed validates', () => {
    const valid = validate(JSON.parse(renderFeed('json', sampleDocument('json'))));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the feed holds the expected entries', () => {
    const feed = JSON.parse(renderFeed('json', sampleDocument('json'))) as { items: { id: string; title: string; url: string }[] };
    expect(feed.items.map(({ id, title, url }) => ({ id, title, link: url }))).toEqual(EXPECTED);
  });

  it('the schema rejects an item without id', () => {
    const feed = JSON.parse(renderFeed('json', sampleDocument('json'))) as { items: Record<string, unknown>[] };
    delete feed.items[0]?.id;
    expect(validate(feed)).toBe(false);
  });
});

describe('newsboat', () => {
  it.each(['rss', 'atom'] as const)('%s: stores exactly the expected entries, titles and links', async (format) => {
    const read = await readWithNewsboat(renderFeed(format, sampleDocument(format)), CONTENT_TYPES[format]);
    expect(read.feed).toEqual({ title: 'NATO & friends', url: 'http://127.0.0.1:8080/topics/nato' });
    const byGuid = [...read.items].sort((a, b) => a.guid.localeCompare(b.guid, 'en', { numeric: true }));
    expect(byGuid.map(({ guid, title, url }) => ({ id: guid, title, link: url }))).toEqual(EXPECTED);
    expect(byGuid[0]?.content).toContain('Also reported by');
    expect(byGuid.every((item) => !/<script/i.test(item.content))).toBe(true);
  }, 40_000);
});

describe('a worst-case stored item', () => {
  const entries = [seedStory, degenerateStory];

  it('atom: still validates against RFC 4287', () => {
    const xml = renderFeed('atom', sampleDocument('atom', entries));
    expect(xml).toContain('<link rel="enclosure" href="https://files.example/b.mp3"/>');
    expect(xml).not.toContain('javascript:');
    expect(validateRelaxNg(writeRendered('worst.atom', xml), ATOM_RNG).ok).toBe(true);
  });

  it.each(['rss', 'atom'] as const)('%s: feedparser reads it without complaint', (format) => {
    const parsed = parseWithFeedparser(renderFeed(format, sampleDocument(format, entries)), CONTENT_TYPES[format]);
    expect(parsed.bozo_exception).toBeNull();
    expect(parsed.entries.map((e) => e.id)).toEqual(['tag:feedsieve,2026:item/12', 'tag:feedsieve,2026:item/44']);
    expect(parsed.entries[1]?.link ?? '').not.toContain('javascript');
  });

  it('rss: the item falls back to first-seen time and a generic enclosure type', () => {
    const worst = renderFeed('rss', sampleDocument('rss', entries)).split('<item>')[2] ?? '';
    expect(worst).toContain('<pubDate>Wed, 03 Nov 2010 07:00:00 GMT</pubDate>');
    expect(worst).toContain('<enclosure url="https://files.example/b.mp3" length="0" type="application/octet-stream"/>');
    expect(worst).not.toMatch(/<dc:creator>|<category>|<link>|<source/);
  });

  it('json: still validates against the JSON Feed schema', () => {
    const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules/jsonfeed-schema/schema-v1.1.json'), 'utf8')) as object;
    const ajv = new Ajv.default({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(renderFeed('json', sampleDocument('json', entries))))).toBe(true);
  });
});
