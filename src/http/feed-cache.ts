import { createEntryCache, type EntryCache } from './entry-cache.js';

/** The content codings a feed is sent in besides identity (http/feed-response.ts). */
export type Coding = 'br' | 'gzip';

export interface RenderedFeed {
  /** The body in the pieces it was put together from (syndication/render.ts, feedPage). */
  parts: Buffer[];
  /** The body's length in bytes. */
  length: number;
  /** The parts joined, once the feed is answered more than once (http/feed-response.ts). */
  joined: Buffer | null;
  /** Times the body has been sent. */
  answers: number;
  etag: string;
  lastModified: Date;
  contentType: string;
  /** The body compressed once per coding, on first request, so a poll costs no compression. */
  encoded: Partial<Record<Coding, Buffer>>;
  /** A compression under way (http/feed-response.ts): the requests that come meanwhile wait on it. */
  encoding: Partial<Record<Coding, Promise<Buffer>>>;
}

interface Entry extends RenderedFeed {
  generation: number;
}

const MAX_ENTRIES = 1000;

/**
 * Rendered feeds kept in memory until a topic changes, or everything is dropped at once.
 * Generation counters make invalidation O(1): stale entries are just ignored. The
 * entries feeds are rendered from outlive the feeds (entry-cache.ts): `renderedEntries`.
 */
export function createFeedCache(renderedEntries: EntryCache = createEntryCache()) {
  const entries = new Map<string, Entry>();
  const generations = new Map<string, number>();
  // Any change drops every page, not only its topics': a page names the other outlets that carry
  // each of its stories, and a new copy joins a story whether or not it matches the page's topic.
  let everything = 0;
  const generationOf = (scope: string) => (scope === '*' ? everything : (generations.get(scope) ?? 0) + everything);

  return {
    renderedEntries,
    /** Where the scope's pages stand now: a page rendered from what is read after this is current as of it. */
    generation: generationOf,
    get(scope: string, key: string): RenderedFeed | null {
      const entry = entries.get(key);
      return entry && entry.generation === generationOf(scope) ? entry : null;
    },
    /**
     * Keeps a page; `digest` is what syndication/render.ts's feedPage gives, the same only for the
     * same bytes. `asOf` is the scope's generation before the page's rows were read: a change that
     * came while it was rendered leaves the page unkept for the next request.
     */
    set(scope: string, key: string, { digest, ...feed }: Pick<RenderedFeed, 'parts' | 'lastModified' | 'contentType'> & { digest: Buffer },
      asOf: number = generationOf(scope)): RenderedFeed {
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      let length = 0;
      for (const part of feed.parts) length += part.length;
      const etag = `"${digest.toString('base64url').slice(0, 27)}"`;
      const entry = { ...feed, length, joined: null, answers: 0, etag, encoded: {}, encoding: {}, generation: asOf };
      entries.set(key, entry);
      return entry;
    },
    /** The topics that gained or lost an item; the combined feed changes with any of them. */
    invalidate(slugs: string[]): void {
      for (const slug of slugs) generations.set(slug, (generations.get(slug) ?? 0) + 1);
      everything++;
    },
    invalidateAll(): void {
      everything++;
    },
  };
}

export type FeedCache = ReturnType<typeof createFeedCache>;
