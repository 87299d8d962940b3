import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import { prepareFeed, type PreparedEntry, type PrepareResult } from '../../src/ingest/prepare.js';
import { decodePrepared, encodePrepared } from '../../src/ingest/prepared-wire.js';
import { buildTopicIndex } from '../../src/topics/topic-index.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/feeds');
const TOPICS = buildTopicIndex([
  { slug: 'nato', query: 'NATO' }, { slug: 'defence', query: '"missile defense" OR shield' }, { slug: 'russia', query: 'Russia*' },
]);

/** What crosses from a worker to the main thread: a structured clone, as postMessage makes it. */
const crossed = (result: PrepareResult): PrepareResult => decodePrepared(deserialize(serialize(encodePrepared(result))));

const prepared = (file: string): PrepareResult => prepareFeed({
  body: readFileSync(join(FIXTURES, file)), url: `https://feeds.example/${file}`, contentType: null,
  storedHashes: new Map(), storedMarkup: new Map(), feed: { id: 3, title: null },
}, TOPICS);

const nullable = (value: fc.Arbitrary<string>) => fc.option(value, { nil: null });
const words = fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 });
const item: fc.Arbitrary<Item> = fc.record({
  identity: fc.string(), guid: nullable(fc.string()), url: nullable(fc.webUrl()), title: fc.string(), summary: fc.string(),
  contentHtml: fc.string(), authors: words, categories: words, publishedAt: nullable(fc.string()), updatedAt: nullable(fc.string()),
  language: nullable(fc.constantFrom('en', 'de-AT')),
  enclosures: fc.array(fc.record({ url: fc.webUrl(), type: nullable(fc.string()), length: fc.option(fc.nat(), { nil: null }) }), { maxLength: 2 }),
  sanitizedWith: fc.nat({ max: 9 }),
}, { requiredKeys: ['identity', 'guid', 'url', 'title', 'summary', 'contentHtml', 'authors', 'categories', 'publishedAt', 'updatedAt', 'language', 'enclosures'] });
const entry: fc.Arbitrary<PreparedEntry> = fc.record({
  item,
  contentHash: fc.string(),
  markupHash: nullable(fc.string()),
  matches: fc.array(fc.record({ slug: fc.string(), terms: words }), { maxLength: 5 }),
  storyLead: fc.string(),
});

describe('a prepared feed encoded for its way between threads', () => {
  it('decodes to what was prepared, for every feed fixture', () => {
    const files = readdirSync(FIXTURES).filter((file) => /\.(rss|atom|rdf|json|xml)$/.test(file));
    expect(files.length).toBeGreaterThanOrEqual(5);
    let matched = 0;
    for (const file of files) {
      const result = prepared(file);
      expect(crossed(result), file).toEqual(result);
      if (result.ok) matched += result.entries.filter((e) => e.matches.length > 0).length;
    }
    // The fixtures' matches crossed too, not only empty lists.
    expect(matched).toBeGreaterThan(0);
  });

  it('decodes any entries to what was encoded: nulls, empty and missing fields, enclosures, matches', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 6 }), fc.nat({ max: 3 }), (entries, unchanged) => {
      const result: PrepareResult = {
        ok: true, feed: { format: 'rss', title: null, siteUrl: null, language: null, minIntervalMinutes: null, hubUrl: null, selfUrl: null },
        entries, unchanged, markupHashes: [{ identity: 'a', markupHash: 'm' }], identities: entries.map((e) => e.item.identity), identityScheme: 2,
      };
      expect(crossed(result)).toEqual(result);
    }), { numRuns: 300 });
  });

  it('gives items their fields in the order the reader builds them', () => {
    const result = prepared('world-wire.rss');
    if (!result.ok) throw new Error('fixture did not parse');
    const decoded = crossed(result);
    if (!decoded.ok) throw new Error('decoded an error');
    decoded.entries.forEach((e, i) => expect(Object.keys(e.item)).toEqual(Object.keys(result.entries[i]!.item)));
  });

  it('makes a result that does not decode its feed\'s error, and throws nothing', () => {
    const wire = encodePrepared(prepared('world-wire.rss'));
    if (!wire.ok) throw new Error('fixture did not parse');
    // A negative count of matches: an array of that length cannot be made.
    wire.entries.counts[3] = -1;
    const decoded = decodePrepared(wire);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatchObject({ kind: 'internal', message: expect.stringContaining('reading a prepared feed') });
  });

  it('passes an error through as it is', () => {
    const result = prepared('broken.rss');
    expect(result.ok).toBe(false);
    expect(crossed(result)).toEqual(result);
  });
});
