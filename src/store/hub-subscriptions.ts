import { type Db, writeTransaction } from './db.js';

// The subscriptions readers' servers hold at the service's own WebSub hub
// (migrations/0029_hub_subscriptions.sql, 0030_hub_retry.sql). What is verified and sent is the
// hub's business (src/websub-hub.ts); this module keeps what was confirmed and how deliveries went.

/** A subscriber to be sent a feed that changed. */
export interface HubSubscriber {
  id: number;
  topic: string;
  callback: string;
  secret: string | null;
}

/** A subscription as an operator sees it (`GET /api/hub/subscriptions`). */
export interface HubSubscriptionRecord {
  id: number;
  topic: string;
  callback: string;
  leaseExpiresAt: string;
  subscribedAt: string;
  deliveredAt: string | null;
  failures: number;
  error: string | null;
  /** When the feed is to be sent again, the last delivery having failed; null for none pending. */
  retryAt: string | null;
}

export function createHubSubscriptionQueries(db: Db) {
  // A renewal keeps the row and its history; a new secret replaces the old, as the subscriber chose.
  const upsert = db.prepare(`INSERT INTO hub_subscriptions (topic, callback, secret, lease_expires_at, subscribed_at)
    VALUES (@topic, @callback, @secret, @leaseExpiresAt, @now)
    ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, lease_expires_at = excluded.lease_expires_at`);
  const remove = db.prepare(`DELETE FROM hub_subscriptions WHERE topic = ? AND callback = ?`);
  const removeById = db.prepare(`DELETE FROM hub_subscriptions WHERE id = ? RETURNING id, topic, callback, secret, lease_expires_at AS leaseExpiresAt`);
  const removeOfTopics = db.prepare(`DELETE FROM hub_subscriptions WHERE topic IN (SELECT value FROM json_each(?)) AND lease_expires_at > ?
    RETURNING id, topic, callback, secret`);
  const expire = db.prepare(`DELETE FROM hub_subscriptions WHERE lease_expires_at <= ?`);
  const held = db.prepare(`SELECT 1 FROM hub_subscriptions WHERE topic = ? AND callback = ? AND lease_expires_at > ?`).pluck();
  const live = db.prepare(`SELECT count(*) FROM hub_subscriptions WHERE lease_expires_at > ?`).pluck();
  const ofTopics = db.prepare(`SELECT id, topic, callback, secret FROM hub_subscriptions
    WHERE topic IN (SELECT value FROM json_each(?)) AND lease_expires_at > ? ORDER BY id`);
  const delivered = db.prepare(`UPDATE hub_subscriptions SET delivered_at = @at, failures = 0, error = NULL, retry_at = NULL WHERE id = @id`);
  const retry = db.prepare(`UPDATE hub_subscriptions SET retry_at = @at WHERE id = @id`);
  const retries = db.prepare(`SELECT id, retry_at AS retryAt FROM hub_subscriptions
    WHERE retry_at IS NOT NULL AND lease_expires_at > ? ORDER BY retry_at`);
  const failed = db.prepare(`UPDATE hub_subscriptions SET failures = failures + 1, error = @error WHERE id = @id RETURNING failures`).pluck();
  const toRetry = db.prepare(`SELECT id, topic, callback, secret FROM hub_subscriptions
    WHERE id = ? AND retry_at IS NOT NULL AND lease_expires_at > ?`);
  const listing = db.prepare(`SELECT id, topic, callback, lease_expires_at AS leaseExpiresAt, subscribed_at AS subscribedAt,
      delivered_at AS deliveredAt, failures, error, retry_at AS retryAt
    FROM hub_subscriptions WHERE lease_expires_at > ? ORDER BY topic, callback`);

  return {
    /**
     * Keeps a subscription the callback confirmed, or renews it. False, and nothing kept, when it
     * is new and `limit` subscriptions are held already.
     */
    async keepHubSubscription(subscription: { topic: string; callback: string; secret: string | null; leaseExpiresAt: Date },
      now: Date, limit: number): Promise<boolean> {
      return writeTransaction(db, () => {
        const at = now.toISOString();
        expire.run(at);
        if (held.get(subscription.topic, subscription.callback, at) === undefined && (live.get(at) as number) >= limit) return false;
        upsert.run({ ...subscription, leaseExpiresAt: subscription.leaseExpiresAt.toISOString(), now: at });
        return true;
      })();
    },
    /** The subscriber unsubscribed; false when it held no such subscription. */
    async dropHubSubscription(topic: string, callback: string): Promise<boolean> {
      return remove.run(topic, callback).changes > 0;
    },
    /** Drops one subscription, as an operator asks; returns it, with whether its lease held, or null for none. */
    async dropHubSubscriptionById(id: number, now: Date): Promise<{ subscriber: HubSubscriber; leaseHeld: boolean } | null> {
      const row = removeById.get(id) as (HubSubscriber & { leaseExpiresAt: string }) | undefined;
      if (row === undefined) return null;
      const { leaseExpiresAt, ...subscriber } = row;
      return { subscriber, leaseHeld: leaseExpiresAt > now.toISOString() };
    },
    /** Drops the subscriptions whose lease holds to these topic URLs (feeds that are no more), and returns them. */
    async dropHubSubscriptionsOf(topics: readonly string[], now: Date): Promise<HubSubscriber[]> {
      if (topics.length === 0) return [];
      return removeOfTopics.all(JSON.stringify(topics), now.toISOString()) as HubSubscriber[];
    },
    /** Subscriptions whose lease holds. */
    async hubSubscriptionCount(now: Date): Promise<number> {
      return live.get(now.toISOString()) as number;
    },
    /** Whether this callback holds a subscription to this topic whose lease holds: asking again renews it. */
    async holdsHubSubscription(topic: string, callback: string, now: Date): Promise<boolean> {
      return held.get(topic, callback, now.toISOString()) !== undefined;
    },
    /** The subscribers to any of these topic URLs whose lease holds. */
    async hubSubscribers(topics: readonly string[], now: Date): Promise<HubSubscriber[]> {
      if (topics.length === 0) return [];
      return ofTopics.all(JSON.stringify(topics), now.toISOString()) as HubSubscriber[];
    },
    /** How a delivery went: taken (`error` null) or not, and why. Returns the failures in a row since (0 for none, or no such subscription). */
    async hubDelivery(id: number, at: Date, error: string | null): Promise<number> {
      if (error === null) {
        delivered.run({ id, at: at.toISOString() });
        return 0;
      }
      return (failed.get({ id, error }) as number | undefined) ?? 0;
    },
    /** When to send the feed to a subscriber again, its last delivery having failed; null for never. */
    async retryHubDelivery(id: number, at: Date | null): Promise<void> {
      retry.run({ id, at: at?.toISOString() ?? null });
    },
    /** The deliveries to make again, soonest first, for subscriptions whose lease holds. */
    async pendingHubRetries(now: Date): Promise<{ id: number; retryAt: string }[]> {
      return retries.all(now.toISOString()) as { id: number; retryAt: string }[];
    },
    /** One subscriber whose delivery is still to be made again, while its lease holds. */
    async hubSubscriberToRetry(id: number, now: Date): Promise<HubSubscriber | null> {
      return (toRetry.get(id, now.toISOString()) as HubSubscriber | undefined) ?? null;
    },
    async hubSubscriptions(now: Date): Promise<HubSubscriptionRecord[]> {
      return listing.all(now.toISOString()) as HubSubscriptionRecord[];
    },
  };
}
