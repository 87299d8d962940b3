import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchFeed, parseRetryAfter, type FetchLimits, type FetchOutcome } from '../../src/ingest/fetch.js';
import { startFaultServer, startSilentServer, type FaultServer } from '../support/fault-server.js';
import { testFetchLimits } from '../support/fetch-limits.js';

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>World Wire</title></channel></rss>';
const noValidators = { etag: null, lastModified: null };

const limits = (overrides: Partial<FetchLimits> = {}): FetchLimits =>
  testFetchLimits({ userAgent: 'feedsieve-test/0.1 (+https://feedsieve.example/bot)', ...overrides });

function expectError(outcome: FetchOutcome) {
  if (outcome.status !== 'error') throw new Error(`expected an error, got ${outcome.status}`);
  return outcome;
}

function expectOk(outcome: FetchOutcome) {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('fetchFeed over HTTP', () => {
  let server: FaultServer;
  const bigBody = Buffer.alloc(2 * 1024 * 1024, 'a');

  beforeAll(async () => {
    server = await startFaultServer({
      '/feed': {
        body: RSS,
        headers: { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Tue, 24 Nov 2026 10:00:00 GMT' },
      },
      '/conditional': (req) =>
        req.headers['if-none-match'] === '"v1"' ? { status: 304 } : { body: RSS, headers: { etag: '"v1"' } },
      '/gzip': { body: RSS, encoding: 'gzip' },
      '/br': { body: RSS, encoding: 'br' },
      '/deflate': { body: RSS, encoding: 'deflate' },
      '/gzip-bomb': { body: Buffer.alloc(10 * 1024 * 1024), encoding: 'gzip' },
      '/big': { body: bigBody },
      '/big-chunked': { body: bigBody, chunked: true },
      '/unknown-coding': { body: RSS, headers: { 'content-encoding': 'compress' } },
      '/drip': { body: 'x'.repeat(20), drip: { intervalMs: 1000 } },
      '/hang': { hang: true },
      '/hang-up': { hangUp: true },
      '/reset': { body: RSS.repeat(50), reset: { afterBytes: 100 } },
      '/500': { status: 500, body: 'boom' },
      '/404': { status: 404 },
      '/410': { status: 410 },
      '/429': { status: 429, headers: { 'retry-after': '120' } },
      '/503-date': () => ({
        status: 503,
        headers: { 'retry-after': new Date(Date.now() + 3600_000).toUTCString() },
      }),
      '/503-bare': { status: 503 },
      '/private': (req) =>
        req.headers['authorization'] === `Basic ${Buffer.from('reader:s3cr%t').toString('base64')}`
          ? { body: RSS }
          : { status: 401 },
    });
  });
  afterAll(() => server.close());

  it('returns the body, its type and validators, and sends polite headers', async () => {
    const outcome = expectOk(await fetchFeed(server.url('/feed'), noValidators, limits()));
    expect(outcome.body.toString()).toBe(RSS);
    expect(outcome).toMatchObject({
      httpStatus: 200,
      contentType: 'application/rss+xml',
      etag: '"v1"',
      lastModified: 'Tue, 24 Nov 2026 10:00:00 GMT',
      finalUrl: server.url('/feed'),
      permanentUrl: null,
    });
    const sent = server.requests.find((r) => r.path === '/feed')?.headers;
    expect(sent?.['user-agent']).toBe('feedsieve-test/0.1 (+https://feedsieve.example/bot)');
    expect(sent?.['accept']).toMatch(/^application\/rss\+xml, application\/atom\+xml/);
    expect(sent?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(sent?.['if-none-match']).toBeUndefined();
  });

  it('sends If-None-Match and If-Modified-Since and reports 304 as not-modified', async () => {
    const validators = { etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 10:00:00 GMT' };
    const outcome = await fetchFeed(server.url('/conditional'), validators, limits());
    expect(outcome).toEqual({
      status: 'not-modified',
      httpStatus: 304,
      finalUrl: server.url('/conditional'),
      permanentUrl: null,
      freshForSeconds: null,
    });
    const sent = server.requests.filter((r) => r.path === '/conditional').at(-1)?.headers;
    expect(sent?.['if-none-match']).toBe('"v1"');
    expect(sent?.['if-modified-since']).toBe('Tue, 24 Nov 2026 10:00:00 GMT');
  });

  it.each(['/gzip', '/br', '/deflate'])('decodes a %s body', async (path) => {
    const outcome = expectOk(await fetchFeed(server.url(path), noValidators, limits()));
    expect(outcome.body.toString()).toBe(RSS);
  });

  it('stops a gzip bomb at the decoded byte limit (10 MB of zeros, 1 MB limit)', async () => {
    const outcome = expectError(await fetchFeed(server.url('/gzip-bomb'), noValidators, limits()));
    expect(outcome.error.kind).toBe('too-large');
    expect(outcome.error.message).toBe(`GET ${server.url('/gzip-bomb')}: body over 1048576 bytes`);
  });

  it.each(['/big', '/big-chunked'])(
    'refuses a plain body over the limit (%s) and accepts it under a larger one',
    async (path) => {
      const over = expectError(await fetchFeed(server.url(path), noValidators, limits()));
      expect(over.error).toEqual({ kind: 'too-large', message: `GET ${server.url(path)}: body over 1048576 bytes` });
      const under = expectOk(await fetchFeed(server.url(path), noValidators, limits({ maxBytes: bigBody.length })));
      expect(under.body.equals(bigBody)).toBe(true);
    },
  );

  it('reports a Content-Encoding it cannot decode', async () => {
    const outcome = expectError(await fetchFeed(server.url('/unknown-coding'), noValidators, limits()));
    expect(outcome.error).toMatchObject({ kind: 'network', message: expect.stringContaining('compress') });
  });

  it('times out a body that drips one byte a second, though every byte arrives in time', async () => {
    const outcome = expectError(await fetchFeed(server.url('/drip'), noValidators, limits({ timeoutMs: 1500 })));
    expect(outcome.error).toEqual({
      kind: 'timeout',
      message: `GET ${server.url('/drip')}: no complete response within 1500 ms`,
    });
  });

  it('closes the connection when the deadline passes mid-body, and leaves none open', async () => {
    const dripping = await startFaultServer({ '/drip': { body: 'x'.repeat(20), drip: { intervalMs: 200 } } });
    try {
      const outcome = await fetchFeed(dripping.url('/drip'), noValidators, limits({ timeoutMs: 500 }));
      expect(outcome).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
      // undici opens a replacement connection after the abort (nodejs/undici#5845): it must close too.
      await vi.waitFor(() => expect(dripping.openConnections()).toBe(0), { timeout: 1000 });
      expect(dripping.hits('/drip')).toBe(1);
    } finally {
      await dripping.close();
    }
  });

  it('fetches feeds of one host over one kept-alive connection', async () => {
    const host = await startFaultServer({ '/a': { body: RSS }, '/b': { body: RSS }, '/c': { status: 304 } });
    try {
      const fetchLimits = limits({ timeoutMs: 4321 });
      expectOk(await fetchFeed(host.url('/a'), noValidators, fetchLimits));
      expectOk(await fetchFeed(host.url('/b'), noValidators, fetchLimits));
      expect(await fetchFeed(host.url('/c'), noValidators, fetchLimits)).toMatchObject({ status: 'not-modified' });
      expect(host.requests.map((request) => request.path)).toEqual(['/a', '/b', '/c']);
      expect(host.connections()).toBe(1);
    } finally {
      await host.close();
    }
  });

  it('after a failed fetch, fetches that follow get a fresh connection and fetches in flight finish', async () => {
    const host = await startFaultServer({
      '/slow': { body: RSS, drip: { intervalMs: 20, bytes: 8 } },
      '/500': { status: 500, body: 'boom' },
      '/feed': { body: RSS },
    });
    try {
      const fetchLimits = limits({ timeoutMs: 4322 });
      expectOk(await fetchFeed(host.url('/feed'), noValidators, fetchLimits));
      const slow = fetchFeed(host.url('/slow'), noValidators, fetchLimits);
      await vi.waitFor(() => expect(host.hits('/slow')).toBe(1));
      expect(expectError(await fetchFeed(host.url('/500'), noValidators, fetchLimits)).error.kind).toBe('http');
      expect(expectOk(await slow).body.toString()).toBe(RSS);
      expectOk(await fetchFeed(host.url('/feed'), noValidators, fetchLimits));
      // The agent that saw the failure closed its connections once the slow fetch was done.
      await vi.waitFor(() => expect(host.openConnections()).toBe(1), { timeout: 1000 });
    } finally {
      await host.close();
    }
  });

  it('times out a server that never answers', async () => {
    const outcome = expectError(await fetchFeed(server.url('/hang'), noValidators, limits({ timeoutMs: 500 })));
    expect(outcome.error.kind).toBe('timeout');
  });

  it('stops when the caller aborts, without rejecting', async () => {
    const outcome = expectError(
      await fetchFeed(server.url('/hang'), noValidators, limits(), AbortSignal.timeout(300)),
    );
    expect(outcome.error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('aborted') });
  });

  it('reports a connection reset mid-body as a network error', async () => {
    const outcome = expectError(await fetchFeed(server.url('/reset'), noValidators, limits()));
    expect(outcome.error.kind).toBe('network');
    expect(outcome.error.message).toMatch(new RegExp(`^GET ${server.url('/reset')}: `));
  });

  it('reports a connection closed before any response as a network error, after one more try', async () => {
    const before = server.hits('/hang-up');
    const outcome = expectError(await fetchFeed(server.url('/hang-up'), noValidators, limits()));
    expect(outcome.error.kind).toBe('network');
    expect(outcome.error.message).toMatch(new RegExp(`^GET ${server.url('/hang-up')}: .+ \\(UND_ERR_SOCKET\\)$`));
    expect(server.hits('/hang-up') - before).toBe(2);
  });

  it('sends a request again on a new connection when the server closed the kept-alive one as it went out', async () => {
    // The second request on each connection finds it closed without an answer, as when a server's
    // idle timeout ends a connection the client is just reusing.
    const requestsOnSocket = new WeakMap<object, number>();
    let connections = 0;
    const stale = createServer((request, response) => {
      const count = (requestsOnSocket.get(request.socket) ?? 0) + 1;
      requestsOnSocket.set(request.socket, count);
      if (count > 1) return request.socket.destroy();
      response.writeHead(200, { 'content-type': 'application/rss+xml', 'keep-alive': 'timeout=60' }).end(RSS);
    });
    stale.on('connection', () => connections++);
    await new Promise<void>((resolve) => stale.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(stale.address() as AddressInfo).port}`;
    try {
      const fetchLimits = limits({ timeoutMs: 4323 });
      expectOk(await fetchFeed(`${origin}/a`, noValidators, fetchLimits));
      expect(expectOk(await fetchFeed(`${origin}/b`, noValidators, fetchLimits)).body.toString()).toBe(RSS);
      expect(connections).toBe(2);
    } finally {
      stale.closeAllConnections();
      await new Promise((resolve) => stale.close(resolve));
    }
  });

  it.each([
    ['/500', 'http', 500],
    ['/404', 'http', 404],
    ['/410', 'gone', 410],
    ['/503-bare', 'rate-limited', 503],
  ] as const)('maps %s to a %s error', async (path, kind, httpStatus) => {
    const outcome = expectError(await fetchFeed(server.url(path), noValidators, limits()));
    expect(outcome.error).toEqual({ kind, httpStatus, message: `GET ${server.url(path)}: HTTP ${httpStatus}` });
    expect(outcome.retryAfterSeconds).toBeNull();
  });

  it('sends Basic credentials from the URL and keeps the password out of messages', async () => {
    const url = server.url('/private').replace('http://', 'http://reader:s3cr%25t@');
    const outcome = expectOk(await fetchFeed(url, noValidators, limits()));
    expect(outcome.body.toString()).toBe(RSS);

    const wrong = expectError(await fetchFeed(url.replace('s3cr%25t', 'guess'), noValidators, limits()));
    expect(wrong.error).toEqual({ kind: 'http', httpStatus: 401, message: `GET ${server.url('/private')}: HTTP 401` });
  });

  it('reads Retry-After seconds from a 429', async () => {
    const outcome = expectError(await fetchFeed(server.url('/429'), noValidators, limits()));
    expect(outcome.error).toMatchObject({ kind: 'rate-limited', httpStatus: 429 });
    expect(outcome.retryAfterSeconds).toBe(120);
  });

  it('reads a Retry-After HTTP date from a 503', async () => {
    const outcome = expectError(await fetchFeed(server.url('/503-date'), noValidators, limits()));
    expect(outcome.error.kind).toBe('rate-limited');
    expect(outcome.retryAfterSeconds).toBeGreaterThan(3500);
    expect(outcome.retryAfterSeconds).toBeLessThanOrEqual(3600);
  });
});

describe('fetchFeed failures before HTTP', () => {
  it('reports a refused connection as a network error', async () => {
    const closed = await startFaultServer({});
    const url = closed.url('/feed');
    await closed.close();
    const outcome = expectError(await fetchFeed(url, noValidators, limits()));
    expect(outcome.error.kind).toBe('network');
    expect(outcome.error.message).toContain(`GET ${url}: `);
    expect(outcome.error.message).toContain('ECONNREFUSED');
  });

  it('times out a TLS handshake that never completes, using the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      const url = `https://127.0.0.1:${silent.port}/feed`;
      const outcome = expectError(await fetchFeed(url, noValidators, limits({ connectTimeoutMs: 300 })));
      expect(outcome.error).toEqual({ kind: 'timeout', message: `GET ${url}: no connection within 300 ms` });
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it.each([
    ['ftp://127.0.0.1/feed.xml', 'ftp: is not http or https'],
    ['gopher://127.0.0.1/feed', 'gopher: is not http or https'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s as an unsupported scheme', async (url, reason) => {
    const outcome = expectError(await fetchFeed(url, noValidators, limits()));
    expect(outcome.error).toEqual({ kind: 'unsupported-scheme', message: `GET ${url}: ${reason}` });
  });
});

describe('fetchFeed with file: URLs', () => {
  let dir: string;
  let feedUrl: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-fetch-'));
    const path = join(dir, 'local.rss');
    writeFileSync(path, RSS);
    feedUrl = pathToFileURL(path).href;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a file URL unless the feed comes from the config file', async () => {
    const outcome = expectError(await fetchFeed(feedUrl, noValidators, limits()));
    expect(outcome.error.kind).toBe('unsupported-scheme');
  });

  it('reads a file URL from disk when allowed, with its mtime as Last-Modified', async () => {
    const outcome = expectOk(await fetchFeed(feedUrl, noValidators, limits({ allowFileUrls: true })));
    expect(outcome.body.toString()).toBe(RSS);
    expect(outcome.finalUrl).toBe(feedUrl);
    expect(outcome.lastModified).toMatch(/GMT$/);

    const again = await fetchFeed(feedUrl, { etag: null, lastModified: outcome.lastModified }, limits({ allowFileUrls: true }));
    expect(again.status).toBe('not-modified');
  });

  it('applies the byte limit to files', async () => {
    const outcome = expectError(await fetchFeed(feedUrl, noValidators, limits({ allowFileUrls: true, maxBytes: 10 })));
    expect(outcome.error).toEqual({ kind: 'too-large', message: `read ${feedUrl}: body over 10 bytes` });
  });

  it('reports a missing file', async () => {
    const missing = `${feedUrl}.missing`;
    const outcome = expectError(await fetchFeed(missing, noValidators, limits({ allowFileUrls: true })));
    expect(outcome.error.kind).toBe('network');
    expect(outcome.error.message).toContain(`read ${missing}: `);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Tue, 24 Nov 2026 12:05:00 GMT', 300],
    ['Tue, 24 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    [null, null],
  ] as const)('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
