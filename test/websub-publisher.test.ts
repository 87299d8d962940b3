// Publish pings to a third-party WebSub hub (server.websubHub): the feeds a change concerns, by the
// addresses they name themselves by, in pings a hub takes, and again when it did not take them, by
// this process or the next over the database. A stand-in hub on 127.0.0.1, real SQLite files.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { openStore, type Store } from '../src/store/index.js';
import { createWebSubPublisher } from '../src/websub.js';
import { type HubStandIn, startHubStandIn } from './support/hub.js';
import { useTempStores } from './support/temp-store.js';
import { until } from './support/until.js';

const BASE = 'https://news.example/feedsieve';
const formats = (path: string) => ['rss', 'atom', 'json'].map((ext) => `${BASE}/${path}.${ext}`);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SILENT = createLogger('silent');

describe('WebSub publish pings', () => {
  let hub: HubStandIn;
  const temp = useTempStores('pings');
  /** The stores opened over the test's database, each a process's. */
  const stores: Store[] = [];
  const open = (file = 'db.sqlite') => {
    const store = openStore(join(temp.dir, file));
    stores.push(store);
    return store;
  };
  let store: Store;
  beforeEach(async () => {
    hub = await startHubStandIn();
    store = open();
  });
  afterEach(async () => {
    hub.close();
    for (const each of stores.splice(0)) await each.close().catch(() => {});
  });

  /** Publishers started, each closed after its test. */
  const started: { close(): void }[] = [];
  afterEach(() => {
    for (const each of started.splice(0)) each.close();
  });
  const publisher = (slugs: string[], retryMs?: number, over: Store = store) => {
    const made = createWebSubPublisher(hub.url, BASE, SILENT, async () => slugs, over, retryMs === undefined ? {} : { retryMs });
    started.push(made);
    return made;
  };
  const named = (from = 0) => hub.pings.slice(from).map((ping) => ping.getAll('hub.url'));

  it('names each changed topic\'s feeds once, and the combined feed\'s when it changed', async () => {
    await publisher([]).publish({ slugs: ['nato', 'baltic', 'nato'], all: true });
    expect(hub.pings).toHaveLength(1);
    expect(hub.pings[0]!.get('hub.mode')).toBe('publish');
    expect(hub.pings[0]!.getAll('hub.url')).toEqual([...formats('topics/nato'), ...formats('topics/baltic'), ...formats('feeds/all')]);
    await publisher([]).publish({ slugs: [], all: false, gone: ['nato'] });
    expect(hub.pings).toHaveLength(1);
  });

  it('names every topic\'s feeds, at most 100 a ping, when every topic\'s feed changed', async () => {
    const slugs = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    await publisher(slugs).publish({ slugs: 'every', all: true });
    expect(hub.pings.map((ping) => ping.getAll('hub.url').length)).toEqual([100, 23]);
    expect(hub.pings.flatMap((ping) => ping.getAll('hub.url'))).toEqual([...slugs.flatMap((slug) => formats(`topics/${slug}`)), ...formats('feeds/all')]);
    expect(hub.pings.every((ping) => ping.get('hub.mode') === 'publish')).toBe(true);
  });

  it('pings again the feeds of a ping the hub did not take, after a wait four times as long each time, and in the next ping, until it takes them', async () => {
    hub.behaviour.status = 503;
    const pinging = publisher([], 40);
    await pinging.publish({ slugs: ['nato'], all: false });
    // Made again after 40, then 160 ms; the feed changed meanwhile is named with it.
    await until(() => hub.pings.length, (count) => count === 2, 'the ping made again');
    await pinging.publish({ slugs: ['baltic'], all: false });
    expect(named(2)).toEqual([[...formats('topics/nato'), ...formats('topics/baltic')]]);
    await until(() => hub.pings.length, (count) => count === 4, 'the ping made again a second time');
    expect(hub.pingedAt[1]! - hub.pingedAt[0]!).toBeGreaterThanOrEqual(40);
    expect(hub.pingedAt[3]! - hub.pingedAt[1]!).toBeGreaterThanOrEqual(160);
    expect(named(3)).toEqual([[...formats('topics/nato'), ...formats('topics/baltic')]]);

    // Back: the next ping, a pass's that changed no feed, names both; then none is made again.
    hub.behaviour.status = 204;
    await pinging.publish({ slugs: [], all: false });
    expect(named(4)).toEqual([[...formats('topics/nato'), ...formats('topics/baltic')]]);
    await wait(40 * 4 ** 2 + 200);
    expect(hub.pings).toHaveLength(5);
    await pinging.publish({ slugs: ['gas'], all: false });
    expect(named(5)).toEqual([formats('topics/gas')]);
    // Down again: the first wait again, not the one after the last.
    hub.behaviour.status = 503;
    await pinging.publish({ slugs: ['gas'], all: false });
    await until(() => hub.pings.length, (count) => count === 8, 'the ping made again');
    // 40 ms, where the wait after the last would be 640.
    expect(hub.pingedAt[7]! - hub.pingedAt[6]!).toBeLessThan(400);
  });

  it('makes no ping again that the hub refused for good, nor once it is closed', async () => {
    hub.behaviour.status = 400;
    const refused = publisher([], 20);
    await refused.publish({ slugs: ['nato'], all: false });
    await wait(200);
    expect(hub.pings).toHaveLength(1);
    hub.behaviour.status = 204;
    await refused.publish({ slugs: [], all: false });
    expect(hub.pings).toHaveLength(1);

    hub.behaviour.status = 429;
    const closing = publisher([], 20);
    await closing.publish({ slugs: ['nato'], all: false });
    closing.close();
    await wait(200);
    expect(hub.pings).toHaveLength(2);
    hub.behaviour.status = 204;
    await closing.publish({ slugs: ['gas'], all: false });
    expect(hub.pings).toHaveLength(2);
  });

  it('leaves the feeds past the first ping the hub did not take for the next try, rather than ping each hundred', async () => {
    const slugs = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    hub.behaviour.status = 503;
    const pinging = publisher(slugs, 60);
    await pinging.publish({ slugs: 'every', all: true });
    expect(named().map((urls) => urls.length)).toEqual([100]);
    hub.behaviour.status = 204;
    await until(() => hub.pings.length, (count) => count === 3, 'the pings made again');
    expect(named(1).map((urls) => urls.length)).toEqual([100, 23]);
    expect(new Set(named(1).flat())).toEqual(new Set([...slugs.flatMap((slug) => formats(`topics/${slug}`)), ...formats('feeds/all')]));
  });

  it('leaves the feeds the hub did not take to the next process over the database, which names them in its next ping', async () => {
    hub.behaviour.status = 503;
    const first = publisher([], 60_000);
    await first.publish({ slugs: ['nato'], all: true });
    first.close();
    expect(hub.pings).toHaveLength(1);

    // A `feedsieve ingest` run after it, or serve's first pass: one that changed no feed pings too.
    hub.behaviour.status = 204;
    const next = publisher([], 60_000, open());
    await next.publish({ slugs: [], all: false });
    expect(named(1).map((urls) => urls.sort())).toEqual([[...formats('topics/nato'), ...formats('feeds/all')].sort()]);
    expect(await store.unpingedFeeds()).toEqual([]);
    await next.publish({ slugs: [], all: false });
    await publisher([], 60_000, open()).publish({ slugs: [], all: false });
    expect(hub.pings).toHaveLength(2);
  });

  it('pings again from its memory the feeds a database it could not write to did not keep', async () => {
    const closed = open('closed.sqlite');
    await closed.close();
    hub.behaviour.status = 503;
    const pinging = publisher([], 40, closed);
    await pinging.publish({ slugs: ['nato'], all: false });
    hub.behaviour.status = 204;
    await until(() => hub.pings.length, (count) => count === 2, 'the ping made again');
    expect(named(1)).toEqual([formats('topics/nato')]);
    await wait(300);
    expect(hub.pings).toHaveLength(2);
  });
});
