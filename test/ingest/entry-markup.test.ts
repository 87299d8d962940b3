import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_READER_VERSION } from '../../src/ingest/entry-markup.js';
import { finishItem } from '../../src/ingest/normalize.js';
import { type EntryRead, parseFeedDrafts, parseFeedEntries } from '../../src/ingest/parse.js';
import { prepareFeed } from '../../src/ingest/prepare.js';
import { buildTopicIndex } from '../../src/topics/topic-index.js';
import { CORPUS_BASE_URL, CORPUS_DIR, corpusInputFiles } from './support/corpus.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/feeds');
const FEED_URL = 'https://feeds.example/feed.xml';
const source = { url: FEED_URL, contentType: null };

/** The markup hash → identity map a store would hold after storing every entry of the document as read. */
function storedAfter(body: Buffer, from = source): Map<string, string> {
  const read = parseFeedEntries(body, from, new Map());
  if (!read.ok) throw new Error(read.error.message);
  const stored = new Map<string, string>();
  for (const entry of read.entries) if (entry.draft && entry.markupHash) stored.set(entry.markupHash, entry.draft.identity);
  return stored;
}

function entriesOf(xml: string, stored: ReadonlyMap<string, string>): EntryRead[] {
  const read = parseFeedEntries(Buffer.from(xml), source, stored);
  if (!read.ok) throw new Error(read.error.message);
  return read.entries;
}

const recognized = (entries: EntryRead[]) => entries.map((entry) => entry.draft === null);

const rss = ({ language = 'en', lang = '', base = '', dc = 'http://purl.org/dc/elements/1.1/', doctype = '', title2 = 'Second', guid2Attrs = '' } = {}) =>
  `<?xml version="1.0"?>${doctype}
<rss version="2.0" xmlns:dc="${dc}"><channel${base ? ` xml:base="${base}"` : ''}${lang ? ` xml:lang="${lang}"` : ''}><title>Wire</title><language>${language}</language>
<lastBuildDate>Tue, 03 Mar 2026 10:00:00 GMT</lastBuildDate>
<item><title>First &amp; &cafe;</title><link>a/1</link><guid>g1</guid><dc:creator>Ann</dc:creator><description>One</description></item>
<item><title>${title2}</title><link>a/2</link><guid${guid2Attrs}>g2</guid><dc:creator>Bo</dc:creator><description>Two</description></item>
</channel></rss>`;

const rdf = (about2: string) => `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://x.example/"><title>Capital</title><link>https://x.example/</link></channel>
<item rdf:about="https://x.example/1"><title>One</title><link>https://x.example/1</link></item>
<item rdf:about="${about2}"><title>Two</title><link>https://x.example/2</link></item>
</rdf:RDF>`;

