// Two serve processes over one database, behind one address, each its feeds' WebSub hub: what
// either stores, or a `feedsieve ingest` run beside them, reaches a subscriber once, sent by the
// one that holds the hub's lease; killed with SIGKILL, the other sends from then on. Real child
// processes, a real origin, a real callback, a real SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { ingestElsewhere } from '../support/ingest-elsewhere.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';
import { startWebSubSubscriber, type WebSubSubscriberStandIn } from '../support/websub-subscriber.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/src/cli.js');
const ADMIN = 'hub-two-serves-admin-token';

describe('two serve processes over one database, each a hub', () => {
  let dir: string;
  let origin: FaultServer;
  let subscriber: WebSubSubscriberStandIn;
  let configOf: (port: number) => string;
  let baseUrl: string;
  const children: ChildProcess[] = [];
  const entries: FeedEntrySpec[] = [{ guid: 'w1', title: 'NATO summit opens', publishedAt: new Date(Date.now() - 3_600_000) }];
  let worldTitle = 'World desk';
  const deliveredTo = (path: string) => subscriber.deliveries.filter((delivery) => delivery.path === path);
  const natoFeed = () => `${baseUrl}/topics/nato.rss`;

  /** A serve on `port`, started, and how to ask it as the operator. */
  async function serve(port: number) {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', configOf(port)], {
      env: { ...process.env, FEEDSIEVE_ADMIN_TOKEN: ADMIN }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    let exitedAs: NodeJS.Signals | number | null | undefined;
    const exited = new Promise<NodeJS.Signals | number | null>((done) => child.once('exit', (code, signal) => done((exitedAs = signal ?? code))));
    const at = `http://127.0.0.1:${port}`;
    await until(() => (exitedAs !== undefined ? -1 : fetch(`${at}/api/items`).then((r) => r.status).catch(() => 0)),
      (status) => status === 200 || status === -1, `serve on ${port}`);
    if (exitedAs !== undefined) throw new Error(`serve on ${port} exited (${exitedAs}) before it answered`);
    const admin = (method: string, path: string, body?: unknown) => fetch(`${at}${path}`, {
      method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { child, exited, at, admin };
  }

  /**
   * Two serve processes over the database, the first started first, both named by the first's
   * address (behind a reverse proxy, by the proxy's); on ports taken for this test alone.
   */
  async function twoServes() {
    baseUrl = `http://127.0.0.1:${await freePort()}`;
    const first = await serve(Number(new URL(baseUrl).port));
    const second = await serve(await freePort());
    return { first, second };
  }

  /** The process that sends, as the operator's listing names it. */
  const sender = async (serving: Awaited<ReturnType<typeof serve>>) =>
    ((await (await serving.admin('GET', '/api/hub/subscriptions')).json()) as { sender: string | null }).sender;

  /** Its gauge of whether it sends. */
  const sending = async (serving: Awaited<ReturnType<typeof serve>>) =>
    /^feedsieve_hub_sending (\d)$/m.exec(await (await fetch(`${serving.at}/metrics`)).text())?.[1];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-hub-two-'));
    origin = await startFaultServer({ '/world.rss': () => ({ body: rssDocument(worldTitle, entries) }) });
    subscriber = await startWebSubSubscriber();
    configOf = (port) => {
      const file = join(dir, `serve-${port}.json`);
      writeFileSync(file, JSON.stringify({
        database: join(dir, 'shared.db'), logLevel: 'warn',
        topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'harbour', title: 'Harbour desk', query: 'feed:"harbour desk"' }],
        feeds: [{ url: origin.url('/world.rss') }],
        server: { host: '127.0.0.1', port, baseUrl, hub: { enabled: true, retrySeconds: 1 } },
        // Never on the clock: a pass runs at the start and when the test asks for one.
        ingest: { allowPrivateAddresses: true, timeoutMs: 5000, schedule: '0 0 1 1 *' },
      }));
      return file;
    };
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await origin?.close();
    await subscriber?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends what another process stores once, from the one holding the lease; killed, the other sends', async () => {
    const { first, second } = await twoServes();
    try {
      // Asked of the second: either takes subscriptions, kept in the database.
      expect((await fetch(`${second.at}/hub`, {
        method: 'POST', body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': natoFeed(), 'hub.callback': subscriber.callback('/nato') }),
      })).status).toBe(202);
      await until(async () => ((await (await first.admin('GET', '/api/hub/subscriptions')).json()) as { subscriptions: unknown[] }).subscriptions,
        (held) => held.length === 1, 'the subscription');
      // Either names the one that sends: the first to start.
      expect(await sender(second)).toMatch(new RegExp(`:${first.child.pid}:[0-9a-f]{8}$`));
      expect(await sending(first)).toBe('1');
      expect(await sending(second)).toBe('0');

      entries.unshift({ guid: 'w2', title: 'NATO ministers agree on air defence', publishedAt: new Date() });
      expect(await ingestElsewhere(configOf(Number(new URL(first.at).port)))).toContain('1 new');
      await until(() => deliveredTo('/nato').length, (count) => count >= 1, 'the delivery');
      expect(deliveredTo('/nato')[0]!.body.toString('utf8')).toContain('NATO ministers agree on air defence');
      // Once, not by each process.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(deliveredTo('/nato')).toHaveLength(1);

      // A pass of the one that does not send: its items too are sent once.
      entries.unshift({ guid: 'w3', title: 'NATO defence ministers meet', publishedAt: new Date() });
      expect((await second.admin('POST', '/api/feeds/1/refresh')).status).toBe(202);
      await until(() => deliveredTo('/nato').length, (count) => count >= 2, 'the delivery of its pass');
      expect(deliveredTo('/nato')[1]!.body.toString('utf8')).toContain('NATO defence ministers meet');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(deliveredTo('/nato')).toHaveLength(2);

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      entries.unshift({ guid: 'w4', title: 'NATO opens a new command', publishedAt: new Date() });
      expect(await ingestElsewhere(configOf(Number(new URL(second.at).port)))).toContain('1 new');
      await until(() => deliveredTo('/nato').length, (count) => count >= 3, 'the delivery from the other', 20_000);
      expect(await sender(second)).toMatch(new RegExp(`:${second.child.pid}:[0-9a-f]{8}$`));
      expect(await sending(second)).toBe('1');
      expect(deliveredTo('/nato')[2]!.body.toString('utf8')).toContain('NATO opens a new command');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(deliveredTo('/nato')).toHaveLength(3);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second.child.kill('SIGKILL');
    }
  }, 60_000);

  it('makes again, from the one holding the lease, a delivery the other\'s edit sent and its callback refused', async () => {
    const { first, second } = await twoServes();
    try {
      expect((await second.admin('POST', '/api/topics', { slug: 'alliance', title: 'Alliance', query: 'NATO' })).status).toBe(201);
      expect((await fetch(`${first.at}/hub`, {
        method: 'POST', body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': `${baseUrl}/topics/alliance.rss`, 'hub.callback': subscriber.callback('/refusing') }),
      })).status).toBe(202);
      await until(async () => ((await (await first.admin('GET', '/api/hub/subscriptions')).json()) as { subscriptions: { callback: string }[] }).subscriptions,
        (held) => held.some((s) => s.callback === subscriber.callback('/refusing')), 'the subscription');

      // An edit over the second's API: the item logs do not show it, so the second sends it itself.
      subscriber.behaviour.status = 500;
      expect((await second.admin('PUT', '/api/topics/alliance', { title: 'NATO and the alliance', query: 'NATO' })).status).toBe(200);
      await until(() => deliveredTo('/refusing').length, (count) => count >= 1, 'the refused delivery');
      subscriber.behaviour.status = 202;
      await until(() => deliveredTo('/refusing').length, (count) => count >= 2, 'the delivery made again', 20_000);
      expect(deliveredTo('/refusing')[1]!.body.toString('utf8')).toContain('NATO and the alliance');
      // Made again once: by the process that sends, not by the one that recorded it as well.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(deliveredTo('/refusing')).toHaveLength(2);
    } finally {
      subscriber.behaviour.status = 202;
      first.child.kill('SIGTERM');
      second.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(await second.exited).toBe(0);
    }
  }, 60_000);

  it('sends, from the one that does not send, a topic its pass found a feed renamed into', async () => {
    const { first, second } = await twoServes();
    try {
      expect((await fetch(`${first.at}/hub`, {
        method: 'POST', body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': `${baseUrl}/topics/harbour.rss`, 'hub.callback': subscriber.callback('/harbour') }),
      })).status).toBe(202);
      await until(async () => ((await (await first.admin('GET', '/api/hub/subscriptions')).json()) as { subscriptions: { callback: string }[] }).subscriptions,
        (held) => held.some((s) => s.callback === subscriber.callback('/harbour')), 'the subscription');

      // No item is new or edited: the item logs show nothing, and the process that sends sends nothing.
      worldTitle = 'Harbour desk';
      expect((await second.admin('POST', '/api/feeds/1/refresh')).status).toBe(202);
      await until(() => deliveredTo('/harbour').length, (count) => count >= 1, 'the renamed feed\'s topic');
      expect(deliveredTo('/harbour')[0]!.body.toString('utf8')).toContain('NATO summit opens');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(deliveredTo('/harbour')).toHaveLength(1);
    } finally {
      first.child.kill('SIGTERM');
      second.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(await second.exited).toBe(0);
    }
  }, 60_000);
});
