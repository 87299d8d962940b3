import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { RequestHandler } from 'express';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's logger: every line carries its request id. */
    log: Logger;
    id: string;
  }
}

const SAFE_ID = /^[\w.-]{1,64}$/;

/** A WebSub callback's path, whose last segment is the callback's token (websub-callback.ts). */
const CALLBACK_TOKEN = /^(\/websub\/)[^/]+/;

// Query strings may carry ?token=, and callbacks' paths theirs: log the path and the parameters
// that are safe to show.
function loggedUrl(url: string): { path: string; query: Record<string, unknown> } {
  const mark = url.indexOf('?');
  const path = (mark === -1 ? url : url.slice(0, mark)).replace(CALLBACK_TOKEN, '$1…');
  if (mark === -1) return { path, query: {} };
  const { token: _token, ...query } = parseQuery(url.slice(mark + 1));
  return { path, query };
}

/**
 * Gives a request its id (from X-Request-Id when sane) and, when it finishes, its metric and
 * log line. `routeOf` names the matched route pattern, not the raw path, to keep metric labels
 * bounded. `started`: when the request came in, if before this call. Returns the id.
 */
export function trackRequest(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, log: Logger,
  metrics: Metrics | null, routeOf: () => string, started = process.hrtime.bigint()): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const method = req.method ?? 'GET';
    metrics?.recordRequest(method, routeOf(), res.statusCode, seconds);
    if (!log.isLevelEnabled('info')) return;
    log.info({ reqId: id, method, ...loggedUrl(req.originalUrl ?? req.url ?? '/'), status: res.statusCode,
      ms: Math.round(seconds * 1000) }, 'request');
  });
  return id;
}

/** trackRequest for every request the app sees, plus `req.id` and a child logger `req.log`. */
export function requestLog(log: Logger, metrics: Metrics | null): RequestHandler {
  return (req, res, next) => {
    const id = trackRequest(req, res, log, metrics, () => (req.route as { path?: string } | undefined)?.path ?? 'unmatched');
    req.id = id;
    // Made on first use: most requests log nothing but their request line, so the child's cost
    // would be paid for nothing.
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (child ??= log.child({ reqId: id })),
    });
    next();
  };
}
