import type { WebSubState } from '../model.js';
import { type Db, writeTransaction } from './db.js';

// Subscriptions to the hubs feeds name (migrations/0027_websub_subscriptions.sql). When to ask a hub
// again is the subscriber's policy (ingest/websub-subscriber.ts); this module keeps what was asked and
// what the hub answered.

export type WebSubMode = 'subscribe' | 'unsubscribe';

/** A request due to a hub. */
export interface WebSubRequest {
  token: string;
  /** The service's address the callback was given under: `${callbackBase}/websub/${token}`. */
  callbackBase: string;
  hub: string;
  topic: string;
  secret: string;
  mode: WebSubMode;
  /** Requests made since the hub last confirmed one: how far to back off after this one. */
  attempts: number;
}

/** What a callback needs of its subscription: the secret checks what the hub sends. */
export interface WebSubCallback {
  feedId: number | null;
  topic: string;
  secret: string;
  mode: WebSubMode;
}

/** A callback's token and the key the hub signs with, both random; made by the subscriber. */
export interface WebSubKeys {
  token: string;
  secret: string;
}

/** The changes in a row a hub must announce before polls of its feed relax. */
const TRUSTED_AFTER_CHANGES = 3;

/**
 * What a save of a subscribed feed's fetch needs to judge its hub by, and to schedule the feed by
 * what the hub has done.
 */
export interface HubWatch {
  /** When the fetch began: a notification since may be of a change the fetch came too early for. */
  fetchStartedAt: Date;
  /** The next fetch if such a notification came: ingest.websub.minFetchSeconds after this one. */
  nextIfNotified: Date;
  /** The next fetch while the hub is trusted (the planned one when that is later); null: polls never relax. */
  relaxedNext: Date | null;
}

/** A change a fetch of a subscribed feed found: announced by its hub first, or not. */
export type HubChange = 'announced' | 'unannounced';

export interface WatchedFetch {
  feedId: number;
  /** The feed's fetch before this one. */
  previousFetchAt: string | null;
  fetchedAt: Date;
  /** The fetch stored new or edited items. */
  changed: boolean;
  /** The next fetch planned for the feed as any feed's. */
  planned: Date;
}

export interface WatchedSchedule {
  nextFetchAt: Date;
  /** Set when a notification came while the feed was being fetched: a pass must fetch it again then. */
  dueAgainAt: Date | null;
  hubChange: HubChange | null;
}

/**
 * Inside a fetch result's save (fetch-results.ts): keeps the hub's record of the feed's changes, and
 * takes the next fetch from it. A hub that announced the feed's last TRUSTED_AFTER_CHANGES changes
 * has it polled at `relaxedNext` while its lease holds; the first change a poll finds before the
 * hub announced it makes the polls usual again. A notification that came while the feed was fetched
 * keeps it due soon, so that the save does not push back the fetch the notification asked for.
 */
export function createHubRecord(db: Db) {
  const subscriptionOf = db.prepare(`SELECT token, state, lease_expires_at AS leaseExpiresAt, notified_at AS notifiedAt,
      changes_announced AS changesAnnounced
    FROM websub_subscriptions WHERE feed_id = ? AND mode = 'subscribe'`);
  const recordChange = db.prepare(`UPDATE websub_subscriptions SET changes_announced = @run,
      unannounced_change_at = coalesce(@unannouncedAt, unannounced_change_at)
    WHERE token = @token`);
  return (fetch: WatchedFetch, watch: HubWatch): WatchedSchedule => {
    const planned = { nextFetchAt: fetch.planned, dueAgainAt: null, hubChange: null };
    const subscription = subscriptionOf.get(fetch.feedId) as {
      token: string; state: WebSubState; leaseExpiresAt: string | null; notifiedAt: string | null; changesAnnounced: number;
    } | undefined;
    if (subscription === undefined) return planned;
    const { notifiedAt } = subscription;
    let run = subscription.changesAnnounced;
    let hubChange: HubChange | null = null;
    if (fetch.changed) {
      const announced = notifiedAt !== null && (fetch.previousFetchAt === null || notifiedAt > fetch.previousFetchAt);
      hubChange = announced ? 'announced' : 'unannounced';
      run = announced ? run + 1 : 0;
      recordChange.run({ token: subscription.token, run, unannouncedAt: announced ? null : fetch.fetchedAt.toISOString() });
    }
    if (notifiedAt !== null && notifiedAt > watch.fetchStartedAt.toISOString()) {
      const next = new Date(Math.min(fetch.planned.getTime(), watch.nextIfNotified.getTime()));
      return { nextFetchAt: next, dueAgainAt: next, hubChange };
    }
    const trusted = isTrusted({ ...subscription, changesAnnounced: run }, fetch.fetchedAt);
    if (watch.relaxedNext === null || !trusted) return { ...planned, hubChange };
    // Never past the lease: a hub that does not renew it says nothing more.
    const relaxed = Math.min(watch.relaxedNext.getTime(), Date.parse(subscription.leaseExpiresAt!));
    return { nextFetchAt: new Date(Math.max(fetch.planned.getTime(), relaxed)), dueAgainAt: null, hubChange };
  };
}

