// A serve that is its feeds' WebSub hub, killed outright (SIGKILL) while a delivery is under way (a
// callback that hangs holds it open), or in the middle of a pass: the items the killed process
// stored are sent when the next serve starts, though no pass of its own finds them new. Real child
// processes, a real origin, a real callback, a real SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';
import { startWebSubSubscriber, type WebSubSubscriberStandIn } from '../support/websub-subscriber.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/src/cli.js');
const ADMIN = 'hub-crash-admin-token';

describe('a serve that is its feeds\' hub, killed with SIGKILL', () => {
  let dir: string;
  let origin: FaultServer;
  let subscriber: WebSubSubscriberStandIn;
  const children: ChildProcess[] = [];
  const entries: FeedEntrySpec[] = [{ guid: 'w1', title: 'NATO summit opens', publishedAt: new Date(Date.now() - 3_600_000) }];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-hub-crash-'));
    origin = await startFaultServer({
      '/world.rss': () => ({ body: rssDocument('World desk', entries) }),
      // Slow to answer: a pass that fetches it is under way for seconds after the other feed is stored.
      '/slow.rss': () => ({ body: rssDocument('Slow desk', [{ guid: 's1', title: 'Harbour dredging resumes', publishedAt: new Date() }]), delayMs: 6000 }),
    });
    subscriber = await startWebSubSubscriber();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await origin?.close();
    await subscriber?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A config for serve as its feeds' hub over these feeds, and how to start it, ask it and subscribe to its NATO feed. */
  async function hubService(name: string, feeds: string[]) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({
      database: join(dir, `${name}.db`), logLevel: 'warn',
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
      feeds: feeds.map((path) => ({ url: origin.url(path) })),
      server: { host: '127.0.0.1', port, baseUrl, hub: { enabled: true } },
      // Never on the clock: a pass runs at the start and when the test asks for one.
      ingest: { allowPrivateAddresses: true, timeoutMs: 30_000, schedule: '0 0 1 1 *' },
    }));
    const natoFeed = `${baseUrl}/topics/nato.rss`;
    const admin = (method: string, path: string) => fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
    return {
      natoFeed, admin,
      serve() {
        const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
          env: { ...process.env, FEEDSIEVE_ADMIN_TOKEN: ADMIN }, stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(child);
        return { child, exited: new Promise<NodeJS.Signals | number | null>((done) => child.once('exit', (code, signal) => done(signal ?? code))) };
      },
      async subscribe(path: string) {
        expect((await fetch(`${baseUrl}/hub`, {
          method: 'POST', body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': natoFeed, 'hub.callback': subscriber.callback(path) }),
        })).status).toBe(202);
        await until(async () => ((await (await admin('GET', '/api/hub/subscriptions')).json()) as { subscriptions: { callback: string }[] }).subscriptions,
          (held) => held.some((s) => s.callback === subscriber.callback(path)), 'the subscription');
      },
      /** Waits until the NATO feed shows `title`. */
      shows: (title: string) => until(() => fetch(natoFeed).then((r) => r.text()).catch(() => ''), (body) => body.includes(title), title),
    };
  }
  const deliveredTo = (path: string) => subscriber.deliveries.filter((delivery) => delivery.path === path);

  it('sends, when serve starts again, the feed whose delivery the kill cut short', async () => {
    const hub = await hubService('delivering', ['/world.rss']);
    const first = hub.serve();
    await hub.shows('NATO summit opens');
    await hub.subscribe('/held');

    // The callback hangs: the delivery of the new item is under way when serve is killed.
    subscriber.behaviour.hold = true;
    entries.unshift({ guid: 'w2', title: 'NATO ministers agree on air defence', publishedAt: new Date() });
    expect((await hub.admin('POST', '/api/feeds/1/refresh')).status).toBe(202);
    await until(() => deliveredTo('/held').length, (count) => count === 1, 'the delivery under way');
    expect(deliveredTo('/held')[0]!.body.toString('utf8')).toContain('NATO ministers agree on air defence');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    subscriber.behaviour.hold = false;
    const hits = origin.hits('/world.rss');
    const second = hub.serve();
    try {
      await until(() => deliveredTo('/held').length, (count) => count === 2, 'the delivery made again', 20_000);
      expect(deliveredTo('/held')[1]!.body.toString('utf8')).toContain('NATO ministers agree on air defence');
      // The feed was not due: no pass of its own stored anything to send. The delivery came from the marks kept.
      expect(origin.hits('/world.rss')).toBe(hits);
      const [subscription] = ((await (await hub.admin('GET', '/api/hub/subscriptions')).json()) as { subscriptions: { failures: number; deliveredAt: string | null }[] }).subscriptions;
      expect(subscription).toMatchObject({ failures: 0 });
      expect(subscription!.deliveredAt).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(deliveredTo('/held')).toHaveLength(2);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 60_000);

  it('sends, when serve starts again, the items a pass killed half way had stored', async () => {
    const hub = await hubService('passing', ['/world.rss', '/slow.rss']);
    const first = hub.serve();
    // The start-up pass stored the world feed; the slow one keeps it under way for seconds more.
    await hub.shows('NATO summit opens');
    await hub.subscribe('/mid-pass');
    // Past a read of the item logs on the clock, which must not take the pass's items as sent.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(deliveredTo('/mid-pass')).toHaveLength(0);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = hub.serve();
    try {
      await until(() => deliveredTo('/mid-pass').length, (count) => count === 1, 'the delivery', 20_000);
      expect(deliveredTo('/mid-pass')[0]!.body.toString('utf8')).toContain('NATO summit opens');
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  }, 60_000);
});
