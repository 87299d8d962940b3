import express, { Router } from 'express';
import { z } from 'zod';
import { FEED_INTERVAL } from '../config.js';
import { feedState } from '../feed-status.js';
import type { FeedError, FeedRecord, FeedState } from '../model.js';
import { DuplicateFeedError } from '../store/index.js';
import { feedsOpml, parseOpml } from '../opml.js';
import { importOpmlFeeds } from '../opml-import.js';
import { redactUrl } from '../redact-url.js';
import type { AppDeps } from './deps.js';
import { requireAdmin } from './auth.js';
import { fromZod, HttpProblem, notFound } from './errors.js';
import { pathId } from './query-values.js';

// file: URLs are for the operator's config file only: over HTTP they would read the server's disk.
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048);

export const feedBodySchema = z.strictObject({
  url: httpUrl,
  title: z.string().min(1).max(300).optional(),
  intervalMinutes: FEED_INTERVAL.optional(),
});

export const feedEditSchema = z.strictObject({
  url: httpUrl.optional(),
  /** null gives the feed back the title it gives itself. */
  title: z.string().min(1).max(300).nullable().optional(),
  /** null gives the feed back the interval its publishing rate sets. */
  intervalMinutes: FEED_INTERVAL.nullable().optional(),
  disabled: z.boolean().optional(),
}).refine((edit) => Object.keys(edit).length > 0, { error: 'give at least one of url, title, intervalMinutes and disabled' });

/** `?state=failing` lists the feeds that need looking at, out of hundreds. */
export const feedsQuerySchema = z.strictObject({
  state: z.enum(['waiting', 'ok', 'failing', 'disabled'] satisfies FeedState[]).optional(),
});

export function feedJson(feed: FeedRecord) {
  return {
    id: feed.id,
    url: redactUrl(feed.url),
    title: feed.title,
    siteUrl: feed.siteUrl,
    origin: feed.origin,
    state: feedState(feed),
    intervalMinutes: feed.intervalMinutes,
    disabled: feed.disabled,
    itemCount: feed.itemCount,
    status: {
      lastFetchedAt: feed.lastFetchedAt,
      httpStatus: feed.lastStatus,
      ok: feed.lastFetchedAt !== null && feed.lastError === null,
      error: feed.lastError ? { kind: feed.lastError.kind, message: feed.lastError.message } : null,
      consecutiveFailures: feed.consecutiveFailures,
      nextFetchAt: feed.nextFetchAt,
      movedTo: feed.movedTo === null ? null : redactUrl(feed.movedTo),
      entriesToldApartBy: ENTRIES_TOLD_APART_BY[feed.identityScheme],
    },
    websub: feed.websub === null ? null : { ...feed.websub, hub: redactUrl(feed.websub.hub), topic: redactUrl(feed.websub.topic) },
  };
}

