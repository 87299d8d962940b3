import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sendFeed } from '../../src/http/feed-response.js';
import { keptPage, rssPage } from '../support/kept-page.js';
import { getRaw, listenLocal } from '../support/raw-http.js';

// A page as large as a busy topic's: gzip takes milliseconds over it.
const BODY = rssPage(4000);

describe('a feed page sent compressed', () => {
  it('is compressed off the event loop, once for all the requests that ask meanwhile, then kept', async () => {
    const feed = keptPage(BODY, 1000);
    // The first three requests are answered in one turn of the event loop, before any compression
    // could finish; later ones as they come.
    let held: [IncomingMessage, ServerResponse][] = [];
    let together = 3;
    const answered: { endedOnReturn: boolean; waitedOn: Promise<Buffer> | undefined }[] = [];
    const base = await listenLocal((req, res) => {
      held.push([req, res]);
      if (held.length < together) return;
      for (const [heldReq, heldRes] of held) {
        sendFeed(feed, heldReq, heldRes, 900);
        answered.push({ endedOnReturn: heldRes.writableEnded, waitedOn: feed.encoding.gzip });
      }
      held = [];
      together = 1;
    });
    const url = `${base}/topics/nato.rss`;

    const first = await Promise.all([getRaw(url, 'gzip'), getRaw(url, 'gzip'), getRaw(url, 'gzip')]);
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

    const again = await getRaw(url, 'gzip');
    expect(answered[3]!.endedOnReturn).toBe(true); // the kept body, sent at once
    expect(again.body.equals(first[0]!.body)).toBe(true);
    const plain = await getRaw(url, 'identity');
    expect(answered[4]!.endedOnReturn).toBe(true);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(BODY)).toBe(true);
  });
});

describe('a reader that leaves while its page is compressed', () => {
  it('is sent nothing, and the compression is kept for the next reader', async () => {
    const feed = keptPage(BODY);
    let left: { res: ServerResponse; closed: Promise<void> } | null = null;
    const base = await listenLocal((req, res) => {
      sendFeed(feed, req, res, 900);
      if (left) return;
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      // The reader's connection goes while the compression runs on the thread pool.
      req.socket.destroy();
      left = { res, closed };
    });
    const url = `${base}/topics/nato.rss`;

    await expect(getRaw(url, 'gzip')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(left).not.toBeNull();
    const { res, closed } = left!;
    await closed;
    expect(feed.encoded.gzip).toBeUndefined(); // the compression was still under way when the reader left
    await feed.encoding.gzip;
    // Had the answer been written, the response would be ended and its headers sent.
    expect(res.writableEnded).toBe(false);
    expect(res.headersSent).toBe(false);
    expect(feed.encoded.gzip).toBeInstanceOf(Buffer);

    const next = await getRaw(url, 'gzip');
    expect(next.headers['content-encoding']).toBe('gzip');
    expect(next.body.equals(feed.encoded.gzip!)).toBe(true);
    expect(gunzipSync(next.body).equals(BODY)).toBe(true);
  });
});
