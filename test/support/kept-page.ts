import { createHash } from 'node:crypto';
import { createFeedCache, type RenderedFeed } from '../../src/http/feed-cache.js';

/** An RSS page of `items` items, as large as a busy topic's at a few thousand. */
export function rssPage(items: number): Buffer {
  return Buffer.from(`<rss version="2.0"><channel><title>NATO</title>${
    Array.from({ length: items }, (_, i) => `<item><title>NATO summit, report ${i}</title><guid>urn:x:${i}</guid></item>`).join('')
  }</channel></rss>`);
}

/** The page kept in a feed cache, in the pieces given by `splitAt` (whole without it). */
export function keptPage(body: Buffer, splitAt?: number): RenderedFeed {
  return createFeedCache().set('nato', 'nato.rss', {
    parts: splitAt === undefined ? [body] : [body.subarray(0, splitAt), body.subarray(splitAt)],
    digest: createHash('sha256').update(body).digest(),
    lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml; charset=utf-8',
  });
}
