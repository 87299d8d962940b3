import express, { Router } from 'express';
import { TOPIC_SLUG } from '../config.js';
import { redactUrl } from '../redact-url.js';
import type { FeedFormat } from '../syndication/render.js';
import type { FeedBody, HubFeeds } from '../websub-hub.js';
import { requireAdmin } from './auth.js';
import { notFound } from './errors.js';
import type { AppDeps } from './deps.js';
import type { FeedRenderer } from './feed-render.js';
import { DEFAULT_LIMIT } from './items.js';
import { pathId } from './query-values.js';

/** A subscriber's form holds five short fields. */
const FORM_LIMIT = '16kb';

/**
 * The service's feeds as the hub knows them: each by the address it names itself by (rel="self":
 * `{baseUrl}/topics/{slug}.{rss,atom,json}`, `{baseUrl}/feeds/all.{…}`), and its first page.
 */
export function hubFeeds(deps: Pick<AppDeps, 'baseUrl' | 'store'>, renderer: FeedRenderer): HubFeeds {
  const parse = (url: string): { slug: string | null; format: FeedFormat } | null => {
    if (!url.startsWith(`${deps.baseUrl}/`)) return null;
    const match = /^\/(?:topics\/([^/.]+)|feeds\/all)\.(rss|atom|json)$/.exec(url.slice(deps.baseUrl.length));
    if (match === null) return null;
    const slug = match[1] ?? null;
    if (slug !== null && !TOPIC_SLUG.test(slug)) return null;
    return { slug, format: match[2] as FeedFormat };
  };
  return {
    async isFeed(url) {
      const feed = parse(url);
      return feed !== null && (feed.slug === null || (await deps.store.getTopic(feed.slug)) !== null);
    },
    async render(url): Promise<FeedBody | null> {
      const feed = parse(url);
      if (feed === null) return null;
      const page = { limit: DEFAULT_LIMIT };
      const rendered = feed.slug === null ? await renderer.all(feed.format, page) : await renderer.topic(feed.slug, feed.format, page);
      return rendered === null ? null : { body: rendered.joined ?? Buffer.concat(rendered.parts, rendered.length), contentType: rendered.contentType };
    },
  };
}

/**
 * The hub's own address (server.hub), where subscribers ask for a feed to be sent them, and the
 * operator's view of the subscriptions held. Behind the read token when one is set: what the hub
 * sends is what a reader reads.
 */
export function hubRouter(deps: AppDeps): Router {
  const router = Router();
  // Listed, and ended, whether the hub is on or not: subscriptions held before it was turned off run out with their leases.
  router.get('/api/hub/subscriptions', requireAdmin(deps.adminToken), async (_req, res) => {
    const subscriptions = await deps.store.hubSubscriptions(deps.now());
    // Where several serve one database, the one that sends: the holder of the hub's lease.
    const sender = await deps.store.leaseHolder('hub', deps.now());
    res.json({ subscriptions: subscriptions.map((subscription) => ({ ...subscription, callback: redactUrl(subscription.callback) })), sender });
  });
  const hub = deps.hub;
  router.delete('/api/hub/subscriptions/:id', requireAdmin(deps.adminToken), async (req, res) => {
    const id = pathId(req.params.id, 'subscription');
    // With the hub off, nothing is sent to tell the callback: the row alone goes.
    const ended = hub === null ? (await deps.store.dropHubSubscriptionById(id, deps.now())) !== null : await hub.end(id);
    if (!ended) throw notFound(`no hub subscription ${id}`);
    res.status(204).end();
  });
  if (hub === null) {
    // Said plainly, before the JSON routes would refuse the subscriber's form as not JSON.
    router.post('/hub', () => {
      throw notFound('this service is not a WebSub hub: server.hub.enabled is off');
    });
    return router;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  router.post('/hub', express.urlencoded({ extended: false, limit: FORM_LIMIT, type: 'application/x-www-form-urlencoded' }), async (req, res) => {
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const answer = await hub.request({
      mode: text(form['hub.mode']), topic: text(form['hub.topic']), callback: text(form['hub.callback']),
      leaseSeconds: text(form['hub.lease_seconds']), secret: text(form['hub.secret']),
    });
    res.status(answer.status).type('text/plain; charset=utf-8').send(answer.body);
  });
  return router;
}
