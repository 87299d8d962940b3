import type { IncomingMessage, ServerResponse } from 'node:http';
import { readerAllowed } from './auth.js';
import type { AppDeps } from './deps.js';
import type { FeedCache } from './feed-cache.js';
import { feedCacheKey, sendFeed, splitFile } from './feed-response.js';
import { DEFAULT_LIMIT } from './items.js';
import { trackRequest } from './request-log.js';

type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

// Slugs and "all" are plain words: a path that needs decoding is left to the app's router.
const FEED_PATH = /^\/(topics|feeds)\/([\w.-]+)$/;

/**
 * Answers a reader's poll of a cached feed (`GET /topics/nato.rss`, `/feeds/all.atom`, no query)
 * before the app sees it; returns false for anything else, which the app then handles. Express
 * walks a dozen layers per request and gave under 60% of a bare server's requests/s on a 375 KB
 * feed; this answers the same bytes with the same headers, metric and log line. Only what
 * is already cached and needs no query-string token goes this way, so every error, every render
 * and every other route stays in one place: the app.
 */
export function feedLane(deps: AppDeps, cache: FeedCache): Lane {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const match = FEED_PATH.exec(req.url ?? '');
    if (!match) return false;
    const [, kind, fileName] = match as unknown as [string, 'topics' | 'feeds', string];
    const file = splitFile(fileName);
    if (!file || (kind === 'feeds' && file.name !== 'all')) return false;
    if (!readerAllowed(deps.readToken, deps.adminToken, req.headers.authorization, null)) return false;
    const scope = kind === 'feeds' ? '*' : file.name;
    const feed = cache.get(scope, feedCacheKey(`/${kind}/${file.name}`, file.format, { limit: DEFAULT_LIMIT }));
    if (!feed) return false;
    const route = `/${kind}/:file`;
    trackRequest(req, res, deps.log, deps.metrics, () => route);
    sendFeed(feed, req, res, deps.feedMaxAgeSeconds);
    return true;
  };
}
