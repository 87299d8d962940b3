// A feed made due while another process's pass holds the ingest lease (a `feedsieve ingest` run
// beside serve, or another serve's pass) is fetched once that pass ends, not at serve's next tick:
// a real service on 127.0.0.1 whose schedule never ticks, a real `feedsieve ingest` in a child
// process over the same database file, a real origin whose slow feed keeps that pass under way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { ingestElsewhere } from '../support/ingest-elsewhere.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';

const ADMIN = 'due-while-another-admin-token';

describe('a feed made due while another process ingests', () => {
  let dir: string;
  let origin: FaultServer;
  let core: Core;
  let service: Service;
  let baseUrl: string;
  let configFile: string;
  let settings: Record<string, unknown>;
  let slowMs = 0;
  let wireDelayMs = 0;
  const wire: FeedEntrySpec[] = [{ guid: 'w1', title: 'NATO summit opens', publishedAt: new Date(Date.now() - 3_600_000) }];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-due-while-'));
    origin = await startFaultServer({
      '/wire.rss': () => ({ body: rssDocument('Wire', wire), delayMs: wireDelayMs }),
      '/slow.rss': () => ({ body: rssDocument('Slow desk', [{ guid: 's1', title: 'Harbour dredging resumes', publishedAt: new Date() }]), delayMs: slowMs }),
    });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    settings = {
      database: 'shared.db', logLevel: 'silent',
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
      feeds: [{ url: origin.url('/wire.rss') }, { url: origin.url('/slow.rss') }],
      server: { host: '127.0.0.1', port, baseUrl },
      // Never on the clock: a pass runs at the start, and when something is made due.
      ingest: { allowPrivateAddresses: true, timeoutMs: 10_000, schedule: '0 0 1 1 *' },
    };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(settings));
    core = await openCore(parseConfig(settings, configFile, { FEEDSIEVE_ADMIN_TOKEN: ADMIN }), createLogger('silent'));
    service = await startService(core);
    await service.firstIngest;
  });
  afterAll(async () => {
    await service?.stop();
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches a feed refreshed while another process\'s pass runs once that pass ends', async () => {
    // The other process's pass is under way for seconds, its slow feed still to answer.
    slowMs = 3000;
    const elsewhere = ingestElsewhere(configFile);
    await until(() => core.store.leaseHolder('ingest', new Date()), (holder) => holder !== null, 'the other process\'s pass');
    await until(() => origin.hits('/wire.rss'), (hits) => hits === 2, 'the other pass\'s fetch of the wire');
    wire.unshift({ guid: 'w2', title: 'NATO ministers agree on air defence', publishedAt: new Date() });

    const refreshed = await fetch(`${baseUrl}/api/feeds/1/refresh`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(refreshed.status).toBe(202);
    // Its own pass found the lease held, and skipped: the other pass listed its feeds before.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(origin.hits('/wire.rss')).toBe(2);

    await elsewhere;
    const endedAt = Date.now();
    await until(() => fetch(`${baseUrl}/topics/nato.rss`).then((r) => r.text()), (body) => body.includes('NATO ministers agree on air defence'),
      'the refreshed feed\'s new item', 5000);
    expect(Date.now() - endedAt).toBeLessThan(4000);
    expect(origin.hits('/wire.rss')).toBe(3);
    // Only the feed made due: the slow one was fetched by the other pass, and is not due.
    expect(origin.hits('/slow.rss')).toBe(2);
  });

  it('runs no pass once another process\'s pass ends when nothing is due', async () => {
    const tick = async () => /^feedsieve_last_ingest_tick_timestamp_seconds (\S+)$/m.exec(await (await fetch(`${baseUrl}/metrics`)).text())?.[1];
    slowMs = 3000;
    const wireHits = origin.hits('/wire.rss');
    const elsewhere = ingestElsewhere(configFile);
    await until(() => origin.hits('/wire.rss'), (hits) => hits === wireHits + 1, 'the other pass\'s fetch of the wire');
    expect(await core.store.leaseHolder('ingest', new Date())).not.toBeNull();
    // A config read again asks for a pass, which finds the lease held and skips; nothing is made due.
    const before = await tick();
    await service.reloadConfig(parseConfig(settings, configFile, { FEEDSIEVE_ADMIN_TOKEN: ADMIN }));
    await until(tick, (at) => at !== before, 'the skipped pass\'s tick');
    const skipped = await tick();

    await elsewhere;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await tick()).toBe(skipped);
    // The other pass fetched the wire; serve did not again.
    expect(origin.hits('/wire.rss')).toBe(wireHits + 1);
  });

  it('fetches a feed refreshed while another process was fetching it once that process\'s pass ends', async () => {
    slowMs = 0;
    // The other process's fetch of the wire is under way, its answer read before the new item.
    wireDelayMs = 1500;
    const wireHits = origin.hits('/wire.rss');
    const elsewhere = ingestElsewhere(configFile);
    await until(() => origin.hits('/wire.rss'), (hits) => hits === wireHits + 1, 'the other process\'s fetch of the wire');
    wireDelayMs = 0;
    wire.unshift({ guid: 'w3', title: 'NATO opens a new air defence centre', publishedAt: new Date() });
    const refreshed = await fetch(`${baseUrl}/api/feeds/1/refresh`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(refreshed.status).toBe(202);

    // Its save, after the refresh, leaves the feed due: serve fetches it once the pass ends.
    await elsewhere;
    await until(() => fetch(`${baseUrl}/topics/nato.rss`).then((r) => r.text()), (body) => body.includes('NATO opens a new air defence centre'),
      'the refreshed feed\'s new item', 8000);
    expect(origin.hits('/wire.rss')).toBe(wireHits + 2);
  });
});
