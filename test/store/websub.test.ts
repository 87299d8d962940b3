// The subscriptions kept for the WebSub hubs feeds name: planned from what the feeds' documents
// say, confirmed or refused by hubs, given up when a feed stops naming its hub, and a hub's word
// that a feed changed making it due.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import type { FetchResultToSave, HubWatch, ItemToSave, Store, WebSubKeys } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const HUB = 'https://hub.example/';
/** The service's address the callbacks are given under. */
const BASE = 'https://feeds.example';

/** A fetch whose document named `hubUrl` (and `selfUrl`), or none. */
function fetched(hubUrl: string | null, selfUrl: string | null = null, fetchedAt = NOW): FetchResultToSave {
  return {
    fetchedAt, httpStatus: 200, newUrl: null, fetchedAs: null, validators: null, items: [], error: null,
    feedInfo: { title: 'Source', siteUrl: null, minIntervalMinutes: null, hubUrl, selfUrl },
    next: { nextFetchAt: at(60), consecutiveFailures: 0, disabled: false },
  };
}

/** A new entry of the feed: a fetch that stores it found the feed changed. */
function entry(identity: string): ItemToSave {
  const item: Item = {
    identity, guid: identity, url: `https://a.example/${identity}`, title: `Story ${identity}`, summary: 's',
    contentHtml: '<p>text</p>', authors: [], categories: [], publishedAt: null, updatedAt: null, language: 'en', enclosures: [],
  };
  return { item, contentHash: identity, markupHash: null, story: null, matches: [] };
}

