import { describe, expect, it } from 'vitest';
import { renderFeed, renderFeedBytes, type FeedFormat } from '../../src/syndication/render.js';
import { degenerateStory, sampleDocument } from './sample.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const withEveryStory = (format: FeedFormat) => sampleDocument(format, [...sampleDocument(format).entries, degenerateStory]);

// Feeds are rendered entry by entry and encoded piece by piece (render.ts, renderFeedBytes); the
// recorded documents were written by the renderer that built each document as one string.
describe('a rendered topic feed, byte for byte', () => {
  it.each(FORMATS)('%s: the sample document renders as recorded', async (format) => {
    await expect(renderFeed(format, withEveryStory(format))).toMatchFileSnapshot(`__snapshots__/sample.${format}`);
  });

  it.each(FORMATS)('%s: a document without entries renders as recorded', async (format) => {
    await expect(renderFeed(format, sampleDocument(format, []))).toMatchFileSnapshot(`__snapshots__/empty.${format}`);
  });

  it.each(FORMATS)('%s: the bytes served are the document encoded as UTF-8', (format) => {
    for (const doc of [withEveryStory(format), sampleDocument(format, []), sampleDocument(format, [degenerateStory])]) {
      expect(renderFeedBytes(format, doc).equals(Buffer.from(renderFeed(format, doc), 'utf8'))).toBe(true);
    }
  });

  it('lays JSON Feed out as JSON.stringify with two spaces does, items and all', () => {
    for (const doc of [withEveryStory('json'), sampleDocument('json', []), sampleDocument('json', [degenerateStory])]) {
      const json = renderFeed('json', doc);
      expect(json).toBe(`${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    }
  });
});
