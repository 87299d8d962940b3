import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/ingest/address-guard.js';
import { createFetcher } from '../../src/ingest/fetch.js';
import { ingestFeeds } from '../../src/ingest/run.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';

// The whole pipeline with the guard ON. The origin sits on 127.0.0.5 and the policy is the real
// guard except that one address, so its redirects into loopback and cloud metadata meet the same
// connect-time check production uses.
describe('the SSRF guard through the ingest pipeline', () => {
  let origin: FaultServer;
  let internal: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    internal = await startFaultServer({ '/secret.rss': { body: rssDocument('Internal', [{ guid: 's', title: 'internal only', publishedAt: new Date() }]) } });
    origin = await startFaultServer({
      '/ok.rss': { body: rssDocument('Public', [{ guid: 'p', title: 'public story', publishedAt: new Date() }]) },
      '/to-loopback': { redirect: { to: internal.url('/secret.rss'), status: 301 } },
      '/to-metadata': { redirect: { to: 'http://169.254.169.254/latest/meta-data/', status: 302 } },
    }, { host: '127.0.0.5' });
    service = await startTestService({
      feeds: ['/ok.rss', '/to-loopback', '/to-metadata'].map((p) => ({ url: origin.url(p) })),
      extra: { ingest: { allowPrivateAddresses: false } },
    });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    await internal?.close();
  });

  it('stores the public feed and records each redirect into a private address as blocked-address', async () => {
    const fetch = createFetcher({ isBlocked: (ip) => ip !== '127.0.0.5' && isBlockedAddress(ip) });
    const reports = await ingestFeeds({ ...service.core.refreshDeps, fetch }, await service.core.store.listFeeds(), { concurrency: 4, perHostConcurrency: 2 });
    const byPath = new Map(reports.map((r) => [new URL(r.url).pathname, r]));
    expect(byPath.get('/ok.rss')).toMatchObject({ status: 'stored', inserted: 1 });
    expect(byPath.get('/to-loopback')?.error?.kind).toBe('blocked-address');
    expect(byPath.get('/to-metadata')?.error?.kind).toBe('blocked-address');
    expect(internal.connections()).toBe(0);
    const feeds = await service.core.store.listFeeds();
    // A refused 301 target never becomes the stored URL.
    expect(feeds.map((f) => new URL(f.url).pathname).sort()).toEqual(['/ok.rss', '/to-loopback', '/to-metadata']);
    expect(feeds.find((f) => f.url.endsWith('/to-loopback'))?.lastError?.kind).toBe('blocked-address');
  });
});
