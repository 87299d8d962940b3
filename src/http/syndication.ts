import { type Request, Router } from 'express';
import { z } from 'zod';
import type { StoredItem } from '../model.js';
import { CONTENT_TYPES, type FeedEntry, type FeedFormat, renderFeedBytes } from '../syndication/render.js';
import type { AppDeps } from './deps.js';
import { badRequest, fromZod, notFound } from './errors.js';
import type { FeedCache } from './feed-cache.js';
import { feedCacheKey, sendFeed, splitFile } from './feed-response.js';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from './items.js';

const feedQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  before: z.string().min(1).max(200).optional(),
  token: z.string().optional(),
});

function newest(items: StoredItem[]): Date {
  let latest = 0;
  for (const item of items) latest = Math.max(latest, Date.parse(item.updatedAt ?? item.sortAt), Date.parse(item.sortAt));
  // Last-Modified has one-second resolution; an empty feed is "modified" at the epoch.
  return new Date(Math.floor(latest / 1000) * 1000);
}

interface Scope {
  key: string; // cache scope: a topic slug, or '*' for the combined feed
  slug: string | undefined;
  title: string;
  description: string;
  path: string; // without extension, e.g. /topics/nato
}

export function syndicationRouter(deps: AppDeps, cache: FeedCache): Router {
  const router = Router();

  async function entriesFor(items: StoredItem[]): Promise<FeedEntry[]> {
    const stories = await deps.store.sharedStorySources([...new Set(items.map((i) => i.storyId).filter((id): id is number => id !== null))]);
    return items.map((item) => ({
      item,
      sourceFeedUrl: item.feedUrl,
      alsoReportedBy: (item.storyId !== null ? stories.get(item.storyId) ?? [] : [])
        .filter((s) => s.itemId !== item.id && s.feedId !== item.feedId)
        .map((s) => ({ feedTitle: s.feedTitle ?? 'Unknown source', url: s.url })),
    }));
  }

  function parseFeedQuery(req: Request) {
    const query = feedQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod(query.error, 'query');
    const after = query.data.before !== undefined ? decodeCursor(query.data.before) : undefined;
    if (after === null) throw badRequest('"before" is not a cursor this server issued', [{ field: 'query.before', message: 'invalid cursor' }]);
    return { ...query.data, after };
  }

  type FeedQuery = ReturnType<typeof parseFeedQuery>;

  async function render(scope: Scope, format: FeedFormat, { after, ...query }: FeedQuery) {
    const items = await deps.store.listItems({ topicSlug: scope.slug, limit: query.limit, after, collapseStories: true });
    const base = `${deps.baseUrl}${scope.path}`;
    const pageUrl = (ext: string, before?: string) =>
      `${base}.${ext}${before || query.limit !== DEFAULT_LIMIT ? '?' : ''}${[
        query.limit !== DEFAULT_LIMIT ? `limit=${query.limit}` : '',
        before ? `before=${before}` : '',
      ].filter(Boolean).join('&')}`;
    const last = items[items.length - 1];
    const updated = newest(items);
    const body = renderFeedBytes(format, {
      title: scope.title,
      description: scope.description,
      htmlUrl: `${deps.baseUrl}/`,
      selfUrl: pageUrl(format, query.before),
      links: { rss: pageUrl('rss', query.before), atom: pageUrl('atom', query.before), json: pageUrl('json', query.before) },
      hubUrl: deps.websubHub,
      paging: {
        first: pageUrl(format),
        next: items.length === query.limit && last ? pageUrl(format, encodeCursor(last)) : null,
        prev: null,
      },
      id: `${deps.baseUrl}${scope.path}`,
      updated,
      entries: await entriesFor(items),
    });
    return cache.set(scope.key, feedCacheKey(scope.path, format, query), { body, lastModified: updated, contentType: CONTENT_TYPES[format] });
  }

  router.get('/topics/:file', async (req, res) => {
    const file = splitFile(req.params.file as string);
    if (!file) throw notFound(`no feed at ${req.path}: use /topics/{slug}.rss, .atom or .json`);
    const query = parseFeedQuery(req);
    // A cached feed exists only for a live topic (deleting one invalidates it): no database
    // round trip on the hot path.
    const cached = cache.get(file.name, feedCacheKey(`/topics/${file.name}`, file.format, query));
    if (cached) return sendFeed(cached, req, res, deps.feedMaxAgeSeconds);
    const topic = await deps.store.getTopic(file.name);
    if (!topic) throw notFound(`no topic "${file.name}"`);
    const scope = { key: topic.slug, slug: topic.slug, title: topic.title, description: `feedsieve topic: ${topic.query}`, path: `/topics/${topic.slug}` };
    sendFeed(await render(scope, file.format, query), req, res, deps.feedMaxAgeSeconds);
  });

  router.get('/feeds/:file', async (req, res) => {
    const file = splitFile(req.params.file as string);
    if (!file || file.name !== 'all') throw notFound(`no feed at ${req.path}: use /feeds/all.rss, .atom or .json`);
    const query = parseFeedQuery(req);
    const scope = { key: '*', slug: undefined, title: 'feedsieve: all items', description: 'Every item from every source, each story once', path: '/feeds/all' };
    sendFeed(cache.get(scope.key, feedCacheKey(scope.path, file.format, query)) ?? (await render(scope, file.format, query)), req, res, deps.feedMaxAgeSeconds);
  });

  return router;
}
