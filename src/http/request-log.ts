import { randomUUID } from 'node:crypto';
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

// Query strings may carry ?token=: log the path and the parameter names that are safe to show.
function loggedQuery(query: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = query;
  return rest;
}

/** Request id (from X-Request-Id when sane), a child logger, one line and one metric per request. */
export function requestLog(log: Logger, metrics: Metrics | null): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    req.log = log.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route pattern, not the raw path, keeps label cardinality bounded.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics?.recordRequest(req.method, route, res.statusCode, seconds);
      req.log.info({ method: req.method, path: req.path, query: loggedQuery(req.query as Record<string, unknown>),
        status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
