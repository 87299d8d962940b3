import type { RequestListener } from 'node:http';
import compression from 'compression';
import express, { type Express } from 'express';
import type { AppDeps } from './deps.js';
import { requireReader } from './auth.js';
import { JSON_TYPES, jsonBodiesOnly, problemHandler, unknownRoute } from './errors.js';
import type { FeedCache } from './feed-cache.js';
import { corsPolicy } from './cors.js';
import { feedLane } from './feed-lane.js';
import { type FeedRenderer, feedRenderer } from './feed-render.js';
import { feedsRouter, opmlImportRouter } from './feeds.js';
import { hubRouter } from './hub.js';
import { itemsRouter } from './items.js';
import { openApiRouter } from './openapi.js';
import { opsRouter } from './ops.js';
import { requestLog, trackRequest } from './request-log.js';
import { pagesRouter } from './pages.js';
import { syndicationRouter } from './syndication.js';
import { topicListing } from './topic-listing.js';
import { topicsRouter } from './topics.js';
import { websubCallbackRouter } from './websub-callback.js';

export const BODY_LIMIT = '64kb';

/** The whole HTTP surface; listening is the caller's business. */
export function createApp(deps: AppDeps, cache: FeedCache, renderer: FeedRenderer = feedRenderer(deps, cache)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', Array.isArray(deps.trustProxy) ? [...deps.trustProxy] : deps.trustProxy);
  app.use(requestLog(deps.log, deps.metrics));
  app.use(opsRouter(deps));
  // Hubs carry no read token: the callback's own token admits them.
  app.use(websubCallbackRouter(deps));
  app.use(requireReader(deps.readToken, deps.adminToken));
  app.use(hubRouter(deps));
  // Feed readers poll these most: they are answered from memory, compressed once per coding by
  // syndication.ts itself, so they skip the compression middleware and the JSON body parser.
  app.use(syndicationRouter(deps, renderer));
  app.use(opmlImportRouter(deps));
  app.use(compression());
  app.use(express.json({ limit: BODY_LIMIT, type: JSON_TYPES }));
  app.use(jsonBodiesOnly);
  app.use(openApiRouter(deps.baseUrl));
  const listTopics = topicListing(deps, cache);
  app.use(pagesRouter(deps, listTopics));
  app.use(itemsRouter(deps));
  app.use(topicsRouter(deps, listTopics));
  app.use(feedsRouter(deps));
  app.use(unknownRoute);
  app.use(problemHandler((error, req) => req.log.error({ err: error }, 'request failed')));
  return app;
}

/** What the server listens with: polls of a feed's first page answered by the lane (feed-lane.ts), the rest by the app. */
export function createListener(deps: AppDeps, cache: FeedCache): RequestListener {
  const renderer = feedRenderer(deps, cache);
  const app = createApp(deps, cache, renderer);
  const lane = feedLane(deps, renderer);
  const cors = corsPolicy(deps.corsOrigins);
  return (req, res) => {
    if (cors.isPreflight(req)) {
      trackRequest(req, res, deps.log, deps.metrics, () => 'cors preflight');
      cors.answerPreflight(req, res);
      return;
    }
    cors.addHeaders(req, res);
    if (!lane(req, res, () => app(req, res))) app(req, res);
  };
}
