// The subscriptions held at the service's own WebSub hub: kept once confirmed, renewed in place,
// counted against a limit, gone with their lease.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);
const NATO = 'https://feeds.example/topics/nato.rss';
const ALL = 'https://feeds.example/feeds/all.rss';

describe('store: the hub\'s subscriptions', () => {
  const temp = useTempStores('hub-store');
  let store: Store;
  beforeEach(() => {
    store = temp.open();
  });

  const keep = (topic: string, callback: string, leaseHours: number, now = NOW, limit = 10, secret: string | null = null) =>
    store.keepHubSubscription({ topic, callback, secret, leaseExpiresAt: at(leaseHours) }, now, limit);

  it('gives the subscribers of the feeds that changed whose lease holds, and forgets a lease that ran out', async () => {
    expect(await keep(NATO, 'https://a.example/cb', 24, NOW, 10, 'secret-a')).toBe(true);
    expect(await keep(ALL, 'https://b.example/cb', 2)).toBe(true);
    expect(await keep(NATO, 'https://c.example/cb', 1)).toBe(true);
    expect((await store.hubSubscribers([NATO], NOW)).map(({ callback, secret }) => [callback, secret])).toEqual([
      ['https://a.example/cb', 'secret-a'], ['https://c.example/cb', null],
    ]);
    expect(await store.hubSubscribers([], NOW)).toEqual([]);
    // Past c's lease: not sent, not counted, not listed.
    expect((await store.hubSubscribers([NATO, ALL], at(1.5))).map(({ callback }) => callback)).toEqual(['https://a.example/cb', 'https://b.example/cb']);
    expect(await store.hubSubscriptionCount(at(1.5))).toBe(2);
    expect((await store.hubSubscriptions(at(1.5))).map(({ callback }) => callback)).toEqual(['https://b.example/cb', 'https://a.example/cb']);
    expect(await store.holdsHubSubscription(NATO, 'https://c.example/cb', at(1.5))).toBe(false);
    // The next subscription made removes it.
    await keep(ALL, 'https://d.example/cb', 24, at(1.5));
    expect(store.db.prepare('SELECT count(*) FROM hub_subscriptions').pluck().get()).toBe(3);
  });

  it('renews a subscription in place, keeping how its deliveries went, and holds no more than the limit of new ones', async () => {
    expect(await keep(NATO, 'https://a.example/cb', 24, NOW, 1)).toBe(true);
    const [held] = await store.hubSubscribers([NATO], NOW);
    expect(await store.hubDelivery(held!.id, at(1), null)).toBe(0);
    expect(await store.hubDelivery(held!.id, at(2), 'the callback answered 500')).toBe(1);
    // To be made again only once recorded so, while the lease holds.
    expect(await store.hubSubscriberToRetry(held!.id, at(2))).toBeNull();
    await store.retryHubDelivery(held!.id, at(2.5));
    expect(await store.hubSubscriberToRetry(held!.id, at(2))).toEqual({ id: held!.id, topic: NATO, callback: 'https://a.example/cb', secret: null });
    expect(await store.hubSubscriberToRetry(held!.id, at(25))).toBeNull();
    await store.retryHubDelivery(held!.id, null);
    expect(await keep(NATO, 'https://b.example/cb', 24, NOW, 1)).toBe(false);
    expect(await keep(NATO, 'https://a.example/cb', 48, at(3), 1, 'new-secret')).toBe(true);
    expect(await store.hubSubscriptions(at(3))).toEqual([{
      id: held!.id, topic: NATO, callback: 'https://a.example/cb', leaseExpiresAt: at(48).toISOString(), subscribedAt: NOW.toISOString(),
      deliveredAt: at(1).toISOString(), failures: 1, error: 'the callback answered 500', retryAt: null,
    }]);
    expect((await store.hubSubscribers([NATO], at(3)))[0]?.secret).toBe('new-secret');
    await store.hubDelivery(held!.id, at(4), null);
    expect((await store.hubSubscriptions(at(4)))[0]).toMatchObject({ deliveredAt: at(4).toISOString(), failures: 0, error: null });
    expect(await store.dropHubSubscription(NATO, 'https://a.example/cb')).toBe(true);
    expect(await store.dropHubSubscription(NATO, 'https://a.example/cb')).toBe(false);
    expect(await store.hubSubscriptionCount(at(4))).toBe(0);
  });

  it('drops the subscriptions to feeds that are no more, giving those whose lease held', async () => {
    await keep(NATO, 'https://a.example/cb', 24, NOW, 10, 'secret-a');
    await keep(NATO, 'https://c.example/cb', 1);
    await keep(ALL, 'https://b.example/cb', 24);
    expect((await store.dropHubSubscriptionsOf([NATO, 'https://feeds.example/topics/gone.rss'], at(2))).map(({ topic, callback, secret }) => [topic, callback, secret]))
      .toEqual([[NATO, 'https://a.example/cb', 'secret-a']]);
    expect((await store.hubSubscriptions(at(2))).map(({ topic }) => topic)).toEqual([ALL]);
    expect(await store.dropHubSubscriptionsOf([], NOW)).toEqual([]);
    const [all] = await store.hubSubscribers([ALL], NOW);
    expect(await store.dropHubSubscriptionById(all!.id, NOW)).toEqual({ subscriber: { id: all!.id, topic: ALL, callback: 'https://b.example/cb', secret: null }, leaseHeld: true });
    expect(await store.dropHubSubscriptionById(all!.id, NOW)).toBeNull();
    // A lease run out is dropped too, with nobody to tell.
    const [c] = (await store.hubSubscriptions(NOW)).filter(({ callback }) => callback === 'https://c.example/cb');
    expect((await store.dropHubSubscriptionById(c!.id, at(2)))?.leaseHeld).toBe(false);
    expect(store.db.prepare('SELECT count(*) FROM hub_subscriptions').pluck().get()).toBe(0);
  });

  it('keeps when each failed delivery is to be made again, until one is taken', async () => {
    await keep(NATO, 'https://a.example/cb', 24);
    await keep(ALL, 'https://b.example/cb', 24);
    await keep(NATO, 'https://c.example/cb', 1);
    const [a, c] = await store.hubSubscribers([NATO], NOW);
    const [b] = await store.hubSubscribers([ALL], NOW);
    await store.retryHubDelivery(a!.id, at(0.5));
    await store.retryHubDelivery(b!.id, at(0.25));
    await store.retryHubDelivery(c!.id, at(0.1));
    expect(await store.pendingHubRetries(NOW)).toEqual([
      { id: c!.id, retryAt: at(0.1).toISOString() }, { id: b!.id, retryAt: at(0.25).toISOString() }, { id: a!.id, retryAt: at(0.5).toISOString() },
    ]);
    // c's lease ran out; a was sent and took it; b's last try failed, with none to come.
    await store.hubDelivery(a!.id, at(0.6), null);
    await store.retryHubDelivery(b!.id, null);
    expect(await store.pendingHubRetries(at(2))).toEqual([]);
    await store.retryHubDelivery(b!.id, at(3));
    expect((await store.hubSubscriptions(at(2))).map(({ callback, retryAt }) => [callback, retryAt])).toEqual([
      ['https://b.example/cb', at(3).toISOString()], ['https://a.example/cb', null],
    ]);
  });
});
