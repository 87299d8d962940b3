// A `serve` stopped before the third-party WebSub hub (server.websubHub) took its ping leaves the
// feeds it had to tell in the database: the next `serve` over it names them in its first pass's
// ping, though that pass fetches nothing. Real services over one SQLite file, the feeds' origin and
// a stand-in hub on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openCore, type Service, startService } from '../../src/main.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { type HubStandIn, startHubStandIn } from '../support/hub.js';
import { freePort } from '../support/net.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const SILENT = createLogger('silent');

describe('the feeds a stopped serve left untold', () => {
  let origin: FaultServer | undefined;
  let hub: HubStandIn | undefined;
  let dir: string | undefined;
  const running: Service[] = [];
  afterEach(async () => {
    for (const service of running.splice(0)) await service.stop();
    await origin?.close();
    hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are named in the next serve\'s first ping, and not again once the hub took them', async () => {
    origin = await startFaultServer({
      '/world-wire.rss': { body: readFileSync(join(FIXTURES, 'world-wire.rss')), headers: { 'content-type': 'application/rss+xml' } },
    });
    hub = await startHubStandIn();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-untold-'));
    const config = parseConfig({
      database: 'db.sqlite',
      server: { port, websubHub: hub.url },
      ingest: { allowPrivateAddresses: true },
      feeds: [{ url: origin.url('/world-wire.rss') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
      logLevel: 'silent',
    }, join(dir, 'config.json'), {});
    const serve = async () => {
      const service = await startService(await openCore(config, SILENT));
      running.push(service);
      await service.firstIngest;
      return service;
    };

    hub.behaviour.status = 503;
    await (await serve()).stop();
    running.splice(0);
    expect(hub.pings).toHaveLength(1);

    // Back before the next start, whose first pass finds the feed not due and changes nothing.
    hub.behaviour.status = 204;
    const next = await serve();
    const told = ['rss', 'atom', 'json'].flatMap((ext) => [`${base}/topics/nato.${ext}`, `${base}/feeds/all.${ext}`]).sort();
    expect(hub.pings.slice(1).map((ping) => ping.getAll('hub.url').sort())).toEqual([told]);
    await next.stop();
    running.splice(0);
    await serve();
    expect(hub.pings).toHaveLength(2);
  });
});