describe('store: WebSub subscriptions', () => {
  const temp = useTempStores('websub');
  let store: Store;
  let made: number;
  const keys = (): WebSubKeys => ({ token: `token-${++made}`, secret: `secret-${made}` });
  const rows = () => store.db.prepare('SELECT token, feed_id AS feedId, hub, topic, mode, state, attempts FROM websub_subscriptions ORDER BY token').all();

  beforeEach(() => {
    made = 0;
    store = temp.open();
  });

  it('keeps the hub a feed\'s document names, with its self link as the topic, else the feed\'s URL', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/feed', title: null, origin: 'api' }, NOW);
    const c = await store.addFeed({ url: 'https://c.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB, 'https://a.example/self'));
    await store.saveFetchResult(b.id, fetched(HUB));
    await store.saveFetchResult(c.id, fetched(null, 'https://c.example/self'));
    expect((await store.getFeed(a.id))!.websub).toEqual({ hub: HUB, topic: 'https://a.example/self', subscription: null });
    expect((await store.getFeed(b.id))!.websub).toEqual({ hub: HUB, topic: 'https://b.example/feed', subscription: null });
    expect((await store.getFeed(c.id))!.websub).toBeNull();
    // A file's feed is subscribed for its self link only: a hub cannot know a file: URL.
    const file = await store.addFeed({ url: 'file:///srv/feeds/local.rss', title: null, origin: 'config' }, NOW);
    await store.saveFetchResult(file.id, fetched(HUB));
    expect((await store.getFeed(file.id))!.websub).toBeNull();
    expect((await store.planWebSubRequests(NOW, BASE, keys, 50)).map((request) => request.topic)).toEqual(['https://a.example/self', 'https://b.example/feed']);
    await store.saveFetchResult(file.id, fetched(HUB, 'https://files.example/local.rss'));
    expect((await store.getFeed(file.id))!.websub).toEqual({ hub: HUB, topic: 'https://files.example/local.rss', subscription: null });
    // A 304 or an error reads no document: what the last one named stays.
    await store.saveFetchResult(a.id, { ...fetched(null), feedInfo: null, httpStatus: 304 });
    expect((await store.getFeed(a.id))!.websub?.hub).toBe(HUB);
    // A document that names no hub any more leaves none.
    await store.saveFetchResult(a.id, fetched(null));
    expect((await store.getFeed(a.id))!.websub).toBeNull();
  });

  it('plans a subscription for each enabled feed naming a hub, once, and gives out what is due', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/feed', title: null, origin: 'api' }, NOW);
    const off = await store.addFeed({ url: 'https://off.example/feed', title: null, origin: 'api' }, NOW);
    for (const feed of [a, b, off]) await store.saveFetchResult(feed.id, fetched(HUB));
    await store.editFeed(off.id, { disabled: true }, NOW);
    const due = await store.planWebSubRequests(NOW, BASE, keys, 50);
    expect(due).toEqual([
      { token: 'token-1', callbackBase: BASE, hub: HUB, topic: 'https://a.example/feed', secret: 'secret-1', mode: 'subscribe', attempts: 0 },
      { token: 'token-2', callbackBase: BASE, hub: HUB, topic: 'https://b.example/feed', secret: 'secret-2', mode: 'subscribe', attempts: 0 },
    ]);
    expect(await store.planWebSubRequests(NOW, BASE, keys, 1)).toHaveLength(1);
    // Asked: not due again until the time given, and no second subscription is made.
    await store.webSubAsked('token-1', 'subscribe', NOW, at(60));
    await store.webSubAsked('token-2', 'subscribe', NOW, at(120));
    expect(await store.planWebSubRequests(at(59), BASE, keys, 50)).toEqual([]);
    expect((await store.planWebSubRequests(at(60), BASE, keys, 50)).map((request) => [request.token, request.attempts])).toEqual([['token-1', 1]]);
    expect(made).toBe(2);
    expect((await store.getFeed(a.id))!.websub?.subscription).toMatchObject({ state: 'requested', leaseExpiresAt: null, error: null });
  });

  it('confirms only what was asked, for the topic asked, keeps a confirmed lease through a failed renewal, and records a refusal', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    await store.webSubAsked('token-1', 'subscribe', NOW, at(60));
    const lease = { now: at(1), leaseExpiresAt: at(1 + 1440), renewAt: at(1 + 1152) };
    expect(await store.confirmWebSub('token-1', 'subscribe', 'https://other.example/', lease)).toBe(false);
    expect(await store.confirmWebSub('token-1', 'unsubscribe', 'https://a.example/feed', lease)).toBe(false);
    expect(await store.confirmWebSub('token-9', 'subscribe', 'https://a.example/feed', lease)).toBe(false);
    expect(await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', lease)).toBe(true);
    expect((await store.getFeed(a.id))!.websub?.subscription).toEqual({
      state: 'verified', leaseExpiresAt: at(1441).toISOString(), error: null, lastNotifiedAt: null, notifications: 0,
      changesAnnounced: 0, lastUnannouncedChangeAt: null,
    });
    expect(rows()).toMatchObject([{ attempts: 0 }]);
    // Renewed when due; the hub could not be reached: still confirmed while the lease lasts.
    expect((await store.planWebSubRequests(at(1152), BASE, keys, 50))).toEqual([]);
    expect((await store.planWebSubRequests(at(1153), BASE, keys, 50)).map((request) => request.token)).toEqual(['token-1']);
    await store.webSubAsked('token-1', 'subscribe', at(1153), at(1213));
    await store.webSubRequestFailed('token-1', 'subscribe', 'the hub answered 503', at(1153));
    expect((await store.getFeed(a.id))!.websub?.subscription).toMatchObject({ state: 'verified', error: 'the hub answered 503' });
    // Past its lease, a failure is a failure.
    await store.webSubAsked('token-1', 'subscribe', at(1500), at(1560));
    await store.webSubRequestFailed('token-1', 'subscribe', 'the hub answered 503', at(1500));
    expect((await store.getFeed(a.id))!.websub?.subscription).toMatchObject({ state: 'failed', error: 'the hub answered 503' });
    expect(await store.denyWebSub('token-1', 'https://other.example/', 'no', at(3000))).toBe(false);
    expect(await store.denyWebSub('token-1', 'https://a.example/feed', 'topic not found', at(3000))).toBe(true);
    expect((await store.getFeed(a.id))!.websub?.subscription).toMatchObject({ state: 'denied', error: 'topic not found', leaseExpiresAt: null });
    expect(await store.planWebSubRequests(at(2999), BASE, keys, 50)).toEqual([]);
    expect(await store.planWebSubRequests(at(3000), BASE, keys, 50)).toHaveLength(1);
  });

  it('gives a subscription up when its feed names another hub, is disabled or deleted, and forgets it once the hub confirms or holds none', async () => {
    const moved = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    const disabled = await store.addFeed({ url: 'https://b.example/feed', title: null, origin: 'api' }, NOW);
    const deleted = await store.addFeed({ url: 'https://c.example/feed', title: null, origin: 'api' }, NOW);
    const neverAsked = await store.addFeed({ url: 'https://d.example/feed', title: null, origin: 'api' }, NOW);
    for (const feed of [moved, disabled, deleted, neverAsked]) await store.saveFetchResult(feed.id, fetched(HUB));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    for (const token of ['token-1', 'token-2', 'token-3']) {
      await store.webSubAsked(token, 'subscribe', NOW, at(60));
    }
    await store.saveFetchResult(moved.id, fetched('https://new-hub.example/'));
    await store.editFeed(disabled.id, { disabled: true }, NOW);
    await store.deleteFeed(deleted.id);
    await store.deleteFeed(neverAsked.id);
    const due = await store.planWebSubRequests(at(1), BASE, keys, 50);
    // The three the hub was asked for are unsubscribed; the one never asked is forgotten; the feed
    // that names a new hub is subscribed there.
    expect(due.map(({ token, mode, hub }) => [token, mode, hub]).sort()).toEqual([
      ['token-1', 'unsubscribe', HUB], ['token-2', 'unsubscribe', HUB], ['token-3', 'unsubscribe', HUB],
      ['token-5', 'subscribe', 'https://new-hub.example/'],
    ]);
    expect(rows()).toHaveLength(4);
    expect(await store.webSubCallback('token-1')).toEqual({ feedId: null, topic: 'https://a.example/feed', secret: 'secret-1', mode: 'unsubscribe' });
    // A hub's word that such a feed changed makes nothing due.
    expect(await store.webSubNotified('token-2', at(1), 0)).toBeNull();
    // Confirmed: gone. Not confirmed in three tries: forgotten.
    expect(await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', { now: at(2), leaseExpiresAt: at(100), renewAt: at(80) })).toBe(false);
    expect(await store.confirmWebSub('token-1', 'unsubscribe', 'https://a.example/feed', { now: at(2), leaseExpiresAt: at(2), renewAt: at(2) })).toBe(true);
    for (let attempt = 0; attempt < 3; attempt++) await store.webSubAsked('token-2', 'unsubscribe', at(2), at(3));
    await store.planWebSubRequests(at(3), BASE, keys, 50);
    expect(rows().map((row) => (row as { token: string }).token)).toEqual(['token-3', 'token-5']);
  });

  it('gives up the subscriptions given under another address of the service, and subscribes anew under its own', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', { now: NOW, leaseExpiresAt: at(1440), renewAt: at(1152) });
    expect(await store.planWebSubRequests(at(1), BASE, keys, 50)).toEqual([]);
    const moved = await store.planWebSubRequests(at(2), 'https://news.example/feeds', keys, 50);
    expect(moved.map(({ token, callbackBase, mode }) => [token, callbackBase, mode])).toEqual([
      ['token-1', BASE, 'unsubscribe'], ['token-2', 'https://news.example/feeds', 'subscribe'],
    ]);
    expect((await store.getFeed(a.id))!.websub?.subscription?.state).toBe('new');
  });

  it('makes a feed due when its hub says it changed: at once, or the shortest time after its last fetch, never later than it was', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB, null, NOW));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', { now: NOW, leaseExpiresAt: at(1440), renewAt: at(1152) });
    expect(await store.webSubNotified('token-1', at(0.5), 60_000)).toEqual({ feedId: a.id, dueAt: at(1) });
    expect((await store.getFeed(a.id))!.nextFetchAt).toBe(at(1).toISOString());
    expect(await store.webSubNotified('token-1', at(5), 60_000)).toEqual({ feedId: a.id, dueAt: at(1) });
    expect((await store.getFeed(a.id))!.websub?.subscription).toMatchObject({ lastNotifiedAt: at(5).toISOString(), notifications: 2 });
    await store.saveFetchResult(a.id, fetched(HUB, null, at(10)));
    expect(await store.webSubNotified('token-1', at(20), 60_000)).toEqual({ feedId: a.id, dueAt: at(20) });
    expect(await store.webSubNotified('token-9', at(20), 60_000)).toBeNull();
    await store.editFeed(a.id, { disabled: true }, at(21));
    expect(await store.webSubNotified('token-1', at(22), 60_000)).toBeNull();
  });

  it('judges a hub by whether it announced the changes fetches found, and polls a trusted hub\'s feed less often while its lease holds', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB, null, NOW));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', { now: NOW, leaseExpiresAt: at(30 * 1440), renewAt: at(24 * 1440) });
    // Each fetch plans its next an hour on; a trusted hub's feed is polled a day on instead.
    let stories = 0;
    const fetchAt = async (minutes: number, changed: boolean, relaxedNext: Date | null = at(minutes + 1440)) => {
      const watch: HubWatch = { fetchStartedAt: at(minutes - 0.1), nextIfNotified: at(minutes + 1), relaxedNext };
      const items = changed ? [entry(`story-${++stories}`)] : [];
      const summary = await store.saveFetchResult(a.id, { ...fetched(HUB, null, at(minutes)), items, next: { nextFetchAt: at(minutes + 60), consecutiveFailures: 0, disabled: false }, hubWatch: watch });
      const feed = (await store.getFeed(a.id))!;
      return { hubChange: summary.hubChange ?? null, dueAgainAt: summary.dueAgainAt ?? null, next: feed.nextFetchAt, record: feed.websub!.subscription! };
    };
    // A poll finds a change nobody announced.
    expect(await fetchAt(10, true)).toMatchObject({ hubChange: 'unannounced', next: at(70).toISOString(), record: { changesAnnounced: 0, lastUnannouncedChangeAt: at(10).toISOString() } });
    // Three changes, each announced before the fetch that found it.
    for (const [n, minutes] of [[1, 100], [2, 200], [3, 300]] as const) {
      await store.webSubNotified('token-1', at(minutes - 1), 0);
      const seen = await fetchAt(minutes, true);
      expect(seen).toMatchObject({ hubChange: 'announced', dueAgainAt: null, record: { changesAnnounced: n, lastUnannouncedChangeAt: at(10).toISOString() } });
      // Trusted from the third on: polled a day later rather than an hour.
      expect(seen.next).toBe((n < 3 ? at(minutes + 60) : at(minutes + 1440)).toISOString());
    }
    // A fetch that finds nothing new keeps the record, and the relaxed polls.
    expect(await fetchAt(2000, false)).toMatchObject({ hubChange: null, next: at(2000 + 1440).toISOString(), record: { changesAnnounced: 3 } });
    // Polls relaxed only where the process relaxes them, and never past the lease.
    expect((await fetchAt(2100, false, null)).next).toBe(at(2160).toISOString());
    // Nor more often than they would be.
    expect((await fetchAt(2200, false, at(2210))).next).toBe(at(2260).toISOString());
    expect((await fetchAt(29 * 1440 + 720, false)).next).toBe(at(30 * 1440).toISOString());
    // The first change the hub did not announce brings the usual polls back.
    const missed = 29 * 1440 + 730;
    expect(await fetchAt(missed, true)).toMatchObject({ hubChange: 'unannounced', next: at(missed + 60).toISOString(), record: { changesAnnounced: 0, lastUnannouncedChangeAt: at(missed).toISOString() } });
  });

  it('keeps a feed due soon when its hub said it changed while it was being fetched', async () => {
    const a = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(a.id, fetched(HUB, null, NOW));
    await store.planWebSubRequests(NOW, BASE, keys, 50);
    await store.confirmWebSub('token-1', 'subscribe', 'https://a.example/feed', { now: NOW, leaseExpiresAt: at(1440), renewAt: at(1152) });
    // Each fetch plans its next an hour on.
    const save = (minutes: number, hubWatch: HubWatch) => store.saveFetchResult(a.id, {
      ...fetched(HUB, null, at(minutes)), next: { nextFetchAt: at(minutes + 60), consecutiveFailures: 0, disabled: false }, hubWatch,
    });
    const watch: HubWatch = { fetchStartedAt: at(100), nextIfNotified: at(102), relaxedNext: at(1540) };
    // The notification came after the fetch began: the save does not push the fetch it asked for back.
    await store.webSubNotified('token-1', at(100.5), 60_000);
    const summary = await save(101, watch);
    expect(summary.dueAgainAt).toEqual(at(102));
    expect((await store.getFeed(a.id))!.nextFetchAt).toBe(at(102).toISOString());
    // One that came before it began was for what this fetch read.
    const later: HubWatch = { fetchStartedAt: at(200), nextIfNotified: at(202), relaxedNext: null };
    const again = await save(201, later);
    expect(again.dueAgainAt).toBeUndefined();
    expect((await store.getFeed(a.id))!.nextFetchAt).toBe(at(261).toISOString());
    // A feed subscribed nowhere is scheduled as planned.
    const b = await store.addFeed({ url: 'https://b.example/feed', title: null, origin: 'api' }, NOW);
    expect(await store.saveFetchResult(b.id, { ...fetched(null), hubWatch: watch })).not.toHaveProperty('dueAgainAt');
    expect((await store.getFeed(b.id))!.nextFetchAt).toBe(at(60).toISOString());
  });
});
