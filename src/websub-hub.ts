// The service as a WebSub hub for its own feeds (https://www.w3.org/TR/websub/, server.hub): a
// reader's server that supports WebSub (FreshRSS, Inoreader, NewsBlur, …) subscribes a callback to a
// topic feed, and is sent the feed within moments of each ingest pass that changes it, instead of
// polling it. No third-party hub has to fetch the feeds from the public internet.
//
// What a subscriber is sent is the feed as a reader polling it would read it (its first page), so a
// delivery a callback did not take is made good by the next: each carries every entry since. One is
// made again a few times, backing off, so that a feed that seldom changes is not missed for long.
// Callbacks are reached through the same address guard as feed fetches: a subscription cannot make
// the service send requests inside its own network unless the operator allows private addresses.
import { createHmac, randomBytes } from 'node:crypto';
import type { Agent } from 'undici';
import { createGuardedAgent, isBlockedAddress } from './ingest/address-guard.js';
import { discard, readResponseBody } from './ingest/fetch-body.js';
import type { Logger } from './log.js';
import { redactUrl } from './redact-url.js';
import { retryWaitMs } from './retry-wait.js';
import type { HubSubscriber, Store } from './store/index.js';
import { type ChangedFeeds, changedFeedUrls, everyTopicSlug, joinChanges, topicFeedUrls } from './websub.js';

/** The shortest lease granted: a subscriber asking less is given this. */
const SHORTEST_LEASE_S = 3600;
/** WebSub §5.1: a secret MUST be under 200 bytes. */
const LONGEST_SECRET_BYTES = 199;
const LONGEST_CALLBACK = 2048;
/** Verifications under way at once, at most: past it a request is answered 503, to be made again. */
const VERIFICATIONS_AT_ONCE = 64;
/** Requests to callbacks under way at once, at most: a slow callback holds up one of them, not the rest. */
const CALLBACKS_AT_ONCE = 4;
/** How much of a callback's answer is read: a challenge is echoed in far less. */
const ANSWER_READ_BYTES = 1024;
/** Deliveries a callback may fail in a row and still be sent the feed again before its next change. */
const RETRIES = 5;

export interface HubSettings {
  /** The service's public address: the hub is `${baseUrl}/hub`, its topics the feeds under it. */
  baseUrl: string;
  /** The longest lease granted, and the one given a subscriber that asks none. */
  leaseSeconds: number;
  maxSubscriptions: number;
  /** A failed delivery is made again this long after, then four times as long each time, up to an hour. */
  retrySeconds: number;
  limits: { timeoutMs: number; connectTimeoutMs: number; allowPrivateAddresses: boolean; userAgent: string };
}

/** A feed as a subscriber is sent it. */
export interface FeedBody {
  body: Buffer;
  contentType: string;
}

/** A subscriber's request (WebSub §5.1), its form fields as sent. */
export interface HubRequest {
  mode: string | undefined;
  topic: string | undefined;
  callback: string | undefined;
  leaseSeconds: string | undefined;
  secret: string | undefined;
}

/** What the hub needs of the service's feeds: whether a URL is one of them, and its body now. */
export interface HubFeeds {
  /** Whether `url` is one of the service's feeds (a topic's, or the combined one). */
  isFeed(url: string): Promise<boolean>;
  /** The feed at `url` as a reader polling it would read it, or null when it is gone. */
  render(url: string): Promise<FeedBody | null>;
}

export function hubUrl(baseUrl: string): string {
  return `${baseUrl}/hub`;
}

