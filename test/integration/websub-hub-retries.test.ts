// A delivery the callback did not take is made again, backing off, a few times at most, not once a
// later one was taken, and when it was due across a restart; a distribution that failed is made
// again, backing off, until it is. The hub alone over a real store and a real callback on
// 127.0.0.1, with retry delays of milliseconds (the config allows seconds) so that the whole
// schedule runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followItemLogs } from '../../src/hub-item-logs.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/index.js';
import { createHub, type FeedBody, type Hub, type HubFeeds } from '../../src/websub-hub.js';
import { entry, fetched, SAVED_AT } from '../support/hub-stand-in.js';
import { useTempStores } from '../support/temp-store.js';
import { until } from '../support/until.js';
import { startWebSubSubscriber, type WebSubSubscriberStandIn } from '../support/websub-subscriber.js';

const BASE = 'https://news.example';
const NATO = `${BASE}/topics/nato.rss`;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a hub\'s deliveries made again', () => {
  const temp = useTempStores('hub-retries');
  let store: Store;
  let subscriber: WebSubSubscriberStandIn;
  /** The hub started last; every one started is closed after the test. */
  let hub: Hub | null = null;
  const started: Hub[] = [];
  /** The feed the hub renders; null once its topic is gone. */
  let feed: FeedBody | null;

  const startHub = (retrySeconds: number, render: HubFeeds['render'] = async () => feed) => {
    hub = createHub(store, { isFeed: async () => true, render }, {
      baseUrl: BASE, leaseSeconds: 86_400, maxSubscriptions: 10, retrySeconds,
      limits: { timeoutMs: 5000, connectTimeoutMs: 5000, allowPrivateAddresses: true, userAgent: 'feedsieve-test' },
    }, createLogger('silent'), () => new Date());
    started.push(hub);
    return hub;
  };
  /** A hub whose delivery of NATO's feed the callback refused, to be made again after `retrySeconds`. */
  const refusedOnce = async (retrySeconds: number) => {
    subscriber.behaviour.status = 500;
    const refused = startHub(retrySeconds);
    refused.distribute({ slugs: ['nato'], all: false });
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 1, 'the delivery to make again kept');
    return refused;
  };
  const natoDeliveries = () => subscriber.deliveries.filter((delivery) => delivery.path === '/nato');

  beforeEach(async () => {
    store = temp.open();
    subscriber = await startWebSubSubscriber();
    feed = { body: Buffer.from('<rss version="2.0"><channel><title>NATO</title></channel></rss>'), contentType: 'application/rss+xml; charset=utf-8' };
    await store.keepHubSubscription({ topic: NATO, callback: subscriber.callback('/nato'), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) },
      new Date(), 10);
  });
  afterEach(async () => {
    for (const each of started.splice(0)) await each.close();
    hub = null;
    await subscriber.close();
  });

  it('sends a feed the callback refused five times more, each after four times the wait before, then waits for its next change', async () => {
    subscriber.behaviour.status = 503;
    startHub(0.001).distribute({ slugs: ['nato'], all: false });
    // 1, 4, 16, 64 and 256 ms after each failure; a sixth would come a second after the last.
    await until(() => natoDeliveries().length, (count) => count === 6, 'the five deliveries made again', 10_000);
    const gaps = natoDeliveries().slice(1).map((delivery, i) => delivery.at - natoDeliveries()[i]!.at);
    expect(gaps[4]!).toBeGreaterThanOrEqual(256);
    expect(gaps[3]!).toBeGreaterThanOrEqual(64);
    await wait(1600);
    expect(natoDeliveries()).toHaveLength(6);
    const [held] = await store.hubSubscriptions(new Date());
    expect(held).toMatchObject({ failures: 6, error: 'the callback answered 503' });
    // The next change is sent, and taken.
    subscriber.behaviour.status = 202;
    hub!.distribute({ slugs: ['nato'], all: false });
    await until(() => natoDeliveries().length, (count) => count === 7, 'the next change');
    await until(async () => (await store.hubSubscriptions(new Date()))[0]!.failures, (failures) => failures === 0, 'the delivery recorded');
  });

  it('says when its deliveries are done, and whether closing it cut one short', async () => {
    const done = startHub(60);
    done.distribute({ slugs: ['nato'], all: false });
    expect(await done.idle()).toBe(true);
    expect(natoDeliveries()).toHaveLength(1);
    // Closed once its deliveries were made: nothing was cut short.
    await done.close();
    expect(await done.idle()).toBe(true);

    subscriber.behaviour.hold = true;
    const holding = startHub(60);
    holding.distribute({ slugs: ['nato'], all: false });
    await until(() => natoDeliveries().length, (count) => count === 2, 'the delivery under way');
    await holding.close();
    expect(await holding.idle()).toBe(false);

    // A distribution asked of a closed hub is not made.
    const closed = startHub(60);
    await closed.close();
    expect(await closed.idle()).toBe(true);
    closed.distribute({ slugs: ['nato'], all: false });
    expect(await closed.idle()).toBe(false);
    expect(natoDeliveries()).toHaveLength(2);
  });

  /** A page that cannot be read the first `times` times it is asked for: a store failing for a while. */
  const failingFor = (times: number) => {
    const asked = { count: 0 };
    const render: HubFeeds['render'] = async () => {
      asked.count += 1;
      if (asked.count <= times) throw new Error('the page could not be read');
      return feed;
    };
    return { asked, render };
  };

  it('makes a distribution that failed again, after a wait four times as long each time, and is idle only once it is made', async () => {
    const { asked, render } = failingFor(2);
    const failing = startHub(0.05, render);
    expect(await failing.idle()).toBe(true);
    const askedAt = Date.now();
    failing.distribute({ slugs: ['nato'], all: false });
    expect(await failing.idle()).toBe(false);
    expect(natoDeliveries()).toHaveLength(0);
    // Failed again after 50 ms; made after 200 more.
    await until(() => natoDeliveries().length, (count) => count === 1, 'the distribution made again');
    expect(natoDeliveries()[0]!.at - askedAt).toBeGreaterThanOrEqual(250);
    expect(asked.count).toBe(3);
    expect(await failing.idle()).toBe(true);
    // Made: nothing is sent again, and the next failure waits the first wait again.
    await wait(400);
    expect(natoDeliveries()).toHaveLength(1);
    asked.count = 1;
    const again = Date.now();
    failing.distribute({ slugs: ['nato'], all: false });
    await until(() => natoDeliveries().length, (count) => count === 2, 'the next distribution, made again');
    // 50 ms, where the wait after the last would be 800.
    expect(natoDeliveries()[1]!.at - again).toBeLessThan(500);
  });

  it('denies a deleted topic\'s subscribers once when the rest of its distribution failed, and makes only the rest again', async () => {
    const BALTIC = `${BASE}/topics/baltic.rss`;
    await store.keepHubSubscription({ topic: BALTIC, callback: subscriber.callback('/baltic'), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) },
      new Date(), 10);
    const failing = startHub(0.3, failingFor(1).render);
    failing.distribute({ slugs: ['nato'], all: false, gone: ['baltic'] });
    expect(await failing.idle()).toBe(false);
    const denied = () => subscriber.verifications.filter((verification) => verification.mode === 'denied');
    expect(denied().map((verification) => verification.path)).toEqual(['/baltic']);
    // A topic made again under the name before the distribution is made again keeps its subscriber.
    await store.keepHubSubscription({ topic: BALTIC, callback: subscriber.callback('/baltic-again'), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) },
      new Date(), 10);
    await until(() => natoDeliveries().length, (count) => count === 1, 'the distribution made again');
    expect(denied()).toHaveLength(1);
    expect((await store.hubSubscribers([BALTIC], new Date())).map((held) => held.callback)).toEqual([subscriber.callback('/baltic-again')]);
  });

  it('makes a failed distribution again only once every delivery it began is over', async () => {
    const GAS = `${BASE}/topics/gas.rss`;
    await store.keepHubSubscription({ topic: GAS, callback: subscriber.callback('/gas'), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) },
      new Date(), 10);
    subscriber.behaviour.delayMs = 300;
    let gasAsked = 0;
    const failing = startHub(0.05, async (url) => {
      if (url === GAS && ++gasAsked === 1) throw new Error('the page could not be read');
      return feed;
    });
    failing.distribute({ slugs: ['nato', 'gas'], all: false });
    await until(() => subscriber.deliveries.length, (count) => count === 3, 'both feeds, sent again');
    // NATO's feed is sent again only after its first delivery was answered, and the wait.
    expect(natoDeliveries()).toHaveLength(2);
    expect(natoDeliveries()[1]!.at - natoDeliveries()[0]!.at).toBeGreaterThanOrEqual(300);
  });

  it('has the item logs\' marks kept once a distribution that failed for another process\'s items is made again', async () => {
    const elsewhere = temp.open();
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'nato', origin: 'api', pinned: false }, SAVED_AT);
    const feedId = (await store.addFeed({ url: 'https://other.example/', title: null, origin: 'api' }, SAVED_AT)).id;
    const failing = startHub(0.1, failingFor(1).render);
    const follower = await followItemLogs(store, { send: (changed) => failing.distribute(changed), idle: () => failing.idle() },
      createLogger('silent'), { everyMs: 50 });
    try {
      await follower.settled();
      const before = (await store.hubSentThrough())!;
      await elsewhere.saveFetchResult(feedId, fetched([entry('o-1', ['nato'])]));
      await until(() => natoDeliveries().length, (count) => count === 1, 'the item\'s feed, sent once its distribution is made again');
      await until(() => store.hubSentThrough(), (marks) => marks!.item > before.item, 'the marks kept');
    } finally {
      follower.stop();
      await elsewhere.close();
    }
  });

  it('joins the distributions that failed into one made again, and makes none once closed', async () => {
    const GAS = `${BASE}/topics/gas.rss`;
    await store.keepHubSubscription({ topic: GAS, callback: subscriber.callback('/gas'), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) },
      new Date(), 10);
    const failing = startHub(0.2, failingFor(2).render);
    failing.distribute({ slugs: ['nato'], all: false });
    failing.distribute({ slugs: ['gas'], all: false });
    expect(await failing.idle()).toBe(false);
    await until(() => subscriber.deliveries.length, (count) => count === 2, 'both feeds, sent again together');
    expect(subscriber.deliveries.map((delivery) => delivery.path).sort()).toEqual(['/gas', '/nato']);
    // Both in the one distribution made again.
    expect(subscriber.deliveries[1]!.at - subscriber.deliveries[0]!.at).toBeLessThan(400);
    expect(await failing.idle()).toBe(true);

    const closed = startHub(0.05, failingFor(1).render);
    closed.distribute({ slugs: ['nato'], all: false });
    expect(await closed.idle()).toBe(false);
    await closed.close();
    await wait(300);
    expect(natoDeliveries()).toHaveLength(1);
    expect(await closed.idle()).toBe(false);
  });

  it('makes no delivery again once a later one was taken', async () => {
    subscriber.behaviour.status = 500;
    // The retry would come 2 s after the failure: time enough for the change before it, on a busy machine too.
    startHub(2).distribute({ slugs: ['nato'], all: false });
    await until(async () => (await store.hubSubscriptions(new Date()))[0]!.failures, (failures) => failures === 1, 'the failure recorded');
    // The feed changes again before the retry is due, and the callback takes it.
    subscriber.behaviour.status = 202;
    feed = { ...feed!, body: Buffer.from('<rss version="2.0"><channel><title>NATO, again</title></channel></rss>') };
    hub!.distribute({ slugs: ['nato'], all: false });
    await until(() => natoDeliveries().length, (count) => count === 2, 'the later delivery');
    await wait(2500);
    expect(natoDeliveries()).toHaveLength(2);
    expect(natoDeliveries()[1]!.body.toString('utf8')).toContain('NATO, again');
  });

  it('makes a delivery that was to be made again when it was due, after a restart', async () => {
    subscriber.behaviour.status = 500;
    const before = startHub(1);
    before.distribute({ slugs: ['nato'], all: false });
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 1, 'the delivery to make again kept');
    const failedAt = natoDeliveries()[0]!.at;
    await before.close();
    subscriber.behaviour.status = 202;
    // A hub over the same database, as `serve` starts one after a restart.
    await startHub(1).resume();
    await until(() => natoDeliveries().length, (count) => count === 2, 'the delivery made again');
    expect(natoDeliveries()[1]!.at - failedAt).toBeGreaterThanOrEqual(900);
    const [held] = await until(() => store.hubSubscriptions(new Date()), ([subscription]) => subscription!.failures === 0, 'the delivery recorded');
    expect(held!.retryAt).toBeNull();
    expect(await store.pendingHubRetries(new Date())).toEqual([]);
  });

  it('leaves a delivery to make again to the hub that sends, which takes it up when it resumes', async () => {
    subscriber.behaviour.status = 500;
    // Another serve's hub, which does not send: it records the delivery the callback refused, and no more.
    const recording = startHub(0.05);
    recording.leaveRetries();
    recording.distribute({ slugs: ['nato'], all: false });
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 1, 'the delivery to make again kept');
    await wait(400);
    expect(natoDeliveries()).toHaveLength(1);

    subscriber.behaviour.status = 202;
    await startHub(0.05).resume();
    await until(() => natoDeliveries().length, (count) => count === 2, 'the delivery made again');
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 0, 'the delivery recorded');
    await wait(200);
    expect(natoDeliveries()).toHaveLength(2);
  });

  it('keeps to its waits when it resumes while making a delivery again', async () => {
    const resuming = await refusedOnce(0.2);
    // Made again slowly, and refused: still recorded as due while under way.
    subscriber.behaviour.delayMs = 500;
    await until(() => natoDeliveries().length, (count) => count === 2, 'the delivery under way');
    await resuming.resume();
    await until(async () => (await store.hubSubscriptions(new Date()))[0]!.failures, (failures) => failures === 2, 'the second failure');
    // The next is due 0.8 s after it, not at once.
    await wait(300);
    expect(natoDeliveries()).toHaveLength(2);
  });

  it('makes no delivery again that came due while a later one, then taken, was under way', async () => {
    const refused = await refusedOnce(0.2);
    // The next change is under way, slowly, when the delivery to make again comes due and waits its turn.
    subscriber.behaviour.status = 202;
    subscriber.behaviour.delayMs = 600;
    refused.distribute({ slugs: ['nato'], all: false });
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 0, 'the later delivery taken', 5000);
    await wait(400);
    expect(natoDeliveries()).toHaveLength(2);
  });

  it('makes none of the deliveries to make again once it leaves them, not one that came due before', async () => {
    await store.keepHubSubscription({ topic: `${BASE}/topics/baltic.rss`, callback: subscriber.callback('/baltic'), secret: null,
      leaseExpiresAt: new Date(Date.now() + 86_400_000) }, new Date(), 10);
    const leaving = await refusedOnce(0.2);
    // Another feed's delivery is under way, slowly, when NATO's comes due and waits its turn.
    subscriber.behaviour.status = 202;
    subscriber.behaviour.delayMs = 800;
    leaving.distribute({ slugs: ['baltic'], all: false });
    await wait(400);
    leaving.leaveRetries();
    await until(() => subscriber.deliveries.filter((delivery) => delivery.path === '/baltic').length, (count) => count === 1, 'the other feed');
    await leaving.idle();
    await wait(300);
    expect(natoDeliveries()).toHaveLength(1);
    // Still recorded, for the hub that sends.
    expect(await store.pendingHubRetries(new Date())).toHaveLength(1);
  });

  it('forgets a delivery to make again once the feed is gone', async () => {
    subscriber.behaviour.status = 500;
    startHub(1).distribute({ slugs: ['nato'], all: false });
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 1, 'the delivery to make again kept');
    feed = null;
    await until(() => store.pendingHubRetries(new Date()), (pending) => pending.length === 0, 'the delivery to make again forgotten', 5000);
    expect(natoDeliveries()).toHaveLength(1);
    // The feed back, and a delivery to make again recorded as another serve records one: taken up.
    feed = { body: Buffer.from('<rss version="2.0"><channel><title>NATO</title></channel></rss>'), contentType: 'application/rss+xml; charset=utf-8' };
    subscriber.behaviour.status = 202;
    const [held] = await store.hubSubscriptions(new Date());
    await store.retryHubDelivery(held!.id, new Date());
    await hub!.resume();
    await until(() => natoDeliveries().length, (count) => count === 2, 'the delivery made again');
  });

  it('sends the feeds of every topic and the combined feed when every topic\'s feed changed', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, new Date());
    await store.putTopic({ slug: 'baltic', title: 'Baltic', query: 'Baltic', origin: 'api', pinned: false }, new Date());
    for (const [topic, path] of [[`${BASE}/topics/baltic.atom`, '/baltic'], [`${BASE}/feeds/all.json`, '/all'], [`${BASE}/topics/gone.rss`, '/gone']] as const) {
      await store.keepHubSubscription({ topic, callback: subscriber.callback(path), secret: null, leaseExpiresAt: new Date(Date.now() + 86_400_000) }, new Date(), 10);
    }
    startHub(60).distribute({ slugs: 'every', all: true });
    await until(() => subscriber.deliveries.length, (count) => count >= 3, 'the deliveries');
    await wait(200);
    expect(subscriber.deliveries.map((delivery) => delivery.path).sort()).toEqual(['/all', '/baltic', '/nato']);
  });
});
