import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FeedEntry, type FeedFormat, feedPage, renderEntry, renderFeed, renderFeedBytes } from '../../src/syndication/render.js';
import { degenerateStory, hostileStory, sampleDocument, seedStory, storedItem, stormStory } from './sample.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

function page(format: FeedFormat, title: string, entries: FeedEntry[]) {
  const { entries: _, ...header } = sampleDocument(format, []);
  return feedPage(format, { ...header, title }, entries.map((entry) => renderEntry(format, entry)));
}

// The page's ETag is its digest (http/feed-cache.ts): a reader holding it is answered 304 only
// while the bytes it has are the bytes the page would send.
describe('feedPage', () => {
  it.each(FORMATS)('%s: its parts are the document renderFeedBytes writes', (format) => {
    for (const entries of [[seedStory, stormStory, hostileStory, degenerateStory], [seedStory], []]) {
      const doc = sampleDocument(format, entries);
      const { entries: _, ...header } = doc;
      const { parts } = feedPage(format, header, entries.map((entry) => renderEntry(format, entry)));
      expect(Buffer.concat(parts).equals(renderFeedBytes(format, doc))).toBe(true);
      // And the document the string renderer writes, which shares none of the page's assembly.
      expect(Buffer.concat(parts).equals(Buffer.from(renderFeed(format, doc), 'utf8'))).toBe(true);
    }
  });

  it.each(FORMATS)('%s: the digest follows every byte: an entry edited, dropped or moved, the header renamed', (format) => {
    const entries = [seedStory, stormStory, hostileStory];
    const digest = page(format, 'NATO', entries).digest;
    expect(page(format, 'NATO', entries).digest.equals(digest)).toBe(true);
    const edited = { ...stormStory, item: { ...stormStory.item, title: `${stormStory.item.title}!` } };
    const variants = [
      page(format, 'NATO', [seedStory, edited, hostileStory]),
      page(format, 'NATO', [seedStory, stormStory]),
      page(format, 'NATO', [stormStory, seedStory, hostileStory]),
      page(format, 'NATO!', entries),
      page(format, 'NATO', []),
    ];
    for (const variant of variants) expect(variant.digest.equals(digest)).toBe(false);
  });

  it('gives two pages the same digest exactly when they have the same bytes', () => {
    // Few letters, so that different pages often differ in a byte or two.
    const word = fc.string({ unit: fc.constantFrom('a', 'b', '<', ']]>', 'é'), maxLength: 3 });
    const entry = fc.record({ id: fc.integer({ min: 1, max: 2 }), title: word, contentHtml: word })
      .map(({ id, title, contentHtml }): FeedEntry => ({ item: storedItem({ id, title, contentHtml }), alsoReportedBy: [] }));
    const pageOf = fc.record({ format: fc.constantFrom(...FORMATS), title: word, entries: fc.array(entry, { maxLength: 3 }) });
    // Half the pairs are one page built twice, from copies of its entries.
    const pair = fc.tuple(pageOf, pageOf, fc.boolean()).map(([a, b, same]) => [a, same ? { ...a, entries: a.entries.map((e) => ({ ...e })) } : b] as const);
    let same = 0;
    fc.assert(fc.property(pair, ([a, b]) => {
      const [one, two] = [page(a.format, a.title, a.entries), page(b.format, b.title, b.entries)];
      const equalBytes = Buffer.concat(one.parts).equals(Buffer.concat(two.parts));
      if (equalBytes) same++;
      expect(one.digest.equals(two.digest)).toBe(equalBytes);
    }), { numRuns: 500 });
    expect(same).toBeGreaterThan(100);
  });
});