/** `onDelivery` hears of each feed sent: taken by the callback, or not. */
export function createHub(store: Store, feeds: HubFeeds, settings: HubSettings, log: Logger, now: () => Date,
  onDelivery: (outcome: 'delivered' | 'failed') => void = () => {}) {
  const isBlocked = settings.limits.allowPrivateAddresses ? () => false : isBlockedAddress;
  const hub = hubUrl(settings.baseUrl);
  let agent: Agent | null = null;
  const closing = new AbortController();
  const verifying = new Set<Promise<void>>();
  /** Deliveries to make again, by subscription: each kept from its timer until it is made. */
  const retries = new Map<number, NodeJS.Timeout>();
  /**
   * Whether this hub makes deliveries again, on its timers: false once it leaves them to the process
   * that sends (several serve one database), which finds them recorded with their subscriptions.
   */
  let makesRetries = true;
  /** Distributions, and deliveries made again, one at a time. */
  let sending: Promise<void> = Promise.resolve();
  /**
   * Whether a delivery asked for was not made: cut short by closing the hub. Then what it was for is
   * left to the next hub that starts (see idle).
   */
  let unsent = false;
  /**
   * The changes of the distributions that failed (a store or a page that could not be read), to be
   * sent again together; null when none is. Until then, and after closing, idle says so.
   */
  let failed: ChangedFeeds | null = null;
  /** Failures in a row of the distributions made again: each waits four times as long as the one before. */
  let failedRuns = 0;
  let againTimer: NodeJS.Timeout | undefined;

  /** A request to a callback, through the address guard, never following a redirect; what it answered. */
  async function call(callback: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Buffer }):
    Promise<{ ok: true; status: number; body: string } | { ok: false; error: string }> {
    const url = new URL(callback);
    agent ??= createGuardedAgent(isBlocked, settings.limits);
    const signal = AbortSignal.any([AbortSignal.timeout(settings.limits.timeoutMs), closing.signal]);
    try {
      const response = await agent.request({
        origin: url.origin, path: url.pathname + url.search, method: init.method, signal,
        headers: { 'user-agent': settings.limits.userAgent, ...init.headers }, body: init.body,
      });
      if (init.method === 'POST') {
        await discard(response);
        return { ok: true, status: response.statusCode, body: '' };
      }
      try {
        return { ok: true, status: response.statusCode, body: (await readResponseBody(response, ANSWER_READ_BYTES, signal)).toString('utf8') };
      } catch {
        // Longer than a challenge could be: not an echo of one.
        return { ok: true, status: response.statusCode, body: '' };
      }
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  /** WebSub §5.3: the callback proves it asked, by echoing a challenge; only then is the request done. */
  async function verify(mode: 'subscribe' | 'unsubscribe', topic: string, callback: string, leaseSeconds: number, secret: string | null) {
    const challenge = randomBytes(16).toString('base64url');
    const target = new URL(callback);
    target.searchParams.append('hub.mode', mode);
    target.searchParams.append('hub.topic', topic);
    target.searchParams.append('hub.challenge', challenge);
    if (mode === 'subscribe') target.searchParams.append('hub.lease_seconds', String(leaseSeconds));
    const answer = await call(target.href, { method: 'GET' });
    const fields = { topic, callback: redactUrl(callback), mode };
    if (!answer.ok || answer.status < 200 || answer.status >= 300 || answer.body !== challenge) {
      const why = answer.ok ? `the callback answered ${answer.status}${answer.status < 300 ? ' without the challenge' : ''}` : answer.error;
      log.info({ ...fields, reason: why }, 'a WebSub subscriber did not confirm its request');
      return;
    }
    if (mode === 'unsubscribe') {
      await store.dropHubSubscription(topic, callback);
      log.info(fields, 'a WebSub subscriber unsubscribed');
      return;
    }
    const at = now();
    const kept = await store.keepHubSubscription(
      { topic, callback, secret, leaseExpiresAt: new Date(at.getTime() + leaseSeconds * 1000) }, at, settings.maxSubscriptions);
    if (kept) log.info({ ...fields, leaseSeconds }, 'a WebSub subscriber subscribed');
    else log.warn({ ...fields, limit: settings.maxSubscriptions }, 'a WebSub subscription was not kept: the hub holds as many as it may');
  }

  /**
   * Sends `feed` to a subscriber: signed with its secret, the hub and the topic in Link headers.
   * True once its outcome is recorded (taken, or to be made again); false when closing the hub cut it short.
   */
  async function deliver(subscriber: HubSubscriber, feed: FeedBody): Promise<boolean> {
    const headers: Record<string, string> = {
      'content-type': feed.contentType,
      link: `<${hub}>; rel="hub", <${subscriber.topic}>; rel="self"`,
    };
    if (subscriber.secret !== null) headers['x-hub-signature'] = `sha256=${createHmac('sha256', subscriber.secret).update(feed.body).digest('hex')}`;
    const answer = await call(subscriber.callback, { method: 'POST', headers, body: feed.body });
    if (closing.signal.aborted) return false;
    const error = !answer.ok ? answer.error : answer.status >= 200 && answer.status < 300 ? null : `the callback answered ${answer.status}`;
    const failures = await store.hubDelivery(subscriber.id, now(), error);
    onDelivery(error === null ? 'delivered' : 'failed');
    clearTimeout(retries.get(subscriber.id));
    retries.delete(subscriber.id);
    if (error === null) return true;
    log.warn({ topic: subscriber.topic, callback: redactUrl(subscriber.callback), error, failures }, 'a WebSub subscriber did not take a feed');
    const delayMs = failures >= 1 && failures <= RETRIES ? retryWaitMs(settings.retrySeconds * 1000, failures) : null;
    // Kept with the subscription: a restart before it is due makes it when it was due.
    await store.retryHubDelivery(subscriber.id, delayMs === null ? null : new Date(now().getTime() + delayMs));
    if (delayMs !== null) sendLater(subscriber.id, delayMs);
    return true;
  }

  function sendLater(id: number, delayMs: number) {
    if (closing.signal.aborted || !makesRetries) return;
    clearTimeout(retries.get(id));
    const timer = setTimeout(() => {
      // Held in `retries` until made, so that a resume meanwhile does not make it twice.
      sending = sending.catch(() => {}).then(() => sendAgain(id)).finally(() => {
        if (retries.get(id) === timer) retries.delete(id);
      });
      sending.catch((cause: unknown) => log.error({ err: cause }, 'sending a feed again to a WebSub subscriber failed'));
    }, delayMs).unref();
    retries.set(id, timer);
  }

  /**
   * A delivery made again: the feed as it is now, if the subscription still holds and the delivery
   * is still to be made (a later one taken while this waited its turn makes it needless).
   */
  async function sendAgain(id: number): Promise<void> {
    if (closing.signal.aborted || !makesRetries) return;
    const subscriber = await store.hubSubscriberToRetry(id, now());
    const feed = subscriber === null ? null : await feeds.render(subscriber.topic);
    if (subscriber === null) return;
    if (feed === null) {
      // The topic is gone: nothing to send, now or after a restart.
      await store.retryHubDelivery(id, null);
      return;
    }
    await deliver(subscriber, feed);
  }

  /**
   * WebSub §5.2: a hub may deny a subscription it accepted; a deleted topic's subscribers are told
   * so (`hub.mode=denied`), rather than sent nothing until their leases end, or sent the feed of a
   * topic made later under the same name.
   */
  async function deny(slugs: readonly string[]) {
    const ended = await store.dropHubSubscriptionsOf(slugs.flatMap((slug) => topicFeedUrls(settings.baseUrl, slug)), now());
    await eachAtMost(ended, CALLBACKS_AT_ONCE, (subscriber) => tellEnded(subscriber, 'the topic was deleted'));
  }

  /** Tells a subscriber its subscription, dropped, has ended, and why; a retry pending finds it gone. */
  async function tellEnded({ topic, callback }: HubSubscriber, reason: string) {
    const target = new URL(callback);
    target.searchParams.append('hub.mode', 'denied');
    target.searchParams.append('hub.topic', topic);
    target.searchParams.append('hub.reason', reason);
    const answer = await call(target.href, { method: 'GET' });
    log.info({ topic, callback: redactUrl(callback), reason, ...(answer.ok ? {} : { error: answer.error }) }, 'a WebSub subscription ended');
  }

  /**
   * Sends each changed feed to its subscribers; see distribute. One that fails is made again (see
   * sendAgainLater), all but the denials it made: a topic made again under a deleted one's name
   * meanwhile keeps its new subscribers.
   */
  async function send(changed: ChangedFeeds, again: boolean): Promise<void> {
    let left = changed;
    try {
      if (changed.gone !== undefined && changed.gone.length > 0) {
        await deny(changed.gone);
        left = { slugs: changed.slugs, all: changed.all };
      }
      await sendFeeds(left);
      if (again) failedRuns = 0;
    } catch (error) {
      sendAgainLater(left, error);
    }
  }

  /**
   * Keeps a failed distribution's changes, with any other failed one's, to be sent again after
   * server.hub.retrySeconds, then four times as long each time up to an hour, until it is made or
   * the hub closes: a feed whose distribution failed once is not left unsent until its next change.
   */
  function sendAgainLater(changed: ChangedFeeds, error: unknown) {
    failed = failed === null ? changed : joinChanges(failed, changed);
    if (closing.signal.aborted || againTimer !== undefined) {
      // Sent with those already waiting; or, closing, left to the next start (see idle).
      log.error({ err: error }, 'sending feeds to WebSub subscribers failed');
      return;
    }
    failedRuns += 1;
    const delayMs = retryWaitMs(settings.retrySeconds * 1000, failedRuns);
    log.error({ err: error, retryInSeconds: delayMs / 1000 }, 'sending feeds to WebSub subscribers failed: they are sent again later');
    againTimer = setTimeout(() => {
      againTimer = undefined;
      const again = failed;
      failed = null;
      if (again !== null) enqueue(again, true);
    }, delayMs).unref();
  }

  /** Queues a distribution behind those under way: one at a time. */
  function enqueue(changed: ChangedFeeds, again: boolean) {
    sending = sending.catch(() => {}).then(() => send(changed, again));
    sending.catch((error: unknown) => log.error({ err: error }, 'sending feeds to WebSub subscribers failed'));
  }

  async function sendFeeds(changed: ChangedFeeds): Promise<void> {
    const urls = await changedFeedUrls(settings.baseUrl, changed, everyTopicSlug(store));
    const subscribers = await store.hubSubscribers(urls, now());
    const bodies = new Map<string, Promise<FeedBody | null>>();
    let settled = 0;
    await eachAtMost(subscribers, CALLBACKS_AT_ONCE, async (subscriber) => {
      let body = bodies.get(subscriber.topic);
      if (body === undefined) bodies.set(subscriber.topic, (body = feeds.render(subscriber.topic)));
      const feed = await body;
      if (feed !== null && !(await deliver(subscriber, feed))) return;
      settled += 1;
    });
    // A delivery closing cut short, or one never begun.
    if (settled < subscribers.length) unsent = true;
  }

  /**
   * Runs `task` over `list`, `limit` at a time, until the hub closes; throws the first failure once
   * every task begun is over, so that none is still under way when the failed ones are made again.
   */
  async function eachAtMost<T>(list: readonly T[], limit: number, task: (value: T) => Promise<void>) {
    let next = 0;
    const worker = async () => {
      while (next < list.length && !closing.signal.aborted) await task(list[next++]!);
    };
    const failure = (await Promise.allSettled(Array.from({ length: limit }, worker))).find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  return {
    /**
     * A subscriber's request: answered at once, 202 when it is well formed (then verified with the
     * callback, apart from the answer, as WebSub has hubs do), else 4xx with the reason.
     */
    async request(request: HubRequest): Promise<{ status: number; body: string }> {
      const { mode, topic, callback } = request;
      if (mode !== 'subscribe' && mode !== 'unsubscribe') return { status: 400, body: 'hub.mode must be subscribe or unsubscribe' };
      if (!topic) return { status: 400, body: 'hub.topic is missing' };
      if (!(await feeds.isFeed(topic))) return { status: 404, body: `hub.topic ${topic} is not a feed of this hub's` };
      if (!callback) return { status: 400, body: 'hub.callback is missing' };
      let url: URL;
      try {
        url = new URL(callback);
      } catch {
        return { status: 400, body: 'hub.callback is not a URL' };
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || callback.length > LONGEST_CALLBACK || url.hash !== '') {
        return { status: 400, body: `hub.callback must be an http(s) URL of at most ${LONGEST_CALLBACK} characters, without a fragment` };
      }
      const secret = request.secret === undefined || request.secret === '' ? null : request.secret;
      if (secret !== null && Buffer.byteLength(secret) > LONGEST_SECRET_BYTES) return { status: 400, body: 'hub.secret must be under 200 bytes' };
      const asked = Number(request.leaseSeconds);
      const leaseSeconds = request.leaseSeconds !== undefined && Number.isInteger(asked) && asked > 0
        ? Math.min(Math.max(asked, SHORTEST_LEASE_S), settings.leaseSeconds) : settings.leaseSeconds;
      // A renewal is taken at the limit: only a new subscription would pass it.
      if (mode === 'subscribe' && (await store.hubSubscriptionCount(now())) >= settings.maxSubscriptions
        && !(await store.holdsHubSubscription(topic, url.href, now()))) {
        return { status: 503, body: 'the hub holds as many subscriptions as it may' };
      }
      if (verifying.size >= VERIFICATIONS_AT_ONCE || closing.signal.aborted) return { status: 503, body: 'the hub is busy: ask again in a minute' };
      const verification = verify(mode, topic, url.href, leaseSeconds, secret)
        .catch((error: unknown) => log.error({ err: error, topic }, 'verifying a WebSub subscription failed'))
        .finally(() => verifying.delete(verification));
      verifying.add(verification);
      return { status: 202, body: '' };
    },

    /**
     * Sends the feeds that changed (after a pass, an edit over the API, a config read again) to
     * their subscribers, apart from the caller: a callback that hangs holds up no pass. One
     * distribution at a time; a failure is logged.
     */
    distribute(changed: ChangedFeeds): void {
      if (closing.signal.aborted) {
        unsent = true;
        return;
      }
      enqueue(changed, false);
    },

    /**
     * Resolves once every distribution asked for so far is done, its deliveries made or recorded to
     * be made again: true; false while one that failed waits to be made again, and once closing the
     * hub cut one short (which holds until the hub is made again, by the next start).
     */
    async idle(): Promise<boolean> {
      await sending.catch(() => {});
      return !unsent && failed === null;
    },

    /**
     * Ends a subscription, as an operator asks: dropped, and its callback told, apart from the
     * answer, when its lease still held. False for no such subscription.
     */
    async end(id: number): Promise<boolean> {
      const dropped = await store.dropHubSubscriptionById(id, now());
      if (dropped === null) return false;
      if (dropped.leaseHeld && !closing.signal.aborted) {
        void tellEnded(dropped.subscriber, 'ended by the operator').catch((error: unknown) => log.error({ err: error }, 'telling a WebSub subscriber failed'));
      }
      return true;
    },

    /**
     * Takes up the deliveries to make again recorded with the subscriptions, that this hub is not
     * already to make: those a process before this one left pending, or another serve recorded.
     */
    async resume(): Promise<void> {
      makesRetries = true;
      for (const { id, retryAt } of await store.pendingHubRetries(now())) {
        if (!retries.has(id)) sendLater(id, Math.max(0, Date.parse(retryAt) - now().getTime()));
      }
    },

    /**
     * Leaves the deliveries to make again to the process that sends: they are recorded with their
     * subscriptions, no longer made on this hub's timers (until resume).
     */
    leaveRetries(): void {
      makesRetries = false;
      for (const timer of retries.values()) clearTimeout(timer);
      retries.clear();
    },

    /** Verifications and deliveries under way are cut short; deliveries to make again wait for resume. */
    async close(): Promise<void> {
      closing.abort();
      clearTimeout(againTimer);
      againTimer = undefined;
      for (const timer of retries.values()) clearTimeout(timer);
      retries.clear();
      await Promise.all([...verifying]);
      await sending.catch(() => {});
      await agent?.close();
      agent = null;
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
