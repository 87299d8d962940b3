// The service as the WebSub hub of its own feeds (server.hub): a reader's server subscribes a
// callback to a topic feed, the hub verifies that it asked, and sends it the feed each time a pass
// changes it. A real service on 127.0.0.1 (its schedule set never to tick: passes run when a test
// asks for a fetch), a real origin serving a feed, and real callbacks.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Core, openCore, type Service, startService } from '../../src/main.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';
import { type FeedEntrySpec, rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';
import { until } from '../support/until.js';
import { startWebSubSubscriber, type WebSubSubscriberStandIn } from '../support/websub-subscriber.js';

const ADMIN = 'hub-admin-token-0123';
const DAY_S = 86_400;
const TOPICS = [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'missile-defence', title: 'Missile defence', query: '"missile defence"' }];


interface Running {
  dir: string;
  origin: FaultServer;
  core: Core;
  service: Service;
  baseUrl: string;
  /** Asks the hub for a subscription, as a subscriber's server does. */
  ask(form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  subscriptions(): Promise<{ id: number; topic: string; callback: string; leaseExpiresAt: string; deliveredAt: string | null; failures: number; error: string | null; retryAt: string | null }[]>;
  /** Reads the config again, as on SIGHUP, with these of its settings changed. */
  reload(changes: Record<string, unknown>): Promise<unknown>;
  /** Stops the service and starts it again over the same database, at the same address. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A service that is its feeds' hub, its one feed served by `origin` from `entries`. */
async function startHubService(entries: FeedEntrySpec[], server: Record<string, unknown> = {}, ingest: Record<string, unknown> = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-hub-'));
  const origin = await startFaultServer({ '/world.rss': () => ({ body: rssDocument('World desk', entries) }) });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const settings = {
    database: 'test.db', logLevel: 'silent', topics: TOPICS, feeds: [{ url: origin.url('/world.rss') }],
    server: { host: '127.0.0.1', port, baseUrl, hub: { enabled: true, leaseSeconds: 5 * DAY_S, retrySeconds: 1 }, ...server },
    ingest: { allowPrivateAddresses: true, timeoutMs: 5000, schedule: '0 0 1 1 *', ...ingest },
  };
  const configWith = (changes: Record<string, unknown>) => parseConfig({ ...settings, ...changes }, join(dir, 'config.json'), { FEEDSIEVE_ADMIN_TOKEN: ADMIN });
  const config = configWith({});
  const core = await openCore(config, createLogger('silent'));
  const service = await startService(core);
  await service.firstIngest;
  const running: Running = {
    dir, origin, core, service, baseUrl,
    ask: (form, headers = {}) => fetch(`${baseUrl}/hub`, {
      method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    }),
    async subscriptions() {
      const answer = await fetch(`${baseUrl}/api/hub/subscriptions`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return ((await answer.json()) as { subscriptions: Awaited<ReturnType<Running['subscriptions']>> }).subscriptions;
    },
    reload: (changes) => running.service.reloadConfig(configWith(changes)),
    async restart() {
      await running.service.stop();
      running.core = await openCore(config, createLogger('silent'));
      running.service = await startService(running.core);
      await running.service.firstIngest;
    },
    async stop() {
      await running.service.stop();
      await origin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return running;
}

describe('the service as its feeds\' WebSub hub', () => {
  let running: Running;
  let subscriber: WebSubSubscriberStandIn;
  const entries: FeedEntrySpec[] = [{ guid: 'w1', title: 'NATO summit opens', publishedAt: new Date(Date.now() - 3_600_000) }];
  const natoRss = () => `${running.baseUrl}/topics/nato.rss`;
  /** Fetches the feed now, as an operator would ask, and waits for the pass. */
  const fetchFeedNow = async () => {
    const feed = (await running.core.store.getFeedByUrl(running.origin.url('/world.rss')))!;
    const hits = running.origin.hits('/world.rss');
    expect((await fetch(`${running.baseUrl}/api/feeds/${feed.id}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(202);
    await until(() => running.origin.hits('/world.rss'), (count) => count > hits, 'the fetch');
  };
  const subscribe = async (topic: string, path: string, extra: Record<string, string> = {}) => {
    const asked = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': subscriber.callback(path), ...extra });
    expect(asked.status).toBe(202);
    await until(() => running.subscriptions(), (held) => held.some((s) => s.callback === subscriber.callback(path) && s.topic === topic), `${path} subscribed`);
  };

  beforeAll(async () => {
    subscriber = await startWebSubSubscriber();
    running = await startHubService(entries);
  });
  afterAll(async () => {
    await running?.stop();
    await subscriber?.close();
  });

  it('names itself as the hub in its feeds', async () => {
    const rss = await (await fetch(natoRss())).text();
    expect(rss).toContain(`<atom:link rel="hub" href="${running.baseUrl}/hub"/>`);
    const json = (await (await fetch(`${running.baseUrl}/feeds/all.json`)).json()) as { hubs: { type: string; url: string }[] };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: `${running.baseUrl}/hub` }]);
  });

  it('keeps a subscription once the callback echoes its challenge, for the lease asked up to the longest', async () => {
    await subscribe(natoRss(), '/nato', { 'hub.lease_seconds': String(2 * DAY_S), 'hub.secret': 'the subscriber\'s secret' });
    expect(subscriber.verifications.at(-1)).toEqual({ path: '/nato', mode: 'subscribe', topic: natoRss(), leaseSeconds: String(2 * DAY_S) });
    await subscribe(`${running.baseUrl}/feeds/all.atom`, '/all', { 'hub.lease_seconds': String(90 * DAY_S) });
    expect(subscriber.verifications.at(-1)?.leaseSeconds).toBe(String(5 * DAY_S));
    await subscribe(`${running.baseUrl}/topics/missile-defence.rss`, '/defence');
    const held = await running.subscriptions();
    const leaseLeft = (path: string) => Date.parse(held.find((s) => s.callback === subscriber.callback(path))!.leaseExpiresAt) - Date.now();
    expect(leaseLeft('/nato')).toBeGreaterThan((2 * DAY_S - 60) * 1000);
    expect(leaseLeft('/nato')).toBeLessThanOrEqual(2 * DAY_S * 1000);
    expect(leaseLeft('/all')).toBeGreaterThan((5 * DAY_S - 60) * 1000);
    expect(held).toHaveLength(3);
  });

  it('sends a changed feed to its subscribers, signed with their secret, and nothing to those of feeds that did not change', async () => {
    entries.unshift({ guid: 'w2', title: 'NATO ministers agree on air defence', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => subscriber.deliveries.length, (count) => count >= 2, 'the deliveries');
    const nato = subscriber.deliveries.find((delivery) => delivery.path === '/nato')!;
    expect(nato.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(nato.headers.link).toBe(`<${running.baseUrl}/hub>; rel="hub", <${natoRss()}>; rel="self"`);
    expect(nato.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', 'the subscriber\'s secret').update(nato.body).digest('hex')}`);
    // What a reader polling the feed reads.
    expect(nato.body.toString('utf8')).toBe(await (await fetch(natoRss())).text());
    expect(nato.body.toString('utf8')).toContain('NATO ministers agree on air defence');
    const all = subscriber.deliveries.find((delivery) => delivery.path === '/all')!;
    expect(all.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(all.headers['x-hub-signature']).toBeUndefined();
    expect(all.body.toString('utf8')).toContain('NATO ministers agree on air defence');
    // The missile defence feed did not change.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subscriber.deliveries.map((delivery) => delivery.path).sort()).toEqual(['/all', '/nato']);
    expect((await running.subscriptions()).find((s) => s.callback === subscriber.callback('/nato'))).toMatchObject({ failures: 0, error: null });
    expect((await running.subscriptions()).find((s) => s.callback === subscriber.callback('/nato'))?.deliveredAt).not.toBeNull();
  });

  it('sends nothing when a pass changes no feed', async () => {
    const before = subscriber.deliveries.length;
    await fetchFeedNow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.deliveries).toHaveLength(before);
  });

  it('records a callback that does not take the feed, sends it again after server.hub.retrySeconds, and counts deliveries in /metrics', async () => {
    subscriber.behaviour.status = 500;
    const before = subscriber.deliveries.length;
    entries.unshift({ guid: 'w3', title: 'NATO air policing extended', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => subscriber.deliveries.length, (count) => count >= before + 2, 'the deliveries');
    const held = () => until(async () => (await running.subscriptions()).find((s) => s.callback === subscriber.callback('/nato'))!, () => true, 'the subscription');
    const nato = await until(held, (subscription) => subscription.failures === 1, 'the failure recorded');
    expect(nato.error).toBe('the callback answered 500');
    subscriber.behaviour.status = 202;
    // Made again a second later, with the feed as it is then.
    await until(held, (subscription) => subscription.failures === 0, 'the delivery made again');
    const [failed, retried] = subscriber.deliveries.slice(before).filter((delivery) => delivery.path === '/nato');
    expect(retried!.at - failed!.at).toBeGreaterThanOrEqual(1000);
    expect(retried!.body.toString('utf8')).toContain('NATO air policing extended');
    expect(subscriber.deliveries.slice(before).map((delivery) => delivery.path).sort()).toEqual(['/all', '/all', '/nato', '/nato']);
    const metrics = await until(async () => (await (await fetch(`${running.baseUrl}/metrics`)).text()),
      (text) => /^feedsieve_hub_deliveries_total\{outcome="delivered"\} 4$/m.test(text), 'the deliveries counted');
    expect(metrics).toMatch(/^feedsieve_hub_subscriptions 3$/m);
    // The one serve over its database: it sends.
    expect(metrics).toMatch(/^feedsieve_hub_sending 1$/m);
    expect(metrics).toMatch(/^feedsieve_hub_deliveries_total\{outcome="failed"\} 2$/m);
  });

  it('sends a feed still to be sent again when it was due, across a restart', async () => {
    subscriber.behaviour.status = 500;
    const before = subscriber.deliveries.length;
    entries.unshift({ guid: 'w3b', title: 'NATO tanker aircraft ordered', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => running.core.store.pendingHubRetries(new Date()), (pending) => pending.length === 2, 'the deliveries to make again kept');
    await running.restart();
    subscriber.behaviour.status = 202;
    await until(() => running.subscriptions(), (held) => held.every((s) => s.failures === 0 && s.retryAt === null), 'the deliveries made again');
    const sent = (path: string) => subscriber.deliveries.slice(before).filter((delivery) => delivery.path === path);
    expect([sent('/nato').length, sent('/all').length]).toEqual([2, 2]);
    expect(sent('/nato')[1]!.at - sent('/nato')[0]!.at).toBeGreaterThanOrEqual(900);
    expect(sent('/nato')[1]!.body.toString('utf8')).toContain('NATO tanker aircraft ordered');
  });

  it('sends a feed whose delivery a stop cut short when it starts again', async () => {
    subscriber.behaviour.hold = true;
    const before = subscriber.deliveries.length;
    entries.unshift({ guid: 'w3c', title: 'NATO air policing extended', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => subscriber.deliveries.length, (count) => count === before + 2, 'the deliveries under way');
    // Those two stay unanswered; the stop ends them.
    subscriber.behaviour.hold = false;
    await running.restart();
    await until(() => subscriber.deliveries.length, (count) => count === before + 4, 'the deliveries made again');
    const again = subscriber.deliveries.slice(before + 2);
    expect(again.map((delivery) => delivery.path).sort()).toEqual(['/all', '/nato']);
    expect(again.find((delivery) => delivery.path === '/nato')!.body.toString('utf8')).toContain('NATO air policing extended');
    expect((await running.subscriptions()).every((s) => s.failures === 0 && s.retryAt === null)).toBe(true);
  });

  it('refuses a request it cannot take, saying why', async () => {
    const callback = subscriber.callback('/refused');
    const answer = async (form: Record<string, string>) => {
      const response = await running.ask(form);
      return [response.status, await response.text()];
    };
    expect(await answer({ 'hub.mode': 'publish', 'hub.topic': natoRss(), 'hub.callback': callback })).toEqual([400, 'hub.mode must be subscribe or unsubscribe']);
    expect(await answer({ 'hub.mode': 'subscribe', 'hub.topic': `${running.baseUrl}/topics/elsewhere.rss`, 'hub.callback': callback }))
      .toEqual([404, `hub.topic ${running.baseUrl}/topics/elsewhere.rss is not a feed of this hub's`]);
    expect((await answer({ 'hub.mode': 'subscribe', 'hub.topic': 'https://news.example/feed.rss', 'hub.callback': callback }))[0]).toBe(404);
    expect(await answer({ 'hub.mode': 'subscribe', 'hub.topic': natoRss(), 'hub.callback': 'ftp://127.0.0.1/x' }))
      .toEqual([400, 'hub.callback must be an http(s) URL of at most 2048 characters, without a fragment']);
    expect(await answer({ 'hub.mode': 'subscribe', 'hub.topic': natoRss() })).toEqual([400, 'hub.callback is missing']);
    expect(await answer({ 'hub.mode': 'subscribe', 'hub.topic': natoRss(), 'hub.callback': callback, 'hub.secret': 's'.repeat(200) }))
      .toEqual([400, 'hub.secret must be under 200 bytes']);
    const notForm = await fetch(`${running.baseUrl}/hub`, { method: 'POST', body: JSON.stringify({ 'hub.mode': 'subscribe' }), headers: { 'content-type': 'application/json' } });
    expect(notForm.status).toBe(400);
    expect(subscriber.verifications.filter((verification) => verification.path === '/refused')).toEqual([]);
  });

  it('keeps nothing for a callback that does not echo the challenge, whatever it answers', async () => {
    for (const verify of ['refuse', 'ok'] as const) {
      subscriber.behaviour.verify = verify;
      const path = `/unconfirmed-${verify}`;
      const asked = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': natoRss(), 'hub.callback': subscriber.callback(path) });
      expect(asked.status).toBe(202);
      await until(() => subscriber.verifications.filter((verification) => verification.path === path).length, (count) => count === 1, 'the verification');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    subscriber.behaviour.verify = 'echo';
    expect((await running.subscriptions()).map((s) => s.callback).filter((callback) => callback.includes('unconfirmed'))).toEqual([]);
  });

  it('sends a topic\'s feed when its query is edited over the API, and ends its subscriptions once it is deleted', async () => {
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const created = await fetch(`${running.baseUrl}/api/topics`, { method: 'POST', headers: admin,
      body: JSON.stringify({ slug: 'summits', title: 'Summits', query: 'summit' }) });
    expect(created.status).toBe(201);
    const topic = `${running.baseUrl}/topics/summits.rss`;
    await subscribe(topic, '/summits');
    const sent = () => subscriber.deliveries.filter((delivery) => delivery.path === '/summits');
    const edited = await fetch(`${running.baseUrl}/api/topics/summits`, { method: 'PUT', headers: admin,
      body: JSON.stringify({ title: 'Summits and ministers', query: 'summit OR ministers' }) });
    expect(edited.status).toBe(200);
    await until(() => sent().length, (count) => count === 1, 'the edited topic\'s feed');
    expect(sent()[0]!.body.toString('utf8')).toContain('NATO ministers agree on air defence');
    expect(sent()[0]!.body.toString('utf8')).toBe(await (await fetch(topic)).text());
    expect((await fetch(`${running.baseUrl}/api/topics/summits`, { method: 'DELETE', headers: admin })).status).toBe(204);
    // Its subscriber is told the subscription ended (WebSub's hub.mode=denied), and sent nothing more.
    await until(() => subscriber.verifications.filter((verification) => verification.path === '/summits').at(-1),
      (last) => last?.mode === 'denied', 'the subscriber told');
    expect(subscriber.verifications.filter((verification) => verification.path === '/summits').at(-1)).toEqual({ path: '/summits', mode: 'denied', topic, leaseSeconds: null });
    expect((await running.subscriptions()).filter((s) => s.topic === topic)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent()).toHaveLength(1);
  });

  it('sends a topic\'s feed when a config read again edits it, every feed when it renames a feed, and ends a removed topic\'s subscriptions', async () => {
    const sentSince = async (before: number) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return subscriber.deliveries.slice(before).map((delivery) => delivery.path).sort();
    };
    let before = subscriber.deliveries.length;
    await running.reload({ topics: [TOPICS[0], { ...TOPICS[1], title: 'Missile defence in Europe' }] });
    await until(() => subscriber.deliveries.length, (count) => count > before, 'the edited topic\'s feed');
    expect(await sentSince(before)).toEqual(['/defence']);
    expect(subscriber.deliveries.at(-1)!.body.toString('utf8')).toContain('<title>Missile defence in Europe</title>');
    // Read again unchanged: nothing to send.
    before = subscriber.deliveries.length;
    await running.reload({ topics: [TOPICS[0], { ...TOPICS[1], title: 'Missile defence in Europe' }] });
    expect(await sentSince(before)).toEqual([]);
    // The feed's name shows in every topic's entries from it.
    await running.reload({ topics: TOPICS, feeds: [{ url: running.origin.url('/world.rss'), title: 'World wire' }] });
    await until(() => subscriber.deliveries.length, (count) => count >= before + 3, 'every feed');
    expect(await sentSince(before)).toEqual(['/all', '/defence', '/nato']);
    expect(subscriber.deliveries.find((delivery, i) => i >= before && delivery.path === '/nato')!.body.toString('utf8')).toContain('World wire');
    // A topic the config no longer has: its subscriber is told, and its subscription ends.
    before = subscriber.deliveries.length;
    await running.reload({ topics: [TOPICS[0]], feeds: [{ url: running.origin.url('/world.rss'), title: 'World wire' }] });
    await until(() => subscriber.verifications.at(-1), (last) => last?.path === '/defence', 'the subscriber told');
    expect(subscriber.verifications.at(-1)).toEqual({ path: '/defence', mode: 'denied', topic: `${running.baseUrl}/topics/missile-defence.rss`, leaseSeconds: null });
    expect((await running.subscriptions()).map((s) => s.callback)).not.toContain(subscriber.callback('/defence'));
    expect(await sentSince(before)).toEqual([]);
  });

  it('ends a subscription an operator deletes, telling its callback, and sends it nothing more', async () => {
    await subscribe(natoRss(), '/ended');
    const held = (await running.subscriptions()).find((s) => s.callback === subscriber.callback('/ended'))!;
    const url = `${running.baseUrl}/api/hub/subscriptions/${held.id}`;
    const admin = { authorization: `Bearer ${ADMIN}` };
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${running.baseUrl}/api/hub/subscriptions/first`, { method: 'DELETE', headers: admin })).status).toBe(400);
    expect((await fetch(url, { method: 'DELETE', headers: admin })).status).toBe(204);
    await until(() => subscriber.verifications.at(-1), (last) => last?.path === '/ended' && last.mode === 'denied', 'the callback told');
    expect(subscriber.verifications.at(-1)).toEqual({ path: '/ended', mode: 'denied', topic: natoRss(), leaseSeconds: null });
    expect((await running.subscriptions()).map((s) => s.callback)).not.toContain(subscriber.callback('/ended'));
    const again = await fetch(url, { method: 'DELETE', headers: admin });
    expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([404, `no hub subscription ${held.id}`]);
    const before = subscriber.deliveries.length;
    entries.unshift({ guid: 'w3c', title: 'NATO defence ministers meet', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => subscriber.deliveries.length, (count) => count >= before + 2, 'the other subscribers\' deliveries');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subscriber.deliveries.slice(before).map((delivery) => delivery.path).sort()).toEqual(['/all', '/nato']);
  });

  it('unsubscribes a callback that confirms it, and sends it nothing more', async () => {
    const asked = await running.ask({ 'hub.mode': 'unsubscribe', 'hub.topic': natoRss(), 'hub.callback': subscriber.callback('/nato') });
    expect(asked.status).toBe(202);
    await until(() => running.subscriptions(), (held) => !held.some((s) => s.callback === subscriber.callback('/nato')), 'the unsubscription');
    expect(subscriber.verifications.at(-1)).toMatchObject({ path: '/nato', mode: 'unsubscribe', leaseSeconds: null });
    const before = subscriber.deliveries.length;
    entries.unshift({ guid: 'w4', title: 'NATO exercise in the Baltic', publishedAt: new Date() });
    await fetchFeedNow();
    await until(() => subscriber.deliveries.length, (count) => count > before, 'the combined feed\'s delivery');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subscriber.deliveries.slice(before).map((delivery) => delivery.path)).toEqual(['/all']);
  });
});

describe('a hub with its limits', () => {
  let running: Running;
  let subscriber: WebSubSubscriberStandIn;

  beforeAll(async () => {
    subscriber = await startWebSubSubscriber();
    // Callbacks at private addresses refused, as by default; one subscription at most; a read token.
    running = await startHubService([{ guid: 'l1', title: 'NATO story', publishedAt: new Date() }],
      { hub: { enabled: true, maxSubscriptions: 1 }, readToken: 'read-token-0123456789' }, { allowPrivateAddresses: false });
  });
  afterAll(async () => {
    await running?.stop();
    await subscriber?.close();
  });
  const read = { authorization: 'Bearer read-token-0123456789' };

  it('asks a subscriber for the read token the feeds ask', async () => {
    const asked = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': `${running.baseUrl}/topics/nato.rss`, 'hub.callback': subscriber.callback('/a') });
    expect(asked.status).toBe(401);
  });

  it('sends nothing to a callback at a private address unless the operator allows private addresses', async () => {
    const asked = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': `${running.baseUrl}/topics/nato.rss`, 'hub.callback': subscriber.callback('/a') }, read);
    expect(asked.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.verifications).toEqual([]);
    expect(await running.subscriptions()).toEqual([]);
  });

  it('holds no more subscriptions than server.hub.maxSubscriptions, renewals aside', async () => {
    const topic = `${running.baseUrl}/topics/nato.rss`;
    await running.core.store.keepHubSubscription({ topic, callback: 'https://reader.example/a', secret: null, leaseExpiresAt: new Date(Date.now() + DAY_S * 1000) },
      new Date(), 1);
    const another = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': 'https://reader.example/b' }, read);
    expect([another.status, await another.text()]).toEqual([503, 'the hub holds as many subscriptions as it may']);
    const renewal = await running.ask({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': 'https://reader.example/a' }, read);
    expect(renewal.status).toBe(202);
    expect(await running.core.store.keepHubSubscription({ topic, callback: 'https://reader.example/b', secret: null, leaseExpiresAt: new Date(Date.now() + DAY_S * 1000) },
      new Date(), 1)).toBe(false);
  });
});
