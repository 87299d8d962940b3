// Subscribing to the WebSub hubs that feeds name (https://www.w3.org/TR/websub/), so that a feed's
// new items are fetched within seconds of being published instead of at its next poll.
//
// A hub's notification is taken as word that the feed changed, and the feed is fetched from its
// own server as any poll fetches it: what is stored always comes through the same limits, address
// guard and reading as every other fetch. The content a hub sends may be the whole feed or only the
// entries that changed, which would not tell retention what the feed still carries; fetching costs
// the origin one request a publish, at most one a feed each `minFetchSeconds`.
import { randomBytes } from 'node:crypto';
import type { Agent } from 'undici';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact-url.js';
import type { Store, WebSubMode } from '../store/index.js';
import { createGuardedAgent, isBlockedAddress } from './address-guard.js';
import { discard, readResponseBody } from './fetch-body.js';
import { isSignedBy } from './websub-signature.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Requests sent to hubs after a pass, at most, one at a time: the rest are sent after the next. */
const REQUESTS_A_RUN = 500;
/** How much of a hub's answer is kept as the subscription's error. */
const ANSWER_KEPT_BYTES = 2048;
/** A refused subscription is asked for again this much later: a hub may refuse for a while. */
const DENIED_RETRY_MS = DAY_MS;
/** The longest lease taken as a hub grants it: past it, the lease is renewed as if it ended there. */
const LONGEST_LEASE_S = 366 * 86_400;

export interface WebSubSubscriberSettings {
  /** The service's public address: callbacks are `${baseUrl}/websub/${token}` (those given under another are given up). */
  baseUrl: string;
  /** The lease asked of hubs; a hub may grant another. */
  leaseSeconds: number;
  /** The shortest time between a feed's fetches that notifications may ask for. */
  minFetchSeconds: number;
  limits: { timeoutMs: number; connectTimeoutMs: number; allowPrivateAddresses: boolean; userAgent: string };
}

/**
 * What a hub's request to a callback is answered: a status and a plain-text body; `dueAt`, when a
 * feed it made due is; `notification`, whether a notification was taken or ignored.
 */
export interface CallbackAnswer {
  status: number;
  body: string;
  dueAt?: Date;
  notification?: 'accepted' | 'ignored';
}

/** The query of a hub's verification of intent (WebSub §5.3), or of its denial (§5.2). */
export interface VerificationQuery {
  mode: string | undefined;
  topic: string | undefined;
  challenge: string | undefined;
  leaseSeconds: string | undefined;
  reason: string | undefined;
}

/** How long to wait before asking a hub again, after `attempts` requests it did not confirm. */
export function retryDelayMs(attempts: number): number {
  return Math.min(HOUR_MS * 2 ** Math.max(0, attempts - 1), DAY_MS);
}

/** When to renew a lease confirmed at `now`: with a fifth of it left, and never sooner than a minute. */
export function renewalTime(now: Date, leaseSeconds: number): Date {
  return new Date(now.getTime() + Math.max(60_000, leaseSeconds * 800));
}