describe('entries recognized by their markup', () => {
  const doctype = '<!DOCTYPE rss [<!ENTITY cafe "café">]>';
  const first = rss({ doctype });
  const stored = storedAfter(Buffer.from(first));

  it('are every entry of a document read again, and none of a document whose entries all changed', () => {
    expect(stored.size).toBe(2);
    expect(recognized(entriesOf(first, stored))).toEqual([true, true]);
    expect(recognized(entriesOf(first.replaceAll('<description>', '<description>Now: '), stored))).toEqual([false, false]);
  });

  it('leave out an entry whose own markup changed, or one of its attributes, and only it', () => {
    expect(recognized(entriesOf(rss({ doctype, title2: 'Second, corrected' }), stored))).toEqual([true, false]);
    expect(recognized(entriesOf(rss({ doctype, guid2Attrs: ' isPermaLink="false"' }), stored))).toEqual([true, false]);
    // The entry element's own attributes lie outside the markup between its tags: RSS 1.0 names an item by one.
    const rdfStored = storedAfter(Buffer.from(rdf('https://x.example/2')));
    expect(recognized(entriesOf(rdf('https://x.example/2'), rdfStored))).toEqual([true, true]);
    expect(recognized(entriesOf(rdf('https://x.example/two'), rdfStored))).toEqual([true, false]);
  });

  it('leave out every entry when what the document lends its entries changed', () => {
    const lent = {
      'the feed\'s language': rss({ doctype, language: 'fr' }),
      'the base its links resolve against': rss({ doctype, base: 'https://elsewhere.example/' }),
      'the xml:lang it inherits': rss({ doctype, lang: 'de' }),
      'a namespace its elements are named in': rss({ doctype, dc: 'http://example.com/not-dublin-core/' }),
      'an entity its text uses': rss({ doctype: '<!DOCTYPE rss [<!ENTITY cafe "coffee">]>' }),
    };
    for (const [what, xml] of Object.entries(lent)) expect(recognized(entriesOf(xml, stored)), what).toEqual([false, false]);
    // The same document at another address resolves its relative links elsewhere.
    const moved = parseFeedEntries(Buffer.from(first), { url: 'https://mirror.example/feed.xml', contentType: null }, stored);
    expect(moved.ok && recognized(moved.entries)).toEqual([false, false]);
  });

  it('stay recognized through what a feed changes around them on every build', () => {
    const rebuilt = first.replace('10:00:00', '10:15:00').replace('<title>Wire</title>', '<title>Wire, updated</title>');
    expect(recognized(entriesOf(rebuilt, stored))).toEqual([true, true]);
  });

  it('come back as the identity the full reading gives them, in document order, across the corpus and the fixtures', () => {
    const files = [
      ...readdirSync(FIXTURES).filter((file) => /\.(rss|rdf|atom)$/.test(file)).map((file) => ({ path: join(FIXTURES, file), url: FEED_URL })),
      ...corpusInputFiles().map((file) => ({ path: join(CORPUS_DIR, file), url: CORPUS_BASE_URL + file })),
    ];
    let entries = 0;
    for (const { path, url } of files) {
      const body = readFileSync(path);
      const from = { url, contentType: null };
      const drafts = parseFeedDrafts(body, from);
      if (!drafts.ok || drafts.feed.format === 'json') continue;
      const again = parseFeedEntries(body, from, storedAfter(body, from));
      expect(again.ok, path).toBe(true);
      if (!again.ok) continue;
      expect(again.entries.map((entry) => (entry.draft === null ? entry.identity : null)), path)
        .toEqual(drafts.feed.items.map((item) => item.identity));
      entries += again.entries.length;
    }
    expect(entries).toBeGreaterThan(2500);
  });

  it('are none in a JSON Feed, whose entries are always read', () => {
    const body = readFileSync(join(FIXTURES, 'briefs.json'));
    const read = parseFeedEntries(body, source, new Map());
    expect(read.ok && read.entries.length).toBeGreaterThan(0);
    expect(read.ok && read.entries.every((entry) => entry.draft !== null && entry.markupHash === null)).toBe(true);
  });
});

