import { gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';

// zlib fails on a valid buffer only when memory runs out: the one compression that fails here is
// the first gzip asked for, every other call is zlib's own.
const failures = vi.hoisted(() => ({ gzipLeft: 1, gzipCalls: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  const gzip = (buffer: Buffer, options: object, callback: (error: Error | null, result?: Buffer) => void) => {
    failures.gzipCalls++;
    if (failures.gzipLeft > 0) {
      failures.gzipLeft--;
      setImmediate(() => callback(new Error('Cannot allocate memory')));
      return;
    }
    zlib.gzip(buffer, options, callback);
  };
  return { ...zlib, gzip, default: { ...zlib, gzip } };
});

const { sendFeed } = await import('../../src/http/feed-response.js');
const { getRaw, listenLocal } = await import('../support/raw-http.js');
const { keptPage, rssPage } = await import('../support/kept-page.js');

const BODY = rssPage(500);

describe('a feed page whose compression fails', () => {
  it('goes out plain, whole and with its length, and the next request compresses it again', async () => {
    const feed = keptPage(BODY, 700);
    const base = await listenLocal((req, res) => sendFeed(feed, req, res, 900));
    const url = `${base}/topics/nato.rss`;

    const plain = await getRaw(url, 'gzip');
    expect(failures.gzipCalls).toBe(1);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(plain.headers['content-length'])).toBe(BODY.length);
    expect(plain.body.equals(BODY)).toBe(true);
    expect(feed.encoded.gzip).toBeUndefined();
    expect(feed.encoding.gzip).toBeUndefined();

    const compressed = await getRaw(url, 'gzip');
    expect(failures.gzipCalls).toBe(2);
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(compressed.body).equals(BODY)).toBe(true);
    expect(feed.encoded.gzip?.equals(compressed.body)).toBe(true);
  });
});
