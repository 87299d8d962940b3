import type { ItemRef } from '../model.js';
import type { ItemCursor } from '../store/index.js';
import { type AlsoReportedBy, CONTENT_TYPES, type FeedFormat, feedPage, type RenderedEntry, renderEntry } from '../syndication/render.js';
import { entryId } from '../syndication/entry.js';
import type { AppDeps } from './deps.js';
import type { FeedCache, RenderedFeed } from './feed-cache.js';
import { feedCacheKey } from './feed-response.js';
import { DEFAULT_LIMIT, encodeCursor } from './items.js';
import { redactUrl } from '../redact-url.js';

/** One page of a feed: how many entries, and after which entry (a decoded `before` cursor). */
export interface FeedPage {
  limit: number;
  /** The cursor as the reader sent it, for the page's own links. */
  before?: string | undefined;
  after?: ItemCursor | undefined;
}

interface Scope {
  key: string; // cache scope: a topic slug, or '*' for the combined feed
  slug: string | undefined;
  title: string;
  description: string;
  path: string; // without extension, e.g. /topics/nato
}

const ALL: Scope = { key: '*', slug: undefined, title: 'feedsieve: all items', description: 'Every item from every source, each story once', path: '/feeds/all' };

/** How stale a cached page may be after another process's commit. */
export const CHANGES_CHECK_MS = 250;

function newest(items: ItemRef[]): Date {
  let latest = 0;
  for (const item of items) latest = Math.max(latest, Date.parse(item.updatedAt ?? item.sortAt), Date.parse(item.sortAt));
  // Last-Modified has one-second resolution; an empty feed is "modified" at the epoch.
  return new Date(Math.floor(latest / 1000) * 1000);
}

/**
 * Renders pages of topic feeds and of the combined feed into the feed cache. Used by the feed
 * routes (syndication.ts) and by the lane that answers plain feed polls ahead of the app
 * (feed-lane.ts), so both put a page together alike.
 */
export function feedRenderer(deps: AppDeps, cache: FeedCache) {
  // Pages are dropped when this process's ingest or API changes a topic. Another process's commit
  // (a `feedsieve ingest` run while `serve` runs, with the topics of its own config) is seen here:
  // every page is dropped, since which topics it touched is not known. Read at most every
  // CHANGES_CHECK_MS, so that a cached answer does not pay a statement each (~3 µs).
  let changes = deps.store.changesElsewhere();
  let checkedAt = performance.now();
  function dropIfChangedElsewhere(): void {
    const now = performance.now();
    if (now - checkedAt < CHANGES_CHECK_MS) return;
    checkedAt = now;
    const seen = deps.store.changesElsewhere();
    if (seen === changes) return;
    changes = seen;
    cache.invalidateAll();
  }

  // The database's mark for entry ids, which it keeps for good: read once.
  let plainEntryIdsThrough: number | null = null;

  /**
   * The page's entries, rendered: those rendered before for the same version of the item, the same
   * feed name and the same other outlets are reused (entry-cache.ts); only the rest are read whole
   * and rendered. An item deleted between the two reads drops out of the page.
   */
  async function pageEntries(format: FeedFormat, refs: ItemRef[]): Promise<RenderedEntry[]> {
    const stories = await deps.store.sharedStorySources([...new Set(refs.map((i) => i.storyId).filter((id): id is number => id !== null))]);
    const others = (ref: ItemRef): AlsoReportedBy[] => (ref.storyId !== null ? stories.get(ref.storyId) ?? [] : [])
      .filter((s) => s.itemId !== ref.id && s.feedId !== ref.feedId)
      .map((s) => ({ feedTitle: s.feedTitle ?? 'Unknown source', url: s.url }));
    const rendered = cache.renderedEntries;
    const found = refs.map((ref) => rendered.get(format, ref, others(ref)));
    const missing = refs.filter((_, index) => found[index] === undefined).map((ref) => ref.id);
    const items = await deps.store.itemsByIds(missing);
    const plainThrough = (plainEntryIdsThrough ??= await deps.store.plainEntryIdsThrough());
    const entries: RenderedEntry[] = [];
    refs.forEach((ref, index) => {
      const kept = found[index];
      if (kept !== undefined) return void entries.push(kept);
      const item = items.get(ref.id);
      if (!item) return;
      // Keyed by the item as read whole: it may be a later version than the listing's.
      const alsoReportedBy = others(item);
      const entry = renderEntry(format, { item, id: entryId(item, plainThrough), sourceFeedUrl: redactUrl(item.feedUrl), alsoReportedBy });
      rendered.set(format, item, alsoReportedBy, entry);
      entries.push(entry);
    });
    return entries;
  }

  async function render(scope: Scope, format: FeedFormat, { after, ...query }: FeedPage): Promise<RenderedFeed> {
    dropIfChangedElsewhere();
    const asOf = cache.generation(scope.key);
    const refs = await deps.store.listItemRefs({ topicSlug: scope.slug, limit: query.limit, after, collapseStories: true });
    const base = `${deps.baseUrl}${scope.path}`;
    const pageUrl = (ext: string, before?: string) =>
      `${base}.${ext}${before || query.limit !== DEFAULT_LIMIT ? '?' : ''}${[
        query.limit !== DEFAULT_LIMIT ? `limit=${query.limit}` : '',
        before ? `before=${before}` : '',
      ].filter(Boolean).join('&')}`;
    const last = refs[refs.length - 1];
    const updated = newest(refs);
    const page = feedPage(format, {
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
    return cache.set(scope.key, feedCacheKey(scope.path, format, query), { ...page, lastModified: updated, contentType: CONTENT_TYPES[format] }, asOf);
  }

  return {
    /**
     * The topic's page as cached, or null. A cached page exists only for a live topic (deleting
     * one invalidates it): no database round trip on the hot path but the check for other
     * processes' commits, at most one every CHANGES_CHECK_MS.
     */
    cachedTopic(slug: string, format: FeedFormat, page: FeedPage): RenderedFeed | null {
      dropIfChangedElsewhere();
      return cache.get(slug, feedCacheKey(`/topics/${slug}`, format, page));
    },
    /** The combined feed's page as cached, or null. */
    cachedAll(format: FeedFormat, page: FeedPage): RenderedFeed | null {
      dropIfChangedElsewhere();
      return cache.get(ALL.key, feedCacheKey(ALL.path, format, page));
    },
    /** The topic's page, rendered and cached; null when there is no such topic. */
    async topic(slug: string, format: FeedFormat, page: FeedPage): Promise<RenderedFeed | null> {
      const topic = await deps.store.getTopic(slug);
      if (!topic) return null;
      const scope = { key: topic.slug, slug: topic.slug, title: topic.title, description: `feedsieve topic: ${topic.query}`, path: `/topics/${topic.slug}` };
      return render(scope, format, page);
    },
    /** The combined feed's page: every item from every source, each story once. */
    all(format: FeedFormat, page: FeedPage): Promise<RenderedFeed> {
      return render(ALL, format, page);
    },
  };
}

export type FeedRenderer = ReturnType<typeof feedRenderer>;
