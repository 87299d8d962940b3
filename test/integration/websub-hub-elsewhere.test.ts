// The service as its feeds' WebSub hub while another process writes to its database: a real
// `feedsieve ingest` in a child process of its own, over the same database file as a real service
// on 127.0.0.1 (its schedule set never to tick), a real origin and real callbacks. What the other
// process stores, and the edits it makes, reach the subscribers as the service's own passes do,
// whether the service runs meanwhile or starts afterwards.
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
import { startWebSubSubscriber, type WebSubSubscriberStandIn } from '../support/websub-subscriber.js';

const HOUR_MS = 3_600_000;

describe('the hub\'s subscribers, while another process writes to the database', () => {
  let dir: string;
  let origin: FaultServer;
  let core: Core;
  let service: Service;
  let subscriber: WebSubSubscriberStandIn;
  let baseUrl: string;
  let configFile: string;
  /** Stops the service, runs `meanwhile`, and starts it again over the same database. */
  let startAgain: (meanwhile: () => Promise<unknown>) => Promise<void>;
  const entries: FeedEntrySpec[] = [{ guid: 'w1', title: 'NATO summit opens', publishedAt: new Date(Date.now() - HOUR_MS) }];
  const paths = () => subscriber.deliveries.map((delivery) => delivery.path).sort();
  const delivered = (path: string) => subscriber.deliveries.filter((delivery) => delivery.path === path).at(-1)!.body.toString('utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-hub-elsewhere-'));
    origin = await startFaultServer({ '/world.rss': () => ({ body: rssDocument('World desk', entries) }) });
    subscriber = await startWebSubSubscriber();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const settings = {
      database: 'shared.db', logLevel: 'silent',
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }],
      feeds: [{ url: origin.url('/world.rss') }],
      server: { host: '127.0.0.1', port, baseUrl, hub: { enabled: true } },
      ingest: { allowPrivateAddresses: true, timeoutMs: 5000, schedule: '0 0 1 1 *' },
    };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(settings));
    core = await openCore(parseConfig(settings, configFile, {}), createLogger('silent'));
    service = await startService(core);
    await service.firstIngest;
    startAgain = async (meanwhile) => {
      await service.stop();
      await meanwhile();
      core = await openCore(parseConfig(settings, configFile, {}), createLogger('silent'));
      service = await startService(core);
      await service.firstIngest;
    };
    const topics = { '/nato': `${baseUrl}/topics/nato.rss`, '/defence': `${baseUrl}/topics/missile-defence.rss`, '/all': `${baseUrl}/feeds/all.atom` };
    for (const [path, topic] of Object.entries(topics)) {
      const asked = await fetch(`${baseUrl}/hub`, {
        method: 'POST', body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': subscriber.callback(path) }),
      });
      expect(asked.status).toBe(202);
    }
    await until(() => core.store.hubSubscribers(Object.values(topics), new Date()), (held) => held.length === 3, 'the subscriptions');
  });
  afterAll(async () => {
    await service?.stop();
    await origin?.close();
    await subscriber?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the feeds of the topics whose items a `feedsieve ingest` run beside it stored, and nothing to the others', async () => {
    entries.unshift({ guid: 'w2', title: 'NATO ministers agree on air defence', publishedAt: new Date() });
    const hits = origin.hits('/world.rss');
    expect(await ingestElsewhere(configFile)).toContain('1 new');
    expect(origin.hits('/world.rss')).toBe(hits + 1);
    await until(paths, (sent) => sent.length >= 2, 'the deliveries');
    expect(delivered('/nato')).toContain('NATO ministers agree on air defence');
    expect(delivered('/all')).toContain('NATO ministers agree on air defence');
    // What a reader polling the feed now reads, not a page cached before the other process's commit.
    expect(delivered('/nato')).toBe(await (await fetch(`${baseUrl}/topics/nato.rss`)).text());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(paths()).toEqual(['/all', '/nato']);
  });

  it('sends the feeds an edit it made took an item out of and into', async () => {
    subscriber.deliveries.length = 0;
    entries[0] = { ...entries[0]!, title: 'Ministers agree on missile defence' };
    expect(await ingestElsewhere(configFile)).toContain('1 updated');
    await until(paths, (sent) => sent.length >= 3, 'the deliveries');
    expect(paths()).toEqual(['/all', '/defence', '/nato']);
    expect(delivered('/defence')).toContain('Ministers agree on missile defence');
    expect(delivered('/nato')).not.toContain('air defence');
  });

  it('sends, when it starts, what another process stored while it was stopped', async () => {
    // What the last test's edit sent is taken as sent: a stop before then would send it again.
    await until(async () => ({ kept: await core.store.hubSentThrough(), now: await core.store.changeMarks() }),
      ({ kept, now }) => kept !== null && kept.item === now.item && kept.edit === now.edit && kept.deletion === now.deletion, 'the marks kept');
    subscriber.deliveries.length = 0;
    entries.unshift({ guid: 'w3', title: 'NATO opens a new command', publishedAt: new Date() });
    await startAgain(async () => expect(await ingestElsewhere(configFile)).toContain('1 new'));
    await until(paths, (sent) => sent.length >= 2, 'the deliveries');
    expect(paths()).toEqual(['/all', '/nato']);
    expect(delivered('/nato')).toContain('NATO opens a new command');
    // Sent once: the marks were kept past it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(paths()).toEqual(['/all', '/nato']);
  });
});
