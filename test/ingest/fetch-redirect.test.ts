import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed, type FetchOutcome } from '../../src/ingest/fetch.js';
import { startFaultServer, type FaultServer, type RedirectStatus } from '../support/fault-server.js';
import { testFetchLimits } from '../support/fetch-limits.js';

const RSS = '<rss version="2.0"><channel><title>Moved</title></channel></rss>';
const noValidators = { etag: null, lastModified: null };
const limits = testFetchLimits();

function hop(to: string, status: RedirectStatus) {
  return { redirect: { to, status } };
}

/** /chainN/1 → /chainN/2 → … → /chainN/N → the feed, all with `status`. */
function chain(name: string, length: number, status: RedirectStatus) {
  const routes: Record<string, ReturnType<typeof hop> | { body: string }> = {};
  for (let i = 1; i <= length; i++) {
    routes[`/${name}/${i}`] = hop(i === length ? `/${name}/feed` : `/${name}/${i + 1}`, status);
  }
  routes[`/${name}/feed`] = { body: RSS };
  return routes;
}

describe('fetchFeed redirects', () => {
  let server: FaultServer;
  let other: FaultServer;

  beforeAll(async () => {
    other = await startFaultServer({ '/feed': { body: RSS } });
    server = await startFaultServer({
      '/feed': { body: RSS, headers: { etag: '"moved"' } },
      '/301': hop('/feed', 301),
      '/308': hop('/feed', 308),
      '/302': hop('/feed', 302),
      '/307': hop('/feed', 307),
      '/301-then-302': hop('/302', 301),
      '/301-then-500': hop('/500', 301),
      '/500': { status: 500 },
      '/301-then-304': hop('/conditional', 301),
      '/conditional': (req) => (req.headers['if-none-match'] === '"moved"' ? { status: 304 } : { body: RSS }),
      '/elsewhere': hop(other.url('/feed'), 301),
      '/loop-a': hop('/loop-b', 302),
      '/loop-b': hop('/loop-a', 302),
      '/self': hop('/self', 301),
      '/to-ftp': hop('ftp://127.0.0.1/feed', 302),
      '/no-location': { status: 302 },
      ...chain('five', 5, 302),
      ...chain('six', 6, 301),
    });
  });
  afterAll(async () => {
    await server.close();
    await other.close();
  });

  async function get(path: string): Promise<FetchOutcome> {
    return fetchFeed(server.url(path), noValidators, limits);
  }

  it.each(['/301', '/308'])('follows a permanent %s and reports the new URL to store', async (path) => {
    const outcome = await get(path);
    expect(outcome).toMatchObject({
      status: 'ok',
      httpStatus: 200,
      finalUrl: server.url('/feed'),
      permanentUrl: server.url('/feed'),
      etag: '"moved"',
    });
  });

  it.each(['/302', '/307'])('follows a temporary %s without a URL to store', async (path) => {
    const outcome = await get(path);
    expect(outcome).toMatchObject({ status: 'ok', finalUrl: server.url('/feed'), permanentUrl: null });
  });

  it('stores nothing when a permanent hop is followed by a temporary one', async () => {
    const outcome = await get('/301-then-302');
    expect(outcome).toMatchObject({ status: 'ok', finalUrl: server.url('/feed'), permanentUrl: null });
  });

  it('follows a redirect to another origin', async () => {
    const outcome = await get('/elsewhere');
    expect(outcome).toMatchObject({ status: 'ok', finalUrl: other.url('/feed'), permanentUrl: other.url('/feed') });
  });

  it('keeps the permanent URL when the moved feed answers with an error', async () => {
    const outcome = await get('/301-then-500');
    expect(outcome).toMatchObject({
      status: 'error',
      error: { kind: 'http', httpStatus: 500, message: `GET ${server.url('/500')}: HTTP 500` },
      permanentUrl: server.url('/500'),
    });
  });

  it('reports not-modified at the end of a permanent redirect', async () => {
    const outcome = await fetchFeed(server.url('/301-then-304'), { etag: '"moved"', lastModified: null }, limits);
    expect(outcome).toEqual({
      status: 'not-modified',
      httpStatus: 304,
      finalUrl: server.url('/conditional'),
      permanentUrl: server.url('/conditional'),
      freshForSeconds: null,
    });
  });

  it('follows a chain of five redirects', async () => {
    const outcome = await get('/five/1');
    expect(outcome).toMatchObject({ status: 'ok', finalUrl: server.url('/five/feed') });
    expect(server.hits('/five/5')).toBe(1);
  });

  it('refuses a chain of six redirects', async () => {
    const outcome = await get('/six/1');
    expect(outcome).toEqual({
      status: 'error',
      error: { kind: 'redirect', message: `GET ${server.url('/six/1')}: more than 5 redirects` },
      retryAfterSeconds: null,
      permanentUrl: null,
    });
    expect(server.hits('/six/feed')).toBe(0);
  });

  it.each([
    ['/loop-a', '/loop-a'],
    ['/self', '/self'],
  ])('detects the redirect loop starting at %s', async (path, back) => {
    const outcome = await get(path);
    expect(outcome).toMatchObject({
      status: 'error',
      error: { kind: 'redirect', message: `GET ${server.url(path)}: redirect loop back to ${server.url(back)}` },
    });
  });

  it('refuses to follow a redirect out of http(s)', async () => {
    const outcome = await get('/to-ftp');
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'unsupported-scheme' } });
  });

  it('treats a redirect status without Location as an HTTP error', async () => {
    const outcome = await get('/no-location');
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'http', httpStatus: 302 } });
  });
});