export function createWebSubSubscriber(store: Store, settings: WebSubSubscriberSettings, log: Logger, now: () => Date) {
  const isBlocked = settings.limits.allowPrivateAddresses ? () => false : isBlockedAddress;
  let agent: Agent | null = null;
  // Closing cuts a request under way short, and sends no more.
  const closing = new AbortController();
  const newKeys = () => ({ token: randomBytes(16).toString('base64url'), secret: randomBytes(32).toString('hex') });

  /**
   * Asks a hub to subscribe or unsubscribe: ok for a 2xx; else why not, and whether the hub
   * answered at all.
   */
  async function ask(hub: string, form: URLSearchParams): Promise<{ ok: true } | { ok: false; error: string; answered: boolean }> {
    let url: URL;
    try {
      url = new URL(hub);
    } catch {
      return { ok: false, error: `the hub ${hub} is not a URL`, answered: false };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, error: `the hub ${redactUrl(url)} is not an http(s) URL`, answered: false };
    }
    agent ??= createGuardedAgent(isBlocked, settings.limits);
    const signal = AbortSignal.any([AbortSignal.timeout(settings.limits.timeoutMs), closing.signal]);
    try {
      const response = await agent.request({
        origin: url.origin, path: url.pathname + url.search, method: 'POST', signal,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': settings.limits.userAgent },
        body: form.toString(),
      });
      if (response.statusCode >= 200 && response.statusCode < 300) {
        await discard(response);
        return { ok: true };
      }
      let answer = '';
      try {
        answer = (await readResponseBody(response, ANSWER_KEPT_BYTES, signal)).toString('utf8').replace(/\s+/g, ' ').trim();
      } catch {
        // Longer than is kept, or cut short: the status says enough.
      }
      return { ok: false, error: `the hub answered ${response.statusCode}${answer ? `: ${answer.slice(0, 200)}` : ''}`, answered: true };
    } catch (error) {
      return { ok: false, error: `the hub ${redactUrl(url)} could not be reached: ${(error as Error).message}`, answered: false };
    }
  }

  /** Sends the requests due; see requestDue. */
  async function sendDue(): Promise<number> {
    const due = await store.planWebSubRequests(now(), settings.baseUrl, newKeys, REQUESTS_A_RUN);
    // A hub that did not answer one request is not asked the others this run: each would wait out
    // the deadline. They stay due, for the next run.
    const unanswering = new Set<string>();
    let sent = 0;
    for (const request of due) {
      if (closing.signal.aborted) break;
      if (unanswering.has(request.hub)) continue;
      const form = new URLSearchParams({
        'hub.callback': `${request.callbackBase}/websub/${request.token}`, 'hub.mode': request.mode, 'hub.topic': request.topic,
      });
      if (request.mode === 'subscribe') {
        form.set('hub.lease_seconds', String(settings.leaseSeconds));
        form.set('hub.secret', request.secret);
      }
      // Asked again if the hub does not confirm in time, or once it can be reached again.
      const askedAt = now();
      await store.webSubAsked(request.token, request.mode, askedAt, new Date(askedAt.getTime() + retryDelayMs(request.attempts + 1)));
      const asked = await ask(request.hub, form);
      // Cut short by closing: not the hub's failure. It is asked again when the retry falls due.
      if (closing.signal.aborted) break;
      sent += 1;
      const fields = { hub: redactUrl(request.hub), topic: redactUrl(request.topic), mode: request.mode };
      if (asked.ok) {
        log.info(fields, 'asked a WebSub hub');
        continue;
      }
      await store.webSubRequestFailed(request.token, request.mode, asked.error, now());
      log.warn({ ...fields, error: asked.error }, 'a WebSub hub refused or could not be reached');
      if (!asked.answered) unanswering.add(request.hub);
    }
    return sent;
  }

  let sending: Promise<number> = Promise.resolve(0);
  return {
    /**
     * Subscribes to the hubs feeds name and that no subscription reaches yet, renews leases near
     * their end, asks again where a hub refused or did not confirm, and unsubscribes feeds that no
     * longer name a hub, are disabled or were deleted. Returns the requests sent. One call at a
     * time: a call made while one runs waits for it, so no request is sent twice.
     */
    requestDue(): Promise<number> {
      sending = sending.catch(() => 0).then(sendDue);
      return sending;
    },

    /** A hub's GET to a callback: it checks that we asked for what it is about to do, or says it refused. */
    async verify(token: string, query: VerificationQuery): Promise<CallbackAnswer> {
      const { mode, topic } = query;
      if (topic === undefined || topic === '') return { status: 400, body: 'hub.topic is missing' };
      if (mode === 'denied') {
        const reason = query.reason?.slice(0, 500) || 'the hub refused the subscription';
        const known = await store.denyWebSub(token, topic, reason, new Date(now().getTime() + DENIED_RETRY_MS));
        if (known) log.warn({ topic: redactUrl(topic), reason }, 'a WebSub hub refused a subscription');
        return known ? { status: 200, body: '' } : { status: 404, body: 'no such subscription' };
      }
      if (mode !== 'subscribe' && mode !== 'unsubscribe') return { status: 400, body: 'hub.mode must be subscribe, unsubscribe or denied' };
      if (query.challenge === undefined || query.challenge === '') return { status: 400, body: 'hub.challenge is missing' };
      const granted = Number(query.leaseSeconds);
      const leaseSeconds = Number.isInteger(granted) && granted > 0 ? Math.min(granted, LONGEST_LEASE_S) : settings.leaseSeconds;
      const at = now();
      const confirmed = await store.confirmWebSub(token, mode as WebSubMode, topic, {
        now: at, leaseExpiresAt: new Date(at.getTime() + leaseSeconds * 1000), renewAt: renewalTime(at, leaseSeconds),
      });
      if (!confirmed) return { status: 404, body: 'no such subscription' };
      log.info({ topic: redactUrl(topic), mode, leaseSeconds: mode === 'subscribe' ? leaseSeconds : undefined }, 'a WebSub hub confirmed');
      return { status: 200, body: query.challenge };
    },

    async isCallback(token: string): Promise<boolean> {
      return (await store.webSubCallback(token)) !== null;
    },

    /**
     * A hub's POST to a callback: the feed changed. Signed with the subscription's secret, it makes
     * the feed due; unsigned or signed otherwise, it is acknowledged and ignored (WebSub §8), so
     * that a forger learns nothing from the answer.
     */
    async notified(token: string, signature: string | undefined, body: Buffer): Promise<CallbackAnswer> {
      const subscription = await store.webSubCallback(token);
      if (subscription === null) return { status: 404, body: 'no such subscription' };
      if (!isSignedBy(subscription.secret, signature, body)) {
        log.warn({ topic: redactUrl(subscription.topic) }, 'ignored a WebSub notification whose signature does not match');
        return { status: 202, body: '', notification: 'ignored' };
      }
      const due = await store.webSubNotified(token, now(), settings.minFetchSeconds * 1000);
      return due === null ? { status: 202, body: '', notification: 'ignored' } : { status: 202, body: '', dueAt: due.dueAt, notification: 'accepted' };
    },

    /** Stops asking hubs: a request under way is cut short, and the run it is in ends. */
    async close(): Promise<void> {
      closing.abort();
      await sending.catch(() => 0);
      await agent?.close();
      agent = null;
    },
  };
}

export type WebSubSubscriber = ReturnType<typeof createWebSubSubscriber>;
