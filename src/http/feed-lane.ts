import type { IncomingMessage, ServerResponse } from 'node:http';
import { readerAllowed } from './auth.js';
import type { AppDeps } from './deps.js';
import type { RenderedFeed } from './feed-cache.js';
import type { FeedRenderer } from './feed-render.js';
import { sendFeed, splitFile } from './feed-response.js';
import { DEFAULT_LIMIT } from './items.js';
import { trackRequest } from './request-log.js';

/** Takes the request (true) or leaves it to the app (false); may also hand it to `toApp` later. */
type Lane = (req: IncomingMessage, res: ServerResponse, toApp: () => void) => boolean;

// Slugs and "all" are plain words: a path that needs decoding is left to the app's router.
const FEED_PATH = /^\/(topics|feeds)\/([\w.-]+)$/;

const PAGE = { limit: DEFAULT_LIMIT };

/**
 * Answers a reader's poll of a feed's first page (`GET /topics/nato.rss`, `/feeds/all.atom`, no
 * query) before the app sees it: from the cache, or rendered here when the cache has none.
 * Anything else is the app's, and so is a poll the lane cannot answer: a topic that does not
 * exist, or a render that failed, goes to the app, which answers it (and its error) as it
 * answers every other request.
 *
 * Why not through the app: Express walks a dozen layers per request and gave under 60% of a bare
 * server's requests/s on a 375 KB feed. And it changes the prototype of every request and response
 * (Object.setPrototypeOf), after which V8's scavenges keep all of the requests since the last one
 * alive: in a server answering nothing but /healthz, ~1.6 MB copied a scavenge against ~0.14 MB
 * for node:http alone, pauses of 3.6 against 1.0 ms. A feed rendered on every request at
 * 1,000,000 items paid that in its p99.
 */
export function feedLane(deps: AppDeps, renderer: FeedRenderer): Lane {
  return (req, res, toApp) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const match = FEED_PATH.exec(req.url ?? '');
    if (!match) return false;
    const [, kind, fileName] = match as unknown as [string, 'topics' | 'feeds', string];
    const file = splitFile(fileName);
    if (!file || (kind === 'feeds' && file.name !== 'all')) return false;
    if (!readerAllowed(deps.readToken, deps.adminToken, req.headers.authorization, null)) return false;
    const started = process.hrtime.bigint();
    const route = `/${kind}/:file`;
    const answer = (feed: RenderedFeed) => {
      trackRequest(req, res, deps.log, deps.metrics, () => route, started);
      sendFeed(feed, req, res, deps.feedMaxAgeSeconds);
    };
    const cached = kind === 'feeds' ? renderer.cachedAll(file.format, PAGE) : renderer.cachedTopic(file.name, file.format, PAGE);
    if (cached) {
      answer(cached);
      return true;
    }
    const rendering = kind === 'feeds' ? renderer.all(file.format, PAGE) : renderer.topic(file.name, file.format, PAGE);
    rendering.then((feed) => (feed ? answer(feed) : toApp()), toApp).catch((error: unknown) => {
      // Only answering can fail here, partway through a response the app cannot take over.
      deps.log.error({ err: error, path: req.url }, 'answering a feed failed');
      res.destroy();
    });
    return true;
  };
}