/** What FeedRecord.identityScheme tells entries apart by, as the API names it. */
export const ENTRIES_TOLD_APART_BY = ['guid', 'link', 'linkTitleAndDate'] as const;

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

  /** The feed a posted URL leads to: itself, or the feed a web page links to. */
  const feedBehind = async (url: string): Promise<string> => {
    if (!deps.discover) return url;
    const found = await deps.discover(url);
    // The message names the URL already, without any password it carried.
    if (!found.ok) throw new HttpProblem(422, 'Unprocessable Content', `no feed found: ${found.error.message}`);
    return found.feedUrl;
  };

  router.get('/api/feeds', async (req, res) => {
    const query = feedsQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod(query.error, 'query');
    const { state } = query.data;
    const feeds = await deps.store.listFeeds();
    res.json({ feeds: (state === undefined ? feeds : feeds.filter((feed) => feedState(feed) === state)).map(feedJson) });
  });

  router.get('/api/feeds.opml', async (_req, res) => {
    // Readers may read this; the operator's `feedsieve opml export` keeps the passwords, for a move.
    const addresses = (await deps.store.feedAddresses()).map((feed) => ({ ...feed, url: redactUrl(feed.url) }));
    res.type('text/x-opml; charset=utf-8').send(feedsOpml(addresses, deps.now()));
  });

  router.get('/api/feeds/:id', async (req, res) => {
    const id = pathId(req.params.id, 'feed');
    const feed = await deps.store.getFeed(id);
    if (!feed) throw notFound(`no feed ${id}`);
    res.json(feedJson(feed));
  });

  router.post('/api/feeds', admin, async (req, res) => {
    const body = feedBodySchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    // Known URLs are refused before any fetch: no reason to touch the network for a duplicate.
    if (await deps.store.getFeedByUrl(body.data.url)) throw duplicate(body.data.url);
    const url = await feedBehind(body.data.url);
    try {
      const feed = await deps.store.addFeed({ url, title: body.data.title ?? null, intervalMinutes: body.data.intervalMinutes ?? null, origin: 'api' }, deps.now());
      deps.onFeedsDue();
      res.status(201).location(`/api/feeds/${feed.id}`).json(feedJson(feed));
    } catch (error) {
      if (error instanceof DuplicateFeedError) throw duplicate(url);
      throw error;
    }
  });

  router.patch('/api/feeds/:id', admin, async (req, res) => {
    const id = pathId(req.params.id, 'feed');
    const body = feedEditSchema.safeParse(req.body);
    if (!body.success) throw fromZod(body.error, 'body');
    const feed = await deps.store.getFeed(id);
    if (!feed) throw notFound(`no feed ${id}`);
    const edit = { ...body.data };
    // Sending a feed back with its own URL changes nothing.
    if (edit.url === feed.url) delete edit.url;
    if (feed.origin === 'config') {
      // The config file is mirrored at each start and reload: a change here would be undone there.
      const fromConfig = (['url', 'title', 'intervalMinutes'] as const).filter((key) => edit[key] !== undefined);
      if (fromConfig.length > 0) {
        throw new HttpProblem(409, 'Conflict', `feed ${id} comes from the config file: change its ${listed(fromConfig)} there, then reload serve (SIGHUP)`);
      }
    }
    if (edit.url !== undefined) {
      if (await deps.store.getFeedByUrl(edit.url)) throw duplicate(edit.url);
      edit.url = await feedBehind(edit.url);
    }
    let edited: FeedRecord | null;
    try {
      edited = await deps.store.editFeed(id, edit, deps.now());
    } catch (error) {
      if (error instanceof DuplicateFeedError) throw duplicate(edit.url!);
      throw error;
    }
    if (!edited) throw notFound(`no feed ${id}`);
    if (edit.url !== undefined || edit.title !== undefined) await deps.onFeedChanged();
    // A shorter interval may have made the feed due now.
    if (edit.url !== undefined || edit.intervalMinutes !== undefined || (edit.disabled === false && feed.disabled)) deps.onFeedsDue();
    res.json(feedJson(edited));
  });

  router.post('/api/feeds/:id/refresh', admin, async (req, res) => {
    const id = pathId(req.params.id, 'feed');
    const feed = await deps.store.getFeed(id);
    if (!feed) throw notFound(`no feed ${id}`);
    if (feed.disabled) {
      throw new HttpProblem(409, 'Conflict', `feed ${id} is disabled: enable it with PATCH /api/feeds/${id} {"disabled": false}, which also fetches it`);
    }
    if (!(await deps.store.markFeedDue(id, deps.now()))) throw notFound(`no feed ${id}`);
    deps.onFeedsDue();
    res.status(202).location(`/api/feeds/${id}`).json(feedJson((await deps.store.getFeed(id)) ?? feed));
  });

  router.delete('/api/feeds/:id', admin, async (req, res) => {
    const id = pathId(req.params.id, 'feed');
    if ((await deps.store.getFeed(id))?.origin === 'config') {
      // The next start or reload would add it again, its items fetched anew.
      throw new HttpProblem(409, 'Conflict', `feed ${id} comes from the config file: remove it there, then reload serve (SIGHUP)`);
    }
    if (!(await deps.store.deleteFeed(id))) throw notFound(`no feed ${id}`);
    await deps.onFeedChanged();
    res.status(204).end();
  });

  return router;
}

/** 'a', 'a and b', 'a, b and c'. */
function listed(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function duplicate(url: string): HttpProblem {
  return new HttpProblem(409, 'Conflict', `a feed with the URL ${redactUrl(url)} already exists`);
}

/** Types an OPML document arrives as: its own, XML's, or plain text from a tool that names none better. */
const OPML_TYPES = ['text/x-opml', 'text/xml', 'application/xml', 'application/*+xml', 'text/plain'];
/** A reader's export of a few thousand feeds, at ~150 bytes an outline. */
const OPML_LIMIT = '2mb';

/**
 * POST /api/feeds.opml: a reader's export, its http(s) feeds added as POST /api/feeds adds them,
 * without looking for a feed behind each (the export names feeds), and fetched when the pass gets
 * to them. Mounted ahead of the JSON body parser, whose routes take JSON alone.
 */
export function opmlImportRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/api/feeds.opml', requireAdmin(deps.adminToken), express.text({ type: OPML_TYPES, limit: OPML_LIMIT }), async (req, res) => {
    if (typeof req.body !== 'string') {
      throw new HttpProblem(415, 'Unsupported Media Type', 'send the OPML document as the body, with Content-Type: text/x-opml');
    }
    const parsed = parseOpml(req.body);
    if (!parsed.ok) throw new HttpProblem(422, 'Unprocessable Content', parsed.error);
    const { added, skipped } = await importOpmlFeeds(deps.store, parsed.feeds, deps.now());
    if (added.length > 0) deps.onFeedsDue();
    res.json({ added: added.map(feedJson), skipped });
  });
  return router;
}