/** A hub is trusted with its feed while it has confirmed the subscription, the lease holds, and it announced the feed's last changes. */
function isTrusted(subscription: { state: WebSubState; leaseExpiresAt: string | null; changesAnnounced: number }, at: Date): boolean {
  return subscription.state === 'verified' && subscription.leaseExpiresAt !== null
    && subscription.leaseExpiresAt > at.toISOString() && subscription.changesAnnounced >= TRUSTED_AFTER_CHANGES;
}

export function createWebSubQueries(db: Db) {
  // A feed that names another hub or topic now, or was disabled, gives its subscription up.
  const giveUpChanged = db.prepare(`UPDATE websub_subscriptions AS s
      SET feed_id = NULL, mode = 'unsubscribe', next_action_at = @now, attempts = 0
    WHERE s.feed_id IN (SELECT f.id FROM feeds f WHERE f.id = s.feed_id
      AND (f.disabled = 1 OR f.websub_hub IS NOT s.hub OR f.websub_topic IS NOT s.topic))`);
  // A service moved to another address gives up the subscriptions it was given under the old one:
  // the hub is asked to unsubscribe the old callback, and the feed is subscribed anew.
  const giveUpMoved = db.prepare(`UPDATE websub_subscriptions
      SET feed_id = NULL, mode = 'unsubscribe', next_action_at = @now, attempts = 0
    WHERE feed_id IS NOT NULL AND callback_base <> @base`);
  // A deleted feed's row lost its feed_id to the foreign key.
  const giveUpDeleted = db.prepare(`UPDATE websub_subscriptions
      SET mode = 'unsubscribe', next_action_at = @now, attempts = 0
    WHERE feed_id IS NULL AND mode = 'subscribe'`);
  // A hub that never took the subscription has nothing to unsubscribe; one that does not confirm
  // the unsubscription in three tries, or whose lease has run out, holds nothing of ours either.
  const forgetGivenUp = db.prepare(`DELETE FROM websub_subscriptions
    WHERE feed_id IS NULL AND (state IN ('new', 'failed', 'denied') OR attempts >= 3 OR lease_expires_at <= @now)`);
  const unsubscribed = db.prepare(`SELECT f.id, f.websub_hub AS hub, f.websub_topic AS topic FROM feeds f
    WHERE f.websub_hub IS NOT NULL AND f.websub_topic IS NOT NULL AND f.disabled = 0
      AND NOT EXISTS (SELECT 1 FROM websub_subscriptions s WHERE s.feed_id = f.id)`);
  const insert = db.prepare(`INSERT INTO websub_subscriptions (token, callback_base, feed_id, hub, topic, secret, mode, state, next_action_at)
    VALUES (@token, @base, @feedId, @hub, @topic, @secret, 'subscribe', 'new', @now)`);
  const due = db.prepare(`SELECT token, callback_base AS callbackBase, hub, topic, secret, mode, attempts FROM websub_subscriptions
    WHERE next_action_at <= @now ORDER BY next_action_at LIMIT @limit`);
  const plan = writeTransaction(db, (now: string, base: string, keys: () => WebSubKeys, limit: number): WebSubRequest[] => {
    giveUpChanged.run({ now });
    giveUpMoved.run({ now, base });
    giveUpDeleted.run({ now });
    forgetGivenUp.run({ now });
    for (const feed of unsubscribed.all() as { id: number; hub: string; topic: string }[]) {
      insert.run({ ...keys(), base, feedId: feed.id, hub: feed.hub, topic: feed.topic, now });
    }
    return due.all({ now, limit }) as WebSubRequest[];
  });

  // Recorded before the hub is asked: a hub may confirm before it answers. A subscription the hub
  // confirmed stays confirmed through its renewals until its lease ends.
  const asked = db.prepare(`UPDATE websub_subscriptions SET
      state = CASE WHEN state = 'verified' AND lease_expires_at > @now THEN 'verified' ELSE 'requested' END,
      requested_at = @now, next_action_at = @retryAt, attempts = attempts + 1, error = NULL
    WHERE token = @token AND mode = @mode`);
  const failed = db.prepare(`UPDATE websub_subscriptions SET
      state = CASE WHEN state = 'verified' AND lease_expires_at > @now THEN 'verified' ELSE 'failed' END, error = @error
    WHERE token = @token AND mode = @mode`);
  const callback = db.prepare(`SELECT feed_id AS feedId, topic, secret, mode FROM websub_subscriptions WHERE token = ?`);
  const confirmSubscribe = db.prepare(`UPDATE websub_subscriptions SET
      state = 'verified', verified_at = @now, lease_expires_at = @leaseExpiresAt, next_action_at = @renewAt,
      attempts = 0, error = NULL
    WHERE token = @token AND mode = 'subscribe' AND topic = @topic AND feed_id IS NOT NULL`);
  const confirmUnsubscribe = db.prepare(`DELETE FROM websub_subscriptions
    WHERE token = @token AND mode = 'unsubscribe' AND topic = @topic`);
  const deny = db.prepare(`UPDATE websub_subscriptions SET
      state = 'denied', lease_expires_at = NULL, error = @reason, next_action_at = @retryAt
    WHERE token = @token AND mode = 'subscribe' AND topic = @topic`);
  const notifiedFeed = db.prepare(`SELECT f.id, f.last_fetched_at AS lastFetchedAt FROM websub_subscriptions s
    JOIN feeds f ON f.id = s.feed_id AND f.disabled = 0 WHERE s.token = ? AND s.mode = 'subscribe'`);
  const bringForward = db.prepare(`UPDATE feeds SET next_fetch_at = @due
    WHERE id = @feedId AND (next_fetch_at IS NULL OR next_fetch_at > @due) RETURNING next_fetch_at`).pluck();
  const countNotification = db.prepare(`UPDATE websub_subscriptions SET notified_at = @now, notifications = notifications + 1
    WHERE token = @token`);
  const nextFetch = db.prepare(`SELECT next_fetch_at FROM feeds WHERE id = ?`).pluck();
  const stateCounts = db.prepare(`SELECT state, count(*) AS n FROM websub_subscriptions WHERE feed_id IS NOT NULL GROUP BY state`);
  const notify = writeTransaction(db, (token: string, now: Date, minFetchMs: number): { feedId: number; dueAt: Date } | null => {
    const feed = notifiedFeed.get(token) as { id: number; lastFetchedAt: string | null } | undefined;
    if (feed === undefined) return null;
    countNotification.run({ token, now: now.toISOString() });
    const soonest = feed.lastFetchedAt === null ? 0 : Date.parse(feed.lastFetchedAt) + minFetchMs;
    const due = new Date(Math.max(now.getTime(), soonest)).toISOString();
    const dueAt = (bringForward.get({ feedId: feed.id, due }) as string | undefined) ?? (nextFetch.get(feed.id) as string | null) ?? due;
    return { feedId: feed.id, dueAt: new Date(dueAt) };
  });

  return {
    /**
     * Brings the subscriptions in line with what the feeds name and the service's address
     * `callbackBase` (a new one for each feed naming a hub; those of feeds that no longer do, and
     * those given under another address, given up), and returns the requests due to hubs by `now`,
     * at most `limit`. `keys` makes each new subscription's token and secret.
     */
    async planWebSubRequests(now: Date, callbackBase: string, keys: () => WebSubKeys, limit: number): Promise<WebSubRequest[]> {
      return plan(now.toISOString(), callbackBase, keys, limit);
    },
    /** A request about to be sent to the hub: if the hub does not confirm it, it is sent again at `retryAt`. */
    async webSubAsked(token: string, mode: WebSubMode, now: Date, retryAt: Date): Promise<void> {
      asked.run({ token, mode, now: now.toISOString(), retryAt: retryAt.toISOString() });
    },
    /** The hub refused the request or could not be reached. */
    async webSubRequestFailed(token: string, mode: WebSubMode, error: string, now: Date): Promise<void> {
      failed.run({ token, mode, error, now: now.toISOString() });
    },
    async webSubCallback(token: string): Promise<WebSubCallback | null> {
      return (callback.get(token) as WebSubCallback | undefined) ?? null;
    },
    /**
     * The hub checks that we asked for what it is about to do (a verification of intent): true, and
     * the subscription confirmed with its lease (or gone, for an unsubscription), when we did.
     */
    async confirmWebSub(token: string, mode: WebSubMode, topic: string, confirmed: { now: Date; leaseExpiresAt: Date; renewAt: Date }): Promise<boolean> {
      if (mode === 'unsubscribe') return confirmUnsubscribe.run({ token, topic }).changes > 0;
      return confirmSubscribe.run({
        token, topic, now: confirmed.now.toISOString(),
        leaseExpiresAt: confirmed.leaseExpiresAt.toISOString(), renewAt: confirmed.renewAt.toISOString(),
      }).changes > 0;
    },
    /** The hub refused the subscription; it is asked again at `retryAt`. False for no such subscription. */
    async denyWebSub(token: string, topic: string, reason: string, retryAt: Date): Promise<boolean> {
      return deny.run({ token, topic, reason, retryAt: retryAt.toISOString() }).changes > 0;
    },
    /**
     * The hub says the feed changed: the feed falls due at once, or `minFetchMs` after its last fetch.
     * Returns when it is due (it may have been due sooner), or null when no enabled feed has the
     * subscription.
     */
    async webSubNotified(token: string, now: Date, minFetchMs: number): Promise<{ feedId: number; dueAt: Date } | null> {
      return notify(token, now, minFetchMs);
    },
    /** The feeds' subscriptions by state, for /metrics; those given up and being unsubscribed are not counted. */
    async webSubStateCounts(): Promise<Record<WebSubState, number>> {
      const counts: Record<WebSubState, number> = { new: 0, requested: 0, verified: 0, denied: 0, failed: 0 };
      for (const { state, n } of stateCounts.all() as { state: WebSubState; n: number }[]) counts[state] = n;
      return counts;
    },
  };
}
