import type { Logger } from './log.js';
import { retryWaitMs } from './retry-wait.js';
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

/** A ping the hub did not take is made again this long after, then four times as long each time, up to an hour. */
const PING_RETRY_MS = 30_000;

/** Where the feeds the hub has yet to take a ping for are kept, for this process's next ping or another's. */
export type UnpingedFeeds = Pick<Store, 'unpingedFeeds' | 'keepUnpinged' | 'forgetUnpinged'>;

/**
 * WebSub publish pings (the de-facto `hub.mode=publish` form most hubs accept): subscribers of a
 * feed hear of its new items, or of an edit to its topic, in seconds instead of at their next
 * poll. Failures are logged, never thrown: a hub being down must not disturb ingest. The feeds of
 * a ping the hub did not take are kept in the database and named again in the next ping, of this
 * process or another (a `feedsieve ingest` run leaves them to the next), and pinged on their own
 * after `retryMs`, then four times as long each time up to an hour, until the hub takes them: a
 * hub down for a while is told of every feed that changed meanwhile once it is back, not only of
 * the feeds that change after.
 */
export function createWebSubPublisher(hubUrl: string, baseUrl: string, log: Logger, everySlug: () => Promise<readonly string[]>,
  kept: UnpingedFeeds, options: { retryMs?: number } = {}) {
  const { retryMs = PING_RETRY_MS } = options;
  /** The feeds this process's pings failed for, kept here too in case the database could not keep them. */
  const unpinged = new Set<string>();
  /** The pings made again in a row that the hub did not take. */
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Pings the hub; true when the ping is to be made again (unreachable, 5xx, 408, 429), not when taken or refused for good. */
  const pingFailed = async (urls: readonly string[]): Promise<boolean> => {
    const body = new URLSearchParams([['hub.mode', 'publish'], ...urls.map((url): [string, string] => ['hub.url', url])]);
    try {
      const res = await fetch(hubUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal: AbortSignal.timeout(PING_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.ok) return false;
      const again = res.status >= 500 || res.status === 408 || res.status === 429;
      log.warn({ hub: hubUrl, status: res.status }, again ? 'WebSub hub did not take the publish ping' : 'WebSub hub refused the publish ping');
      return again;
    } catch (error) {
      log.warn({ hub: hubUrl, err: error }, 'WebSub publish ping failed');
      return true;
    }
  };

  /** A database that cannot be read or written leaves the feeds to this process's memory, not the ping undone. */
  const logged = <T>(what: string, work: Promise<T>, otherwise: T): Promise<T> =>
    work.catch((error: unknown) => {
      log.error({ hub: hubUrl, err: error }, `the feeds left to tell the WebSub hub could not be ${what}`);
      return otherwise;
    });

  /**
   * Pings `urls` and the feeds not yet pinged, at most 100 a ping; past the first ping the hub did
   * not take, the rest wait for the next try: a hub that is down holds a pass up for one ping's
   * time limit, not for each hundred feeds.
   */
  async function pingWithUnpinged(urls: readonly string[]): Promise<void> {
    const stored = await logged('read', kept.unpingedFeeds(), []);
    const named = [...new Set([...unpinged, ...stored, ...urls])];
    for (let start = 0; start < named.length; start += URLS_A_PING) {
      const chunk = named.slice(start, start + URLS_A_PING);
      const pingedAt = new Date();
      if (closed || (await pingFailed(chunk))) {
        const left = named.slice(start);
        for (const url of left) unpinged.add(url);
        await logged('kept', kept.keepUnpinged(left, pingedAt), undefined);
        pingLater();
        return;
      }
      for (const url of chunk) unpinged.delete(url);
      await logged('forgotten', kept.forgetUnpinged(chunk, pingedAt), undefined);
    }
    if (unpinged.size === 0) failures = 0;
  }

  function pingLater() {
    if (closed || timer !== undefined || unpinged.size === 0) return;
    failures += 1;
    const delayMs = retryWaitMs(retryMs, failures);
    log.info({ hub: hubUrl, feeds: unpinged.size, retryInSeconds: delayMs / 1000 }, 'the WebSub hub is pinged again later');
    timer = setTimeout(() => {
      timer = undefined;
      void pingWithUnpinged([]);
    }, delayMs).unref();
  }

  return {
    async publish(changed: ChangedFeeds): Promise<void> {
      await pingWithUnpinged(await changedFeedUrls(baseUrl, changed, everySlug));
    },
    /** Ends the pings made again; the feeds still unpinged are logged, and left to the next ping over the database. */
    close(): void {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      if (unpinged.size > 0) {
        log.warn({ hub: hubUrl, feeds: unpinged.size }, 'the WebSub hub was not told of every feed that changed: the next ping over the database names them');
      }
    },
  };
}