describe('preparing a feed with entries recognized by their markup', () => {
  const topics = buildTopicIndex([]);
  const prepare = (xml: string, storedMarkup: Map<string, string>, storedHashes = new Map<string, string>()) => {
    const result = prepareFeed({ body: Buffer.from(xml), ...source, storedHashes, storedMarkup, feed: { id: 1, title: null } }, topics);
    if (!result.ok) throw new Error(result.error.message);
    return result;
  };
  const item = (guid: string, title: string) => `<item><guid>${guid}</guid><title>${title}</title><link>https://x.example/${guid}</link></item>`;
  const feed = (...items: string[]) => `<rss version="2.0"><channel><title>T</title>${items.join('')}</channel></rss>`;

  it('counts them unchanged and prepares the rest, each with its markup hash', () => {
    const stored = storedAfter(Buffer.from(feed(item('a', 'A'))));
    const result = prepare(feed(item('b', 'B'), item('a', 'A')), stored);
    expect(result.unchanged).toBe(1);
    expect(result.entries.map((entry) => entry.item.guid)).toEqual(['b']);
    expect(result.entries[0]!.markupHash).toMatch(/^m1:[0-9a-f]{16}$/);
    expect(stored.has(result.entries[0]!.markupHash!)).toBe(false);
  });

  it('hands back a markup hash to keep for an unchanged entry read again only when its stored one is missing or of another version', () => {
    const body = feed(item('a', 'A'), item('b', 'B'), item('c', 'C'));
    const first = prepare(body, new Map());
    const storedHashes = new Map(first.entries.map((entry) => [entry.item.identity, entry.contentHash]));
    const [a, b, c] = first.entries.map((entry) => ({ identity: entry.item.identity, markupHash: entry.markupHash! }));
    // a: stored by an older reader version; b: none stored; c: a current hash that no longer matches.
    const stored = new Map([[`m0:${a!.markupHash.slice(3)}`, a!.identity], ['m1:0123456789abcdef', c!.identity]]);
    const again = prepare(body, stored, storedHashes);
    expect([again.unchanged, again.entries.length]).toEqual([3, 0]);
    expect(again.markupHashes).toEqual([a, b]);
    // Recognized entries need nothing kept.
    expect(prepare(body, storedAfter(Buffer.from(body)), storedHashes).markupHashes).toEqual([]);
  });

  it('keeps the first of two copies of an entry, whether it was recognized or read; two entries under one guid are two', () => {
    const stored = storedAfter(Buffer.from(feed(item('a', 'A'))));
    const storedHashes = new Map<string, string>();
    const firstRead = parseFeedDrafts(Buffer.from(feed(item('a', 'A'))), source);
    if (!firstRead.ok) throw new Error('did not parse');
    // What the store holds for the entry: its content hash too, taken as prepareFeed takes it.
    const once = prepare(feed(item('a', 'A')), new Map());
    storedHashes.set(firstRead.feed.items[0]!.identity, once.entries[0]!.contentHash);
    // A copy whose markup differs (a pinned copy with a category of its own) is a repeat, after the
    // stored one or before it.
    const pinned = item('a', 'A').replace('</item>', '<category>Pinned</category></item>');
    const recognizedFirst = prepare(feed(item('a', 'A'), pinned), stored, storedHashes);
    expect([recognizedFirst.unchanged, recognizedFirst.entries.length, recognizedFirst.identityScheme]).toEqual([1, 0, 0]);
    const readFirst = prepare(feed(pinned, item('a', 'A')), stored, storedHashes);
    expect([readFirst.unchanged, readFirst.entries.map((entry) => entry.item.categories), readFirst.identityScheme]).toEqual([0, [['Pinned']], 0]);
    // Another title under the guid is another entry: both kept, the feed's entries told apart by
    // link from then on; the stored one keeps its identity.
    const another = prepare(feed(item('a', 'A'), item('a', 'A, edited')), stored, storedHashes);
    expect([another.unchanged, another.entries.map((entry) => entry.item.title), another.identityScheme]).toEqual([1, ['A, edited'], 1]);
    expect(another.identities).toEqual(['a', 'https://x.example/a']);
  });
});

describe('the entry reader\'s version', () => {
  // The drafts of every fixture's entries, as this code reads them, each with its summary as its
  // item has it (a draft may leave it to be read from the content). When this digest changes,
  // reading an entry changed: an entry recognized by its markup would keep what the older code
  // read, so ENTRY_READER_VERSION must change with it (entry-markup.ts), and the digest here. The
  // feed's own facts are read from every document anew, and are not in it.
  const DRAFTS_BY_VERSION: Record<number, string> = {
    1: 'd8771f13f7702a91c042514e096f48cc7cd44ee023e3e19460a33d9c2977da6d',
  };

  it('changes whenever what the fixtures read as changes', () => {
    const digest = createHash('sha256');
    for (const file of readdirSync(FIXTURES).filter((name) => /\.(rss|rdf|atom|json)$/.test(name)).sort()) {
      const drafts = parseFeedDrafts(readFileSync(join(FIXTURES, file)), { url: `https://feeds.example/${file}`, contentType: null });
      const read = drafts.ok ? drafts.feed.items.map((draft) => ({ ...draft, summary: finishItem(draft).summary })) : drafts;
      digest.update(`${file}\n${JSON.stringify(read)}\n`);
    }
    expect(digest.digest('hex'), 'what entries read as changed: bump ENTRY_READER_VERSION, then record the new digest')
      .toBe(DRAFTS_BY_VERSION[ENTRY_READER_VERSION]);
  });
});
