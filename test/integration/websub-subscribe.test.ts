// A feed that names a WebSub hub is subscribed to there by a running service, and fetched within
// moments of the hub saying it changed, between polls. A real service on 127.0.0.1 (its schedule
// set never to tick), a real origin serving the feeds, and a hub that treats its subscribers as
// the W3C recommendation has hubs do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createWebSubSubscriber } from '../../src/ingest/websub-subscriber.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import type { FeedRecord } from '../../src/model.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type FaultRoute, type FaultServer, startFaultServer } from '../support/fault-server.js';
import { logLines } from '../support/log-lines.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';
import { startWebSubHub, type WebSubHubStandIn } from '../support/websub-hub.js';

const DAY_S = 86_400;
const LEASE_S = 10 * DAY_S;
const WORLD_SELF = 'https://news.example/world.rss';
const EUROPE_SELF = 'https://news.example/europe.rss';
/** The service's admin token: a test asks it to fetch a feed now, as an operator would. */
const ADMIN = 'websub-admin-token';
/** The largest body a fetch reads, and a hub may send. */
const MAX_BYTES = 100_000;

/** An RSS document naming `hub` and its own address, with one item per title. */
function feedNamingHub(hub: string, self: string, titles: string[]): string {
  const items = titles.map((title, n) => `<item><title>${title}</title><link>https://news.example/${encodeURIComponent(title)}</link>`
    + `<guid isPermaLink="false">${self}#${n}</guid><pubDate>${new Date(Date.now() - n * 60_000).toUTCString()}</pubDate>`
    + `<description>About ${title}</description></item>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>`
    + `<title>News</title><link>https://news.example/</link><atom:link rel="hub" href="${hub}"/>`
    + `<atom:link rel="self" type="application/rss+xml" href="${self}"/>${items}</channel></rss>`;
}


interface Subscribed {
  dir: string;
  origin: FaultServer;
  hub: WebSubHubStandIn;
  core: Core;
  service: Service;
  baseUrl: string;
  /** The service's log, from the start. */
  logged: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * A service subscribing to the hubs its feeds name, at one hub of its own, once its start's pass
 * is through and the hub has verified what it asked. The origin serves `routes` (made knowing the
 * hub's address), each path a feed; the schedule never ticks in a test's time, so only the start's
 * pass and those a notification asks for run.
 */
async function startSubscribed(routes: (hubUrl: string) => Record<string, FaultRoute>, ingest: IngestSettings,
  now?: () => Date): Promise<Subscribed> {
  const hub = await startWebSubHub();
  const started = await startNamingHub(hub, routes, ingest, 5000, now);
  // After the run the start's pass began, which a pass does not wait for.
  await started.core.websub!.requestDue();
  await hub.settled();
  return started;
}

/** `ingest.websub.minFetchSeconds`, and the longest a feed's usual polls are apart (default a day). */
interface IngestSettings {
  minFetchSeconds: number;
  maxIntervalMinutes?: number;
}

/** A service whose feeds name `hub`, once its start's pass is through: it does not wait for the hub. */
async function startNamingHub(hub: WebSubHubStandIn, routes: (hubUrl: string) => Record<string, FaultRoute>,
  { minFetchSeconds, maxIntervalMinutes = 1440 }: IngestSettings, timeoutMs: number, now?: () => Date): Promise<Subscribed> {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-websub-'));
  const paths = routes(hub.url);
  const origin = await startFaultServer(paths);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    database: 'test.db', logLevel: 'silent', topics: [], feeds: Object.keys(paths).map((path) => ({ url: origin.url(path) })),
    server: { host: '127.0.0.1', port, baseUrl },
    ingest: { allowPrivateAddresses: true, timeoutMs, maxBytes: MAX_BYTES, schedule: '0 0 1 1 *', maxIntervalMinutes,
      websub: { subscribe: true, minFetchSeconds } },
  }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: ADMIN });
  const { lines: logged, stream } = logLines();
  const core = await openCore(config, createLogger('info', stream), now ? { now } : {});
  const service = await startService(core);
  await service.firstIngest;
  return {
    dir, origin, hub, core, service, baseUrl, logged,
    async stop() {
      await service.stop();
      await origin.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('a service subscribed to the hub a feed names', () => {
  let running: Subscribed;
  let dir: string;
  let origin: FaultServer;
  let hub: WebSubHubStandIn;
  let core: Core;
  let service: Service;
  let baseUrl: string;
  // The core's clock runs with the real one, moved on by `aheadMs` to reach a lease's renewal.
  let aheadMs = 0;
  const worldTitles = ['Summit opens'];
  let world: FeedRecord;

  const feed = async (id: number) => (await (await fetch(`${baseUrl}/api/feeds/${id}`)).json()) as {
    status: { nextFetchAt: string };
    websub: { hub: string; topic: string; subscription: { state: string; leaseExpiresAt: string | null; error: string | null; lastNotifiedAt: string | null; notifications: number } | null } | null;
  };
  const titles = async () => ((await (await fetch(`${baseUrl}/api/items?limit=50`)).json()) as { items: { title: string }[] }).items.map((item) => item.title);
  const callbackOf = (topic: string) => hub.requests.find((form) => form.get('hub.topic') === topic)!.get('hub.callback')!;

  beforeAll(async () => {
    running = await startSubscribed((hubUrl) => ({
      '/world.rss': () => ({ body: feedNamingHub(hubUrl, WORLD_SELF, worldTitles) }),
      '/europe.rss': { body: feedNamingHub(hubUrl, EUROPE_SELF, ['Europe story']) },
    }), { minFetchSeconds: 0 }, () => new Date(Date.now() + aheadMs));
    ({ dir, origin, hub, core, service, baseUrl } = running);
    world = (await core.store.getFeedByUrl(origin.url('/world.rss')))!;
  });
  afterAll(() => running?.stop());

  it('asks the hub for the topic the feed names itself by, with a callback and secret of its own and the lease configured', async () => {
    expect(hub.requests.map((form) => form.get('hub.topic')).sort()).toEqual([EUROPE_SELF, WORLD_SELF]);
    const asked = hub.requests.find((form) => form.get('hub.topic') === WORLD_SELF)!;
    expect(asked.get('hub.mode')).toBe('subscribe');
    expect(asked.get('hub.lease_seconds')).toBe(String(LEASE_S));
    expect(asked.get('hub.callback')).toMatch(new RegExp(`^${baseUrl}/websub/[A-Za-z0-9_-]{22}$`));
    expect(asked.get('hub.secret')).toMatch(/^[0-9a-f]{64}$/);
    const other = hub.requests.find((form) => form.get('hub.topic') === EUROPE_SELF)!;
    expect(other.get('hub.callback')).not.toBe(asked.get('hub.callback'));
    expect(other.get('hub.secret')).not.toBe(asked.get('hub.secret'));
  });

  it('echoes the hub\'s challenge, and shows the subscription confirmed with the lease granted', async () => {
    expect(hub.verifications.map(({ mode, status, echoed }) => ({ mode, status, echoed }))).toEqual([
      { mode: 'subscribe', status: 200, echoed: true }, { mode: 'subscribe', status: 200, echoed: true },
    ]);
    expect(hub.subscribers(WORLD_SELF)).toHaveLength(1);
    const shown = await feed(world.id);
    expect(shown.websub).toMatchObject({ hub: hub.url, topic: WORLD_SELF, subscription: { state: 'verified', error: null, notifications: 0 } });
    const leaseLeft = Date.parse(shown.websub!.subscription!.leaseExpiresAt!) - Date.now();
    expect(leaseLeft).toBeGreaterThan((LEASE_S - 60) * 1000);
    expect(leaseLeft).toBeLessThanOrEqual(LEASE_S * 1000);
  });

  it('fetches the feed from its own server as soon as the hub says it changed, between polls', async () => {
    const hitsBefore = origin.hits('/world.rss');
    expect(await titles()).not.toContain('Ceasefire agreed');
    worldTitles.unshift('Ceasefire agreed');
    expect(await hub.publish(WORLD_SELF, feedNamingHub(hub.url, WORLD_SELF, worldTitles))).toEqual([202]);
    await until(titles, (seen) => seen.includes('Ceasefire agreed'), 'the new item');
    expect(origin.hits('/world.rss')).toBe(hitsBefore + 1);
    // The other feed was not fetched again.
    expect(origin.hits('/europe.rss')).toBe(1);
    expect((await feed(world.id)).websub?.subscription).toMatchObject({ notifications: 1 });
    expect((await feed(world.id)).websub?.subscription?.lastNotifiedAt).not.toBeNull();
  });

  it('acknowledges and ignores what is not signed with the subscription\'s secret', async () => {
    const before = await feed(world.id);
    const forged = `sha256=${'0'.repeat(64)}`;
    expect(await hub.publish(WORLD_SELF, 'anything', forged)).toEqual([202]);
    const unsigned = await fetch(callbackOf(WORLD_SELF), { method: 'POST', body: 'anything' });
    expect(unsigned.status).toBe(202);
    const after = await feed(world.id);
    expect(after.websub?.subscription?.notifications).toBe(1);
    expect(after.status.nextFetchAt).toBe(before.status.nextFetchAt);
  });

  it('counts the subscriptions by state, and the notifications taken and ignored, in /metrics', async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('feedsieve_websub_subscriptions{state="verified"}')).toBe(2);
    expect(value('feedsieve_websub_subscriptions{state="failed"}')).toBe(0);
    expect(value('feedsieve_websub_notifications_total{outcome="accepted"}')).toBe(1);
    expect(value('feedsieve_websub_notifications_total{outcome="ignored"}')).toBe(2);
  });

  it('answers a callback nobody was given 404, and a verification of what was not asked 404 or 400', async () => {
    const unknown = await fetch(`${baseUrl}/websub/not-a-token`, { method: 'POST', body: 'x', headers: { 'x-hub-signature': 'sha256=00' } });
    expect(unknown.status).toBe(404);
    // Past the largest feed: refused unread where no callback was given, too large where one was.
    const tooLarge = 'x'.repeat(MAX_BYTES + 1);
    expect((await fetch(`${baseUrl}/websub/not-a-token`, { method: 'POST', body: tooLarge })).status).toBe(404);
    expect((await fetch(callbackOf(WORLD_SELF), { method: 'POST', body: tooLarge })).status).toBe(413);
    const callback = new URL(callbackOf(WORLD_SELF));
    const verify = (query: Record<string, string>) => fetch(`${callback.href}?${new URLSearchParams(query).toString()}`);
    const otherTopic = await verify({ 'hub.mode': 'subscribe', 'hub.topic': 'https://elsewhere.example/', 'hub.challenge': 'not-ours', 'hub.lease_seconds': '60' });
    expect(otherTopic.status).toBe(404);
    expect(await otherTopic.text()).not.toContain('not-ours');
    const notAsked = await verify({ 'hub.mode': 'unsubscribe', 'hub.topic': WORLD_SELF, 'hub.challenge': 'c' });
    expect(notAsked.status).toBe(404);
    expect((await verify({ 'hub.mode': 'subscribe', 'hub.topic': WORLD_SELF })).status).toBe(400);
    expect((await verify({ 'hub.mode': 'publish', 'hub.topic': WORLD_SELF, 'hub.challenge': 'c' })).status).toBe(400);
    expect((await feed(world.id)).websub?.subscription?.state).toBe('verified');
  });

  it('renews the lease with a fifth of it left, at the same callback', async () => {
    const callback = callbackOf(WORLD_SELF);
    const leaseBefore = (await feed(world.id)).websub!.subscription!.leaseExpiresAt!;
    aheadMs = 0.79 * LEASE_S * 1000;
    expect(await core.websub!.requestDue()).toBe(0);
    aheadMs = 0.81 * LEASE_S * 1000;
    hub.behaviour.leaseSeconds = 5 * DAY_S;
    expect(await core.websub!.requestDue()).toBe(2);
    await hub.settled();
    const renewal = hub.requests.filter((form) => form.get('hub.topic') === WORLD_SELF);
    expect(renewal).toHaveLength(2);
    expect(renewal[1]!.get('hub.callback')).toBe(callback);
    expect(renewal[1]!.get('hub.secret')).toBe(renewal[0]!.get('hub.secret'));
    const leaseAfter = (await feed(world.id)).websub!.subscription!.leaseExpiresAt!;
    expect(Date.parse(leaseAfter)).toBeGreaterThan(Date.parse(leaseBefore));
    expect(Date.parse(leaseAfter) - (Date.now() + aheadMs)).toBeLessThanOrEqual(5 * DAY_S * 1000);
  });

  it('unsubscribes a feed left out of the configuration, and forgets it once the hub confirms', async () => {
    const europeCallback = callbackOf(EUROPE_SELF);
    await service.reloadConfig(parseConfig({
      database: 'test.db', logLevel: 'silent', topics: [], feeds: [{ url: origin.url('/world.rss') }],
      server: core.config.server, ingest: core.config.ingest,
    }, join(dir, 'config.json')));
    await core.websub!.requestDue();
    await hub.settled();
    const unsubscribe = hub.requests.at(-1)!;
    expect([unsubscribe.get('hub.mode'), unsubscribe.get('hub.topic'), unsubscribe.get('hub.callback')]).toEqual(['unsubscribe', EUROPE_SELF, europeCallback]);
    expect(hub.verifications.at(-1)).toMatchObject({ mode: 'unsubscribe', status: 200, echoed: true });
    expect(hub.subscribers(EUROPE_SELF)).toEqual([]);
    expect(core.store.db.prepare('SELECT count(*) FROM websub_subscriptions').pluck().get()).toBe(1);
    // Its callback is gone with it.
    expect((await fetch(europeCallback, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('shows a hub\'s refusal, and a hub that answers with an error, on the feed', async () => {
    hub.behaviour.deny = 'topic not allowed';
    aheadMs += 4 * DAY_S * 1000 + 60_000;
    expect(await core.websub!.requestDue()).toBe(1);
    await hub.settled();
    expect(hub.verifications.at(-1)).toMatchObject({ mode: 'denied', status: 200 });
    expect((await feed(world.id)).websub?.subscription).toMatchObject({ state: 'denied', error: 'topic not allowed', leaseExpiresAt: null });
    hub.behaviour.deny = undefined;
    hub.behaviour.refuse = { status: 400, body: 'hub.topic\n is not served here' };
    aheadMs += DAY_S * 1000;
    expect(await core.websub!.requestDue()).toBe(1);
    expect((await feed(world.id)).websub?.subscription).toMatchObject({ state: 'failed', error: 'the hub answered 400: hub.topic is not served here' });
  });

  it('takes the lease a hub grants, up to a year', async () => {
    const callback = new URL(callbackOf(WORLD_SELF));
    const verify = (leaseSeconds: string) => fetch(`${callback.href}?${new URLSearchParams({
      'hub.mode': 'subscribe', 'hub.topic': WORLD_SELF, 'hub.challenge': 'again', 'hub.lease_seconds': leaseSeconds }).toString()}`);
    const leaseLeft = async () => Date.parse((await feed(world.id)).websub!.subscription!.leaseExpiresAt!) - (Date.now() + aheadMs);
    expect(await (await verify('7200')).text()).toBe('again');
    expect(await leaseLeft()).toBeGreaterThan(7100_000);
    expect(await leaseLeft()).toBeLessThanOrEqual(7200_000);
    expect(await (await verify('1e30')).text()).toBe('again');
    expect(await leaseLeft()).toBeGreaterThan((366 * DAY_S - 100) * 1000);
    expect(await leaseLeft()).toBeLessThanOrEqual(366 * DAY_S * 1000);
    expect((await feed(world.id)).websub?.subscription).toMatchObject({ state: 'verified', error: null });
  });
});

describe('a hub that says a feed changed right after it was fetched', () => {
  let running: Subscribed;
  const fetchedAt: number[] = [];
  const titles = ['First story'];

  beforeAll(async () => {
    running = await startSubscribed((hubUrl) => ({
      '/world.rss': () => {
        fetchedAt.push(Date.now());
        return { body: feedNamingHub(hubUrl, WORLD_SELF, titles) };
      },
    }), { minFetchSeconds: 1 });
  });
  afterAll(() => running?.stop());

  it('fetches it once ingest.websub.minFetchSeconds have passed since that fetch, not before', async () => {
    expect(fetchedAt).toHaveLength(1);
    titles.unshift('Second story');
    const { hub } = running;
    const body = feedNamingHub(hub.url, WORLD_SELF, titles);
    expect(await hub.publish(WORLD_SELF, body)).toEqual([202]);
    expect(await hub.publish(WORLD_SELF, body)).toEqual([202]);
    await until(async () => fetchedAt.length, (count) => count === 2, 'the second fetch');
    expect(fetchedAt[1]! - fetchedAt[0]!).toBeGreaterThanOrEqual(1000);
  });
});

describe('a hub that announces a feed\'s changes', () => {
  let running: Subscribed;
  const titles = ['First story'];
  let worldId: number;

  beforeAll(async () => {
    // Usual polls an hour apart at most, so that a day apart tells.
    running = await startSubscribed((hubUrl) => ({
      '/world.rss': () => ({ body: feedNamingHub(hubUrl, WORLD_SELF, titles) }),
    }), { minFetchSeconds: 0, maxIntervalMinutes: 60 });
    worldId = (await running.core.store.getFeedByUrl(running.origin.url('/world.rss')))!.id;
  });
  afterAll(() => running?.stop());

  const shown = async () => (await (await fetch(`${running.baseUrl}/api/feeds/${worldId}`)).json()) as {
    status: { lastFetchedAt: string; nextFetchAt: string };
    websub: { subscription: { changesAnnounced: number; lastUnannouncedChangeAt: string | null } };
  };
  /** How long after its last fetch the feed is fetched next, in minutes. */
  const pollGap = async () => {
    const { status } = await shown();
    return (Date.parse(status.nextFetchAt) - Date.parse(status.lastFetchedAt)) / 60_000;
  };

  it('polls the feed a day apart once the hub announced its last three changes, and as usual after one it did not', async () => {
    const { hub, origin, baseUrl } = running;
    expect(await pollGap()).toBeCloseTo(60, 0);
    for (let n = 1; n <= 3; n++) {
      const hits = origin.hits('/world.rss');
      titles.unshift(`Announced story ${n}`);
      expect(await hub.publish(WORLD_SELF, feedNamingHub(hub.url, WORLD_SELF, titles))).toEqual([202]);
      await until(shown, (feed) => feed.websub.subscription.changesAnnounced === n, `announced change ${n}`);
      expect(origin.hits('/world.rss')).toBe(hits + 1);
      expect(await pollGap()).toBeCloseTo(n < 3 ? 60 : 1440, 0);
    }
    // A feed given an interval of its own keeps it, trusted hub or not.
    const { core, service, dir } = running;
    const withInterval = async (intervalMinutes?: number) => service.reloadConfig(parseConfig({
      database: 'test.db', logLevel: 'silent', topics: [], feeds: [{ url: origin.url('/world.rss'), intervalMinutes }],
      server: core.config.server, ingest: core.config.ingest,
    }, join(dir, 'config.json')));
    await withInterval(30);
    titles.unshift('Announced story 4');
    expect(await hub.publish(WORLD_SELF, feedNamingHub(hub.url, WORLD_SELF, titles))).toEqual([202]);
    await until(shown, (feed) => feed.websub.subscription.changesAnnounced === 4, 'announced change 4');
    expect(await pollGap()).toBeCloseTo(30, 0);
    await withInterval(undefined);
    // A change the hub never announces, found by a fetch the operator asks for.
    titles.unshift('Unannounced story');
    const asked = await fetch(`${baseUrl}/api/feeds/${worldId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(asked.status).toBe(202);
    const after = await until(shown, (feed) => feed.websub.subscription.lastUnannouncedChangeAt !== null, 'the unannounced change');
    expect(after.websub.subscription.changesAnnounced).toBe(0);
    expect(after.websub.subscription.lastUnannouncedChangeAt).toBe(after.status.lastFetchedAt);
    expect(await pollGap()).toBeCloseTo(60, 0);
    const fetches = running.logged.filter((line) => line.msg === 'feed fetched' && line.feedId === worldId);
    expect(fetches.map((line) => line.hubChange ?? null)).toEqual([null, 'announced', 'announced', 'announced', 'announced', 'unannounced']);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^feedsieve_websub_changes_total\{announced="true"\} 4$/m);
    expect(metrics).toMatch(/^feedsieve_websub_changes_total\{announced="false"\} 1$/m);
  });
});

describe('a hub that says a feed changed while it was being fetched', () => {
  let running: Subscribed;
  const titles = ['First story'];
  /** When each request for the feed came, and whether to answer it slowly. */
  const requestedAt: number[] = [];
  let slow = false;

  beforeAll(async () => {
    running = await startSubscribed((hubUrl) => ({
      // The document as it is when the request comes, sent after a wait when slow.
      '/world.rss': () => {
        requestedAt.push(Date.now());
        return { body: feedNamingHub(hubUrl, WORLD_SELF, titles), ...(slow ? { delayMs: 500 } : {}) };
      },
    }), { minFetchSeconds: 1 });
  });
  afterAll(() => running?.stop());

  it('fetches it again ingest.websub.minFetchSeconds after that fetch, not at its next poll', async () => {
    const { hub, baseUrl } = running;
    const titlesStored = async () => ((await (await fetch(`${baseUrl}/api/items?limit=50`)).json()) as { items: { title: string }[] }).items.map((item) => item.title);
    slow = true;
    titles.unshift('Second story');
    expect(await hub.publish(WORLD_SELF, feedNamingHub(hub.url, WORLD_SELF, titles))).toEqual([202]);
    await until(async () => requestedAt.length, (count) => count === 2, 'the fetch the hub asked for');
    // Answered with the document as it was; the hub says it changed again before the answer ends.
    slow = false;
    titles.unshift('Third story');
    expect(await hub.publish(WORLD_SELF, feedNamingHub(hub.url, WORLD_SELF, titles))).toEqual([202]);
    await until(titlesStored, (seen) => seen.includes('Third story'), 'the change announced during the fetch');
    expect(requestedAt).toHaveLength(3);
    expect(requestedAt[2]! - requestedAt[1]!).toBeGreaterThanOrEqual(1500);
  });
});

describe('a subscriber asking hubs', () => {
  let dir: string;
  let store: Store;
  let hub: WebSubHubStandIn;
  let silent: FaultServer;
  // Nothing listens there: a hub's verification, once it is asked, finds no callback.
  let baseUrl: string;
  const now = new Date();
  const later = new Date(now.getTime() + 2 * 3_600_000);

  /** Feeds naming `hubUrl`, as their last fetch found them, by id. */
  const feedsNaming = async (hubUrl: string, count: number) => {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      const added = await store.addFeed({ url: `https://news.example/${ids.length}-${Math.random()}.rss`, title: null, origin: 'api' }, now);
      await store.saveFetchResult(added.id, {
        fetchedAt: now, httpStatus: 200, newUrl: null, fetchedAs: null, validators: null, items: [], error: null,
        feedInfo: { title: 'News', siteUrl: null, minIntervalMinutes: null, hubUrl, selfUrl: null },
        next: { nextFetchAt: new Date(now.getTime() + 3_600_000), consecutiveFailures: 0, disabled: false },
      });
      ids.push(added.id);
    }
    return ids;
  };
  const subscriber = (at: Date, limits: { timeoutMs?: number; allowPrivateAddresses?: boolean } = {}, base = baseUrl) => createWebSubSubscriber(store, {
    baseUrl: base, leaseSeconds: LEASE_S, minFetchSeconds: 60,
    limits: { timeoutMs: 2000, connectTimeoutMs: 1000, userAgent: 'test', allowPrivateAddresses: true, ...limits },
  }, createLogger('silent'), () => at);
  const subscriptionOf = async (id: number) => (await store.getFeed(id))!.websub!.subscription!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-websub-asking-'));
    store = openStore(join(dir, 'db.sqlite'));
    hub = await startWebSubHub();
    silent = await startFaultServer({ '/hub': { hang: true } });
    baseUrl = `http://127.0.0.1:${await freePort()}`;
  });
  // Each test's feeds and subscriptions are its own.
  afterEach(() => void store.db.exec('DELETE FROM websub_subscriptions; DELETE FROM feeds'));
  afterAll(async () => {
    await store?.close();
    await hub?.close();
    await silent?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('does not ask a hub at a private address unless the operator allows private addresses, and the feed says why', async () => {
    const [id] = await feedsNaming(hub.url, 1);
    const guarded = subscriber(now, { allowPrivateAddresses: false });
    expect(await guarded.requestDue()).toBe(1);
    await guarded.close();
    expect(hub.requests).toEqual([]);
    expect(await subscriptionOf(id!)).toMatchObject({ state: 'failed', error: expect.stringContaining('127.0.0.1 is a blocked address') });
    // Allowed, it is asked.
    const allowed = subscriber(later);
    expect(await allowed.requestDue()).toBe(1);
    await allowed.close();
    await hub.settled();
    expect(hub.requests.map((form) => form.get('hub.callback'))).toEqual([expect.stringMatching(new RegExp(`^${baseUrl}/websub/`))]);
    expect(await subscriptionOf(id!)).toMatchObject({ state: 'requested', error: null });
  });

  it('asks the hub for the feed anew when the service moved to another address, and to unsubscribe the old callback', async () => {
    const asked = hub.requests.length;
    await feedsNaming(hub.url, 1);
    const before = subscriber(now);
    expect(await before.requestDue()).toBe(1);
    await before.close();
    const movedTo = `http://127.0.0.1:${await freePort()}`;
    const after = subscriber(later, {}, movedTo);
    expect(await after.requestDue()).toBe(2);
    await after.close();
    await hub.settled();
    const [first, ...afterMove] = hub.requests.slice(asked);
    expect(first!.get('hub.callback')).toMatch(new RegExp(`^${baseUrl}/websub/`));
    // Both are due at once, in no order.
    expect(afterMove.map((form) => [form.get('hub.mode'), form.get('hub.callback')]).sort()).toEqual([
      ['subscribe', expect.stringMatching(new RegExp(`^${movedTo}/websub/`))], ['unsubscribe', first!.get('hub.callback')],
    ]);
  });

  it('does not ask a hub that could not be reached the rest of a run\'s requests, and they stay due', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/hub`;
    const [first, second] = await feedsNaming(closed, 2);
    const run = subscriber(now);
    expect(await run.requestDue()).toBe(1);
    expect([(await subscriptionOf(first!)).state, (await subscriptionOf(second!)).state]).toEqual(['failed', 'new']);
    expect((await subscriptionOf(first!)).error).toMatch(/^the hub http:\/\/127\.0\.0\.1:\d+\/hub could not be reached: /);
    const next = subscriber(later);
    expect(await next.requestDue()).toBe(1);
    expect((await subscriptionOf(second!)).state).toBe('failed');
    await run.close();
    await next.close();
  });

  it('cuts a request the hub has not answered short when it closes, without counting it as the hub\'s failure', async () => {
    const [id] = await feedsNaming(silent.url('/hub'), 1);
    const run = subscriber(now, { timeoutMs: 60_000 });
    const sending = run.requestDue();
    while (silent.hits('/hub') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await run.close();
    expect(await sending).toBe(0);
    expect((await subscriptionOf(id!)).state).toBe('requested');
  });
});

describe('a hub that never answers', () => {
  it('holds up neither the service\'s passes nor its stop', async () => {
    const hub = await startWebSubHub();
    hub.behaviour.hang = true;
    // A deadline far past the test's: a pass or stop that waited for the hub would time the test out.
    const started = await startNamingHub(hub, (hubUrl) => ({ '/world.rss': { body: feedNamingHub(hubUrl, WORLD_SELF, ['A story']) } }), { minFetchSeconds: 0 }, 60_000);
    try {
      await until(async () => hub.requests.length, (count) => count === 1, 'the subscription asked');
      expect(started.origin.hits('/world.rss')).toBe(1);
    } finally {
      await started.stop();
    }
  });
});

describe('a feed whose server names its hub in a Link header', () => {
  let running: Subscribed;
  const HEADER_SELF = 'https://news.example/asia.rss';

  beforeAll(async () => {
    running = await startSubscribed((hubUrl) => ({
      // The document names a hub too: the header's comes first.
      '/asia.rss': {
        headers: { 'content-type': 'application/rss+xml', link: `<${hubUrl}>; rel="hub", <${HEADER_SELF}>; rel="self"` },
        body: feedNamingHub('https://document-hub.example/', 'https://news.example/asia-document.rss', ['Asia story']),
      },
    }), { minFetchSeconds: 0 });
  });
  afterAll(() => running?.stop());

  it('is subscribed at that hub, for the topic the header names', async () => {
    const { hub, core, origin } = running;
    expect(hub.requests.map((form) => [form.get('hub.mode'), form.get('hub.topic')])).toEqual([['subscribe', HEADER_SELF]]);
    expect(hub.subscribers(HEADER_SELF)).toHaveLength(1);
    const asia = (await core.store.getFeedByUrl(origin.url('/asia.rss')))!;
    expect(asia.websub).toMatchObject({ hub: hub.url, topic: HEADER_SELF, subscription: { state: 'verified' } });
  });
});
