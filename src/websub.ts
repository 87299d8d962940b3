import type { Logger } from './log.js';

const PING_TIMEOUT_MS = 10_000;

/** The URLs a hub is told about for a topic: each format's feed, as advertised in rel="self". */
export function topicFeedUrls(baseUrl: string, slug: string): string[] {
  return ['rss', 'atom', 'json'].map((ext) => `${baseUrl}/topics/${slug}.${ext}`);
}

/**
 * WebSub publish pings (the de-facto `hub.mode=publish` form most hubs accept): subscribers of a
 * topic feed hear of new items in seconds instead of at their next poll. Failures are logged,
 * never thrown: a hub being down must not disturb ingest.
 */
export function createWebSubPublisher(hubUrl: string, baseUrl: string, log: Logger) {
  return {
    async publish(slugs: string[]): Promise<void> {
      const urls = [...new Set(slugs)].flatMap((slug) => topicFeedUrls(baseUrl, slug));
      if (urls.length === 0) return;
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
    },
  };
}
