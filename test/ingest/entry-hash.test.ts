import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e3EntryHash, entryHash, isUnchanged, legacyEntryHash, sha256EntryHash } from '../../src/ingest/entry-hash.js';
import type { ItemDraft } from '../../src/ingest/normalize.js';
import { prepareFeed } from '../../src/ingest/prepare.js';
import { parseFeedDrafts } from '../../src/ingest/parse.js';
import { buildTopicIndex } from '../../src/topics/topic-index.js';

const draft: ItemDraft = {
  identity: 'urn:wire:1',
  guid: 'urn:wire:1',
  url: 'https://wire.example/nato',
  title: 'NATO, Russia consider joint missile defence plan',
  summary: 'Allies met in Brussels.',
  content: { value: '<p>Allies met in <a href="/brussels">Brussels</a>.</p>', type: 'html', base: 'https://wire.example/' },
  authors: ['Jane Doe'],
  categories: ['World', 'Defence'],
  publishedAt: '2026-11-30T09:00:00.000Z',
  updatedAt: null,
  language: 'en',
  enclosures: [{ url: 'https://wire.example/a.jpg', type: 'image/jpeg', length: 1200 }],
};

describe('the change hash of an entry', () => {
  it.each<[string, Partial<ItemDraft>]>([
    ['title', { title: 'NATO, Russia reject joint missile defence plan' }],
    ['link', { url: 'https://wire.example/nato-2' }],
    ['summary', { summary: 'Allies met in Lisbon.' }],
    ['summary, read from the content', { summary: { fromContent: 'whole' } }],
    ['summary, an excerpt of the content', { summary: { fromContent: 'excerpt' } }],
    ['content', { content: { ...draft.content!, value: '<p>Allies met in Lisbon.</p>' } }],
    ['content base', { content: { ...draft.content!, base: 'https://mirror.example/' } }],
    ['no content', { content: null }],
    ['authors', { authors: ['Jane Doe', 'Li Wei'] }],
    ['categories', { categories: ['World'] }],
    ['published date', { publishedAt: '2026-11-30T10:00:00.000Z' }],
    ['updated date', { updatedAt: '2026-11-30T11:00:00.000Z' }],
    ['enclosure url', { enclosures: [{ ...draft.enclosures[0]!, url: 'https://wire.example/b.jpg' }] }],
    ['enclosure type', { enclosures: [{ ...draft.enclosures[0]!, type: null }] }],
    ['enclosure length', { enclosures: [{ ...draft.enclosures[0]!, length: 1201 }] }],
    ['no enclosure', { enclosures: [] }],
  ])('changes with the %s', (_field, change) => {
    expect(entryHash({ ...draft, ...change })).not.toBe(entryHash(draft));
  });

  it('is the same for the same fields, and ignores what a reader does not see (identity, language)', () => {
    expect(entryHash(structuredClone(draft))).toBe(entryHash(draft));
    expect(entryHash({ ...draft, identity: 'other', guid: 'other', language: 'fr' })).toBe(entryHash(draft));
  });

  it.each<[string, Partial<ItemDraft>, Partial<ItemDraft>]>([
    ['text moved from the title into the link', { title: 'ab', url: 'c' }, { title: 'a', url: 'bc' }],
    ['two authors, and one whose name has their names', { authors: ['a', 'b'] }, { authors: ['a", "b'] }],
    ['an author, and a category of the same name', { authors: ['World'], categories: [] }, { authors: [], categories: ['World'] }],
    ['no link, and the link "-"', { url: null }, { url: '-' }],
    ['a summary read from the content, and one written like its mark', { summary: { fromContent: 'whole' } }, { summary: '~whole' }],
    ['the content\'s text whole, and an excerpt of it', { summary: { fromContent: 'whole' } }, { summary: { fromContent: 'excerpt' } }],
  ])('tells apart %s', (_case, a, b) => {
    expect(entryHash({ ...draft, ...a })).not.toBe(entryHash({ ...draft, ...b }));
  });

  // The framed fields' UTF-8 hashed by the reference implementation (xxhsum -H64, xxHash 0.8.1),
  // and the hashes stored by the formats before: e3 differs from e4 only in its prefix and where a
  // summary is read from the content, which e3 hashed as text.
  it.each<[string, Partial<ItemDraft>, string, string, string]>([
    ['every field set', {}, 'e4:b30cf08ae77ad77a', 'e3:b30cf08ae77ad77a',
      'e2:909c7ec5483df3795e18cde3447eb362b1798b5e071f0b612049e41ca9a796f0'],
    ['fields missing or empty, text beyond ASCII', { content: null, url: null, authors: [], summary: 'Zoë “quoted” 日本',
      enclosures: [{ url: 'https://wire.example/a.jpg', type: null, length: null }] },
    'e4:288eb29bf0e7468d', 'e3:288eb29bf0e7468d', 'e2:6fa5ccfffd6f27761f1a0df06b31a2d1ad870885fa53ba03805547f266f413dd'],
    ['lone surrogates at the ends of fields', { title: 'ends high \uD83D', url: '\uDE00 starts low', authors: ['\uD83D', '\uDE00'],
      categories: ['x\uD83D'], publishedAt: null }, 'e4:77e90247a16b736f', 'e3:77e90247a16b736f',
    'e2:dede11a9a99e3857f1bfda8f0cf8254fb4e41fcbbe4afe37022ddb6e0c20059a'],
    ['the summary read from the content', { summary: { fromContent: 'whole' } }, 'e4:18b648172b662247',
      'e3:b30cf08ae77ad77a', 'e2:909c7ec5483df3795e18cde3447eb362b1798b5e071f0b612049e41ca9a796f0'],
  ])('is, with %s, the hash already stored for such an entry', (_case, change, stored, storedE3, storedSha256) => {
    // Hashes stored by earlier releases: a different one would take every stored entry for changed.
    expect(entryHash({ ...draft, ...change })).toBe(stored);
    expect(e3EntryHash({ ...draft, ...change })).toBe(storedE3);
    expect(sha256EntryHash({ ...draft, ...change })).toBe(storedSha256);
  });

  it('hashes a summary read from the content, for the formats before, as the text it was drafted as then', () => {
    // What draftEntry made of a description alone before DraftSummary: its text, read from the HTML.
    const asText = { ...draft, summary: 'Allies met in Brussels.' };
    const fromContent = { ...draft, summary: { fromContent: 'whole' as const } };
    expect(e3EntryHash(fromContent)).toBe(e3EntryHash(asText));
    expect(sha256EntryHash(fromContent)).toBe(sha256EntryHash(asText));
    expect(legacyEntryHash(fromContent)).toBe(legacyEntryHash(asText));
    expect(isUnchanged(e3EntryHash(asText), fromContent, entryHash(fromContent))).toBe(true);
    expect(e3EntryHash({ ...draft, summary: { fromContent: 'excerpt' } })).toBe(e3EntryHash(asText));
  });

  it('takes a hash stored in an earlier format for the entry it was made from, and only for it', () => {
    const changed = { ...draft, summary: 'Allies met in Lisbon.' };
    expect(isUnchanged(legacyEntryHash(draft), draft, entryHash(draft))).toBe(true);
    expect(isUnchanged(legacyEntryHash(draft), changed, entryHash(changed))).toBe(false);
    expect(isUnchanged(sha256EntryHash(draft), draft, entryHash(draft))).toBe(true);
    expect(isUnchanged(sha256EntryHash(draft), changed, entryHash(changed))).toBe(false);
    expect(isUnchanged(e3EntryHash(draft), draft, entryHash(draft))).toBe(true);
    expect(isUnchanged(e3EntryHash(draft), changed, entryHash(changed))).toBe(false);
    expect(isUnchanged(entryHash(draft), draft, entryHash(draft))).toBe(true);
    expect(isUnchanged(entryHash(draft), changed, entryHash(changed))).toBe(false);
    expect(isUnchanged(undefined, draft, entryHash(draft))).toBe(false);
  });

  // world-wire.rss has descriptions alone, whose summaries are read from the content, and
  // capital-report.rdf only those.
  it.each([
    ['the first format (JSON)', legacyEntryHash, 'world-wire.rss'],
    ['the SHA-256 format', sha256EntryHash, 'world-wire.rss'],
    ['the e3 format', e3EntryHash, 'world-wire.rss'],
    ['the e3 format', e3EntryHash, 'capital-report.rdf'],
  ])('keeps entries stored under %s unchanged when their feed is read again (%s)', (_format, storedHash, name) => {
    const file = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/feeds', name);
    const body = readFileSync(file);
    const source = { url: `https://feeds.example/${name}`, contentType: null };
    const parsed = parseFeedDrafts(body, source);
    if (!parsed.ok) throw new Error('fixture did not parse');
    const stored = new Map(parsed.feed.items.map((item) => [item.identity, storedHash(item)]));
    const [first] = parsed.feed.items;
    stored.set(first!.identity, storedHash({ ...first!, title: 'An earlier title' }));
    const result = prepareFeed({ body, ...source, storedHashes: stored, storedMarkup: new Map(), feed: { id: 1, title: null } }, buildTopicIndex([]));
    expect(result.ok && result.entries.map((entry) => entry.item.identity)).toEqual([first!.identity]);
    expect(result.ok && result.unchanged).toBe(parsed.feed.items.length - 1);
    expect(result.ok && result.entries[0]!.contentHash).toBe(entryHash(first!));
  });
});
