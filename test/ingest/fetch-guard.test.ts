// The SSRF guard as the fetcher applies it. The feed server listens on 127.0.0.5, which the
// policy below allows as the only exception to the real guard; every other address is
// judged exactly as in production, at connect time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/ingest/address-guard.js';
import { createFetcher, fetchFeed, type FetchLimits } from '../../src/ingest/fetch.js';
import { startFaultServer, startSilentServer, type FaultServer } from '../support/fault-server.js';
import { testFetchLimits } from '../support/fetch-limits.js';

const RSS = '<rss version="2.0"><channel><title>Guarded</title></channel></rss>';
const noValidators = { etag: null, lastModified: null };
const FEED_HOST = '127.0.0.5';

const limits = (overrides: Partial<FetchLimits> = {}): FetchLimits =>
  testFetchLimits({ timeoutMs: 3000, connectTimeoutMs: 1000, allowPrivateAddresses: false, ...overrides });

const realGuardExceptFeedHost = { isBlocked: (ip: string) => ip !== FEED_HOST && isBlockedAddress(ip) };
const fetchGuarded = createFetcher(realGuardExceptFeedHost);

describe('redirects into private address space, guard on', () => {
  let feedServer: FaultServer;
  let loopbackTarget: FaultServer;

  beforeAll(async () => {
    loopbackTarget = await startFaultServer({ '/feed': { body: 'internal secrets' } });
    const port = new URL(loopbackTarget.origin).port;
    feedServer = await startFaultServer(
      {
        '/feed': { body: RSS },
        '/to-loopback': { redirect: { to: `http://127.0.0.1:${port}/feed`, status: 302 } },
        '/to-localhost': { redirect: { to: `http://localhost:${port}/feed`, status: 301 } },
        '/to-mapped': { redirect: { to: `http://[::ffff:127.0.0.1]:${port}/feed`, status: 302 } },
        '/to-metadata': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 302 } },
        '/to-metadata-permanent': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 301 } },
      },
      { host: FEED_HOST },
    );
  });
  afterAll(async () => {
    await feedServer.close();
    await loopbackTarget.close();
  });

  it('connects to the one allowed address', async () => {
    const outcome = await fetchGuarded(feedServer.url('/feed'), noValidators, limits());
    expect(outcome).toMatchObject({ status: 'ok', finalUrl: feedServer.url('/feed') });
  });

  it.each([
    ['/to-loopback', '127.0.0.1 is a blocked address'],
    ['/to-localhost', 'localhost resolves only to blocked addresses (127.0.0.1'],
    // The URL parser rewrites ::ffff:127.0.0.1 as ::ffff:7f00:1; the guard must see through both.
    ['/to-mapped', '::ffff:7f00:1 is a blocked address'],
  ])('refuses %s before any connection reaches the loopback server', async (path, host) => {
    const connectionsBefore = loopbackTarget.connections();
    const outcome = await fetchGuarded(feedServer.url(path), noValidators, limits());
    expect(outcome).toMatchObject({
      status: 'error',
      error: { kind: 'blocked-address', message: expect.stringContaining(host) },
      permanentUrl: null,
    });
    expect(feedServer.hits(path)).toBe(1);
    expect(loopbackTarget.connections()).toBe(connectionsBefore);
  });

  it.each(['/to-metadata', '/to-metadata-permanent'])(
    'refuses %s to the cloud metadata address and stores no new URL',
    async (path) => {
      const outcome = await fetchGuarded(feedServer.url(path), noValidators, limits());
      expect(outcome).toEqual({
        status: 'error',
        error: {
          kind: 'blocked-address',
          message: 'GET http://169.254.169.254/latest/meta-data/: refused to connect, 169.254.169.254 is a blocked address',
        },
        retryAfterSeconds: null,
        permanentUrl: null,
      });
    },
  );
});

describe('production fetchFeed against loopback', () => {
  let server: FaultServer;

  beforeAll(async () => {
    server = await startFaultServer({ '/feed': { body: RSS } });
  });
  afterAll(() => server.close());

  it('refuses 127.0.0.1 when private addresses are not allowed', async () => {
    const connectionsBefore = server.connections();
    const outcome = await fetchFeed(server.url('/feed'), noValidators, limits());
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'blocked-address' } });
    expect(server.connections()).toBe(connectionsBefore);
  });

  it('refuses a host name that resolves to loopback', async () => {
    const url = server.url('/feed').replace('127.0.0.1', 'localhost');
    const connectionsBefore = server.connections();
    const outcome = await fetchFeed(url, noValidators, limits());
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'blocked-address' } });
    expect(server.connections()).toBe(connectionsBefore);
  });

  it.each([
    ['http://[::1]:PORT/feed', 'IPv6 loopback'],
    ['http://[::ffff:127.0.0.1]:PORT/feed', 'IPv4-mapped loopback'],
    ['http://0.0.0.0:PORT/feed', 'the unspecified address, which Linux routes to loopback'],
    ['http://2130706433:PORT/feed', 'loopback written as one decimal number'],
    ['http://0x7f.1:PORT/feed', 'loopback in hex shorthand'],
  ])('refuses %s (%s)', async (template, _why) => {
    const url = template.replace('PORT', new URL(server.origin).port);
    const connectionsBefore = server.connections();
    const outcome = await fetchFeed(url, noValidators, limits());
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'blocked-address' } });
    expect(server.connections()).toBe(connectionsBefore);
  });

  it('applies the same check to https, whose sockets are opened by tls.connect', async () => {
    const silent = await startSilentServer();
    try {
      const outcome = await fetchFeed(`https://localhost:${silent.port}/feed`, noValidators, limits());
      expect(outcome).toMatchObject({ status: 'error', error: { kind: 'blocked-address' } });
      expect(silent.connections()).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it('connects when private addresses are allowed', async () => {
    const connectionsBefore = server.connections();
    const outcome = await fetchFeed(server.url('/feed'), noValidators, limits({ allowPrivateAddresses: true }));
    expect(outcome).toMatchObject({ status: 'ok' });
    expect(server.connections()).toBe(connectionsBefore + 1);
  });
});
