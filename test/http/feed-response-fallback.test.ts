import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';

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

const { createFeedCache } = await import('../../src/http/feed-cache.js');
const { sendFeed } = await import('../../src/http/feed-response.js');

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

const BODY = Buffer.from(`<rss version="2.0"><channel><title>NATO</title>${
  Array.from({ length: 500 }, (_, i) => `<item><title>NATO summit, report ${i}</title></item>`).join('')
}</channel></rss>`);

function getRaw(base: string, encoding: string): Promise<{ headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('a feed page whose compression fails', () => {
  it('goes out plain, whole and with its length, and the next request compresses it again', async () => {
    const feed = createFeedCache().set('nato', 'nato.rss', {
      parts: [BODY.subarray(0, 700), BODY.subarray(700)], digest: createHash('sha256').update(BODY).digest(),
      lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml; charset=utf-8',
    });
    server = createServer((req, res) => sendFeed(feed, req, res, 900)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const plain = await getRaw(base, 'gzip');
    expect(failures.gzipCalls).toBe(1);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(plain.headers['content-length'])).toBe(BODY.length);
    expect(plain.body.equals(BODY)).toBe(true);
    expect(feed.encoded.gzip).toBeUndefined();
    expect(feed.encoding.gzip).toBeUndefined();

    const compressed = await getRaw(base, 'gzip');
    expect(failures.gzipCalls).toBe(2);
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(compressed.body).equals(BODY)).toBe(true);
    expect(feed.encoded.gzip?.equals(compressed.body)).toBe(true);
  });
});
