import { type Request, Router } from 'express';
import { z } from 'zod';
import type { ItemRef } from '../model.js';
import { type AlsoReportedBy, CONTENT_TYPES, entryBytes, type FeedFormat, feedParts } from '../syndication/render.js';
import { entryKey } from './entry-cache.js';
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

function newest(items: ItemRef[]): Date {
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

  /**
   * The page's entries as bytes: those rendered before for the same version of the item, the same
   * feed name and the same other outlets are reused (entry-cache.ts); only the rest are read whole
   * and rendered. An item deleted between the two reads drops out of the page.
   */
  async function pageEntries(format: FeedFormat, refs: ItemRef[]): Promise<Buffer[]> {
    const stories = await deps.store.sharedStorySources([...new Set(refs.map((i) => i.storyId).filter((id): id is number => id !== null))]);
    const others = (ref: ItemRef): AlsoReportedBy[] => (ref.storyId !== null ? stories.get(ref.storyId) ?? [] : [])
      .filter((s) => s.itemId !== ref.id && s.feedId !== ref.feedId)
      .map((s) => ({ feedTitle: s.feedTitle ?? 'Unknown source', url: s.url }));
    const rendered = cache.renderedEntries;
    const found = refs.map((ref) => rendered.get(entryKey(format, ref, others(ref))));
    const missing = refs.filter((_, index) => found[index] === undefined).map((ref) => ref.id);
    const items = await deps.store.itemsByIds(missing);
    const entries: Buffer[] = [];
    refs.forEach((ref, index) => {
      const kept = found[index];
      if (kept !== undefined) return void entries.push(kept);
      const item = items.get(ref.id);
      if (!item) return;
      // Keyed by the item as read whole: it may be a later version than the listing's.
      const alsoReportedBy = others(item);
      const bytes = entryBytes(format, { item, sourceFeedUrl: item.feedUrl, alsoReportedBy });
      rendered.set(entryKey(format, item, alsoReportedBy), bytes);
      entries.push(bytes);
    });
    return entries;
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
    const refs = await deps.store.listItemRefs({ topicSlug: scope.slug, limit: query.limit, after, collapseStories: true });
    const base = `${deps.baseUrl}${scope.path}`;
    const pageUrl = (ext: string, before?: string) =>
      `${base}.${ext}${before || query.limit !== DEFAULT_LIMIT ? '?' : ''}${[
        query.limit !== DEFAULT_LIMIT ? `limit=${query.limit}` : '',
        before ? `before=${before}` : '',
      ].filter(Boolean).join('&')}`;
    const last = refs[refs.length - 1];
    const updated = newest(refs);
    const parts = feedParts(format, {
      title: scope.title,
      description: scope.description,
      htmlUrl: `${deps.baseUrl}/`,
      selfUrl: pageUrl(format, query.before),
      links: { rss: pageUrl('rss', query.before), atom: pageUrl('atom', query.before), json: pageUrl('json', query.before) },
      hubUrl: deps.websubHub,
      paging: {
        first: pageUrl(format),
        next: refs.length === query.limit && last ? pageUrl(format, encodeCursor(last)) : null,
        prev: null,
      },
      id: `${deps.baseUrl}${scope.path}`,
      updated,
    }, await pageEntries(format, refs));
    return cache.set(scope.key, feedCacheKey(scope.path, format, query), { parts, lastModified: updated, contentType: CONTENT_TYPES[format] });
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
