import { Router } from 'express';
import { z } from 'zod';
import type { FeedError, FeedRecord } from '../model.js';
import { DuplicateFeedError } from '../store/index.js';
import { feedsOpml } from '../opml.js';
import type { AppDeps } from './deps.js';
import { requireAdmin } from './auth.js';
import { badRequest, fromZod, HttpProblem, notFound } from './errors.js';
import { wholeNumber } from './query-values.js';

// file: URLs are for the operator's config file only: over HTTP they would read the server's disk.
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048);

export const feedBodySchema = z.strictObject({
  url: httpUrl,
  title: z.string().min(1).max(300).optional(),
});

export function feedJson(feed: FeedRecord) {
  return {
    id: feed.id,
    url: feed.url,
    title: feed.title,
    siteUrl: feed.siteUrl,
    origin: feed.origin,
    disabled: feed.disabled,
    itemCount: feed.itemCount,
    status: {
      lastFetchedAt: feed.lastFetchedAt,
      httpStatus: feed.lastStatus,
      ok: feed.lastFetchedAt !== null && feed.lastError === null,
      error: feed.lastError ? { kind: feed.lastError.kind, message: feed.lastError.message } : null,
      consecutiveFailures: feed.consecutiveFailures,
      nextFetchAt: feed.nextFetchAt,
    },
  };
}

const feedId = wholeNumber(1);

/** What ingest/discover.ts answers for a URL: the feed it leads to, or why there is none. */
export type FeedDiscovery = (url: string) => Promise<
  { ok: true; feedUrl: string; title: string | null } | { ok: false; error: FeedError }
>;

/**
 * Feed management. With `discover`, a posted URL is fetched first and may be a web page that
 * links to its feed; without it, the URL is stored as given and its first fetch tells.
 */
export function feedsRouter(deps: AppDeps & { discover?: FeedDiscovery | undefined }): Router {
  const router = Router();
  const admin = requireAdmin(deps.adminToken);

  router.get('/api/feeds', async (_req, res) => {
    res.json({ feeds: (await deps.store.listFeeds()).map(feedJson) });
  });

  router.get('/api/feeds.opml', async (_req, res) => {
    res.type('text/x-opml; charset=utf-8').send(feedsOpml(await deps.store.feedAddresses(), deps.now()));
  });

  router.get('/api/feeds/:id', async (req, res) => {
    const id = feedId.safeParse(req.params.id);
    if (!id.success) throw badRequest('feed id must be a positive integer', [{ field: 'path.id', message: 'not a positive integer' }]);
    const feed = await deps.store.getFeed(id.data);
    if (!feed) throw notFound(`no feed ${id.data}`);
    res.json(feedJson(feed));
  });

  router.post('/api/feeds', admin, async (req, res) => {
    const body = feedBodySchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    // Known URLs are refused before any fetch: no reason to touch the network for a duplicate.
    if (await deps.store.getFeedByUrl(body.data.url)) throw duplicate(body.data.url);
    let url = body.data.url;
    if (deps.discover) {
      const found = await deps.discover(url);
      if (!found.ok) {
        // The message names the URL already, without any password it carried.
        throw new HttpProblem(422, 'Unprocessable Content', `no feed found: ${found.error.message}`);
      }
      url = found.feedUrl;
    }
    try {
      const feed = await deps.store.addFeed({ url, title: body.data.title ?? null, origin: 'api' }, deps.now());
      deps.onFeedsDue();
      res.status(201).location(`/api/feeds/${feed.id}`).json(feedJson(feed));
    } catch (error) {
      if (error instanceof DuplicateFeedError) throw duplicate(url);
      throw error;
    }
  });

  router.delete('/api/feeds/:id', admin, async (req, res) => {
    const id = feedId.safeParse(req.params.id);
    if (!id.success) throw badRequest('feed id must be a positive integer', [{ field: 'path.id', message: 'not a positive integer' }]);
    if (!(await deps.store.deleteFeed(id.data))) throw notFound(`no feed ${id.data}`);
    res.status(204).end();
  });

  return router;
}

function duplicate(url: string): HttpProblem {
  return new HttpProblem(409, 'Conflict', `a feed with the URL ${url} already exists`);
}
