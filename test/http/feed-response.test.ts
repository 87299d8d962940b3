import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createFeedCache } from '../../src/http/feed-cache.js';
import { sendFeed } from '../../src/http/feed-response.js';

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

// A page as large as a busy topic's: gzip takes milliseconds over it.
const BODY = Buffer.from(`<rss version="2.0"><channel><title>NATO</title>${
  Array.from({ length: 4000 }, (_, i) => `<item><title>NATO summit, report ${i}</title><guid>urn:x:${i}</guid></item>`).join('')
}</channel></rss>`);

function getRaw(base: string, encoding: string): Promise<{ headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${base}/topics/nato.rss`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('a feed page sent compressed', () => {
  it('is compressed off the event loop, once for all the requests that ask meanwhile, then kept', async () => {
    const feed = createFeedCache().set('nato', 'nato.rss', {
      parts: [BODY.subarray(0, 1000), BODY.subarray(1000)], digest: createHash('sha256').update(BODY).digest(),
      lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml; charset=utf-8',
    });
    // The first three requests are answered in one turn of the event loop, before any compression
    // could finish; later ones as they come.
    let held: [IncomingMessage, ServerResponse][] = [];
    let together = 3;
    const answered: { endedOnReturn: boolean; waitedOn: Promise<Buffer> | undefined }[] = [];
    server = createServer((req, res) => {
      held.push([req, res]);
      if (held.length < together) return;
      for (const [heldReq, heldRes] of held) {
        sendFeed(feed, heldReq, heldRes, 900);
        answered.push({ endedOnReturn: heldRes.writableEnded, waitedOn: feed.encoding.gzip });
      }
      held = [];
      together = 1;
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const first = await Promise.all([getRaw(base, 'gzip'), getRaw(base, 'gzip'), getRaw(base, 'gzip')]);
    expect(answered.map((a) => a.endedOnReturn)).toEqual([false, false, false]);
    expect(answered[0]!.waitedOn).toBeInstanceOf(Promise);
    expect(new Set(answered.map((a) => a.waitedOn)).size).toBe(1);
    for (const { headers, body } of first) {
      expect(headers['content-encoding']).toBe('gzip');
      expect(Number(headers['content-length'])).toBe(body.length);
      expect(body.length).toBeLessThan(BODY.length / 4);
      expect(gunzipSync(body).equals(BODY)).toBe(true);
    }
    expect(feed.encoded.gzip?.equals(first[0]!.body)).toBe(true);

    const again = await getRaw(base, 'gzip');
    expect(answered[3]!.endedOnReturn).toBe(true); // the kept body, sent at once
    expect(again.body.equals(first[0]!.body)).toBe(true);
    const plain = await getRaw(base, 'identity');
    expect(answered[4]!.endedOnReturn).toBe(true);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(BODY)).toBe(true);
  });
});

describe('a reader that leaves while its page is compressed', () => {
  it('is sent nothing, and the compression is kept for the next reader', async () => {
    const feed = createFeedCache().set('nato', 'nato.rss', {
      parts: [BODY], digest: createHash('sha256').update(BODY).digest(),
      lastModified: new Date('2026-11-20T10:00:00Z'), contentType: 'application/rss+xml; charset=utf-8',
    });
    let left: { res: ServerResponse; closed: Promise<void> } | null = null;
    server = createServer((req, res) => {
      if (left) {
        sendFeed(feed, req, res, 900);
        return;
      }
      sendFeed(feed, req, res, 900);
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      // The reader's connection goes while the compression runs on the thread pool.
      req.socket.destroy();
      left = { res, closed };
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    await expect(getRaw(base, 'gzip')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(left).not.toBeNull();
    const { res, closed } = left!;
    await closed;
    expect(feed.encoded.gzip).toBeUndefined(); // the compression was still under way when the reader left
    await feed.encoding.gzip;
    // Had the answer been written, the response would be ended and its headers sent.
    expect(res.writableEnded).toBe(false);
    expect(res.headersSent).toBe(false);
    expect(feed.encoded.gzip).toBeInstanceOf(Buffer);

    const next = await getRaw(base, 'gzip');
    expect(next.headers['content-encoding']).toBe('gzip');
    expect(next.body.equals(feed.encoded.gzip!)).toBe(true);
    expect(gunzipSync(next.body).equals(BODY)).toBe(true);
  });
});
