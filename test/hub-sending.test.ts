// Which of several serve processes over one database sends the hub's deliveries: stores opened over
// one real file, one for each process, and the hubs stand-ins that record what they are asked to
// send and whether they make the deliveries to make again.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdHubSending, type HubSender } from '../src/hub-sending.js';
import { leaseHolderName } from '../src/leases.js';
import { createLogger } from '../src/log.js';
import type { Store } from '../src/store/index.js';
import { entry, fetched, hubStandIn, SAVED_AT } from './support/hub-stand-in.js';
import { useTempStores } from './support/temp-store.js';
import { until } from './support/until.js';

const SILENT = createLogger('silent');
/** Looks every 20 ms; a lease of 3 s, renewed every second. */
const FAST = { everyMs: 20, ttlMs: 3000 };

describe('the hub\'s sending among several serve processes', () => {
  const temp = useTempStores('hub-sending');
  const senders: HubSender[] = [];
  let elsewhere: Store;
  let feed: number;
  /** A serve process's store, hub and sending. */
  async function serve(options: { ttlMs?: number } = {}) {
    const store = temp.open();
    const stand = hubStandIn();
    const holder = leaseHolderName();
    const sender = await holdHubSending(store, stand.hub, SILENT, { ...FAST, ...options, holder });
    senders.push(sender);
    return { store, stand, sender, holder };
  }
  const stopped = async (sender: HubSender) => {
    sender.stop();
    await sender.settled();
  };

  beforeEach(async () => {
    elsewhere = temp.open();
    await elsewhere.putTopic({ slug: 'nato', title: 'NATO', query: 'nato', origin: 'api', pinned: false }, SAVED_AT);
    await elsewhere.putTopic({ slug: 'baltic', title: 'Baltic', query: 'baltic', origin: 'api', pinned: false }, SAVED_AT);
    feed = (await elsewhere.addFeed({ url: 'https://other.example/', title: null, origin: 'api' }, SAVED_AT)).id;
  });
  afterEach(async () => {
    for (const sender of senders.splice(0)) await stopped(sender);
  });

  it('sends from one process of two, the first to look; the other leaves the deliveries to make again to it', async () => {
    const first = await serve();
    const second = await serve();
    expect(first.sender.sends()).toBe(true);
    expect(second.sender.sends()).toBe(false);
    expect(first.stand.retries.made).toBe(true);
    expect(second.stand.retries).toMatchObject({ made: false, resumed: 0 });
    expect(await elsewhere.leaseHolder('hub', new Date())).toBe(first.holder);

    // The second one's pass, as the item logs show it: sent by the first, once.
    await second.store.saveFetchResult(feed, fetched([entry('b-1', ['nato'])]));
    await until(async () => first.stand.sent, (sent) => sent.length === 1, 'the first to send');
    expect(first.stand.sent).toEqual([{ slugs: ['nato'], all: true }]);
    // Each look of the sender takes up what another recorded to make again.
    const resumed = first.stand.retries.resumed;
    await until(async () => first.stand.retries.resumed, (count) => count >= resumed + 2, 'more looks');
    expect(second.stand.sent).toEqual([]);
    expect(second.sender.sends()).toBe(false);
  });

  it('is taken by another within a look once the sender stops, which sends what came past the marks kept', async () => {
    // A lease that would not expire within the test: released, not run out.
    const first = await serve({ ttlMs: 60_000 });
    const second = await serve();
    await stopped(first.sender);
    await until(async () => second.sender.sends(), (sends) => sends, 'the second to send');
    expect(second.stand.retries.made).toBe(true);
    expect(await elsewhere.leaseHolder('hub', new Date())).toBe(second.holder);

    await elsewhere.saveFetchResult(feed, fetched([entry('c-1', ['nato'])]));
    await until(async () => second.stand.sent, (sent) => sent.length === 1, 'the second to send the item');
    expect(first.stand.sent).toEqual([]);
  });

  it('is taken at once from a holder of this machine that is gone; from one that runs, once its lease expires', async () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    expect(await elsewhere.acquireLease('hub', `${hostname()}:${exited.stdout}:0badf00d`, 60_000, new Date())).toBe(true);
    const afterDead = await serve();
    expect(afterDead.sender.sends()).toBe(true);
    await stopped(afterDead.sender);

    // Another machine's holder is never judged gone: its lease has to expire.
    expect(await elsewhere.acquireLease('hub', 'other-machine:7:0badf00d', 400, new Date())).toBe(true);
    const waiting = await serve();
    expect(waiting.sender.sends()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waiting.sender.sends()).toBe(false);
    await until(async () => waiting.sender.sends(), (sends) => sends, 'the lease to expire');
  });

  it('renews its lease while it sends, and stops sending once another took it', async () => {
    const first = await serve({ ttlMs: 150 });
    const second = await serve();
    // Past two of its leases, it still holds one.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await elsewhere.leaseHolder('hub', new Date())).toBe(first.holder);
    expect(second.sender.sends()).toBe(false);

    // As when it stalled past its lease: taken from it.
    expect(await elsewhere.acquireLease('hub', 'other-machine:7:0badf00d', 60_000, new Date(), first.holder)).toBe(true);
    await until(async () => first.sender.sends(), (sends) => !sends, 'the first to stop sending');
    expect(first.stand.retries.made).toBe(false);
    await elsewhere.saveFetchResult(feed, fetched([entry('c-2', ['nato'])]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(first.stand.sent).toEqual([]);
    expect(second.stand.sent).toEqual([]);
  });

  it('sends what another process\'s pass stores once the pass ends, not a feed at a time; at once when the pass\'s process is gone', async () => {
    const sending = await serve();
    // A `feedsieve ingest` run on another machine, or another serve, holds the ingest lease while its pass runs.
    expect(await elsewhere.acquireLease('ingest', 'other-machine:7:0badf00d', 60_000, new Date())).toBe(true);
    await elsewhere.saveFetchResult(feed, fetched([entry('p-1', ['nato'])]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await elsewhere.saveFetchResult(feed, fetched([entry('p-2', ['baltic'])]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sending.stand.sent).toEqual([]);
    await elsewhere.releaseLease('ingest', 'other-machine:7:0badf00d');
    await until(async () => sending.stand.sent, (sent) => sent.length === 1, 'the pass\'s items');
    expect(sending.stand.sent).toEqual([{ slugs: ['baltic', 'nato'], all: true }]);

    // A pass whose process of this machine was killed holds the lease until it expires; its items are sent now.
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    expect(await elsewhere.acquireLease('ingest', `${hostname()}:${exited.stdout}:0badf00d`, 60_000, new Date())).toBe(true);
    await elsewhere.saveFetchResult(feed, fetched([entry('p-3', ['nato'])]));
    await until(async () => sending.stand.sent, (sent) => sent.length === 2, 'the killed pass\'s item');
  });
});
