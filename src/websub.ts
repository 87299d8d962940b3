import type { Logger } from './log.js';
import type { Store } from './store/index.js';

const PING_TIMEOUT_MS = 10_000;

const FORMATS = ['rss', 'atom', 'json'] as const;
/** A publish ping names at most this many feeds: a change to every topic's feed is told in several. */
const URLS_A_PING = 100;

/** The URLs a hub is told about for a topic: each format's feed, as advertised in rel="self". */
export function topicFeedUrls(baseUrl: string, slug: string): string[] {
  return FORMATS.map((ext) => `${baseUrl}/topics/${slug}.${ext}`);
}

/** The combined feed's URLs, each format's. */
export function combinedFeedUrls(baseUrl: string): string[] {
  return FORMATS.map((ext) => `${baseUrl}/feeds/all.${ext}`);
}

/**
 * Which of the service's feeds changed: those of these topics, or of every topic (a feed deleted
 * or renamed shows in any of them), and the combined feed when `all`; `gone`, topics deleted, whose
 * feeds are no more.
 */
export interface ChangedFeeds {
  slugs: readonly string[] | 'every';
  all: boolean;
  gone?: readonly string[];
}

/** The feeds either change concerns. */
export function joinChanges(a: ChangedFeeds, b: ChangedFeeds): ChangedFeeds {
  const gone = [...new Set([...(a.gone ?? []), ...(b.gone ?? [])])];
  return {
    slugs: a.slugs === 'every' || b.slugs === 'every' ? 'every' : [...new Set([...a.slugs, ...b.slugs])],
    all: a.all || b.all,
    ...(gone.length > 0 ? { gone } : {}),
  };
}

/** Lists every topic's slug, for a change that concerns every topic's feed. */
export const everyTopicSlug = (store: Pick<Store, 'topicDefinitions'>) => async (): Promise<string[]> =>
  (await store.topicDefinitions()).map((topic) => topic.slug);

/** The URLs of the feeds a change concerns; `everySlug` lists the topics when it concerns every one. */
export async function changedFeedUrls(baseUrl: string, changed: ChangedFeeds, everySlug: () => Promise<readonly string[]>): Promise<string[]> {
  const slugs = changed.slugs === 'every' ? await everySlug() : changed.slugs;
  const urls = [...new Set(slugs)].flatMap((slug) => topicFeedUrls(baseUrl, slug));
  if (changed.all) urls.push(...combinedFeedUrls(baseUrl));
  return urls;
}

/**
 * WebSub publish pings (the de-facto `hub.mode=publish` form most hubs accept): subscribers of a
 * feed hear of its new items, or of an edit to its topic, in seconds instead of at their next
 * poll. Failures are logged, never thrown: a hub being down must not disturb ingest.
 */
export function createWebSubPublisher(hubUrl: string, baseUrl: string, log: Logger, everySlug: () => Promise<readonly string[]>) {
  const ping = async (urls: readonly string[]) => {
    const body = new URLSearchParams([['hub.mode', 'publish'], ...urls.map((url): [string, string] => ['hub.url', url])]);
    try {
      const res = await fetch(hubUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal: AbortSignal.timeout(PING_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (!res.ok) log.warn({ hub: hubUrl, status: res.status }, 'WebSub hub refused the publish ping');
    } catch (error) {
      log.warn({ hub: hubUrl, err: error }, 'WebSub publish ping failed');
    }
  };
  return {
    async publish(changed: ChangedFeeds): Promise<void> {
      const urls = await changedFeedUrls(baseUrl, changed, everySlug);
      for (let start = 0; start < urls.length; start += URLS_A_PING) await ping(urls.slice(start, start + URLS_A_PING));
    },
  };
}
