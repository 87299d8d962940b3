import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers a page may send on a read: a read token, and the conditional-GET pair. */
const ALLOWED_HEADERS = 'Authorization, If-None-Match, If-Modified-Since';
/** Response headers a page may read: what a poller needs to poll again conditionally, and where a 3xx goes. */
const EXPOSED_HEADERS = 'ETag, Last-Modified, Location, X-Request-Id';

/** Adds `field` to the response's Vary, keeping what is there. */
export function addVary(res: ServerResponse, field: string): void {
  const prior = res.getHeader('Vary');
  res.setHeader('Vary', prior === undefined ? field : `${String(prior)}, ${field}`);
}

export interface CorsPolicy {
  /** Whether this is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) to answer with `answerPreflight`. */
  isPreflight(req: IncomingMessage): boolean;
  answerPreflight(req: IncomingMessage, res: ServerResponse): void;
  /** Sets the headers that let an allowed origin's page read this response (GET and HEAD only). */
  addHeaders(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Lets pages of the configured origins (`server.corsOrigins`; `*` for any) read feeds and the API
 * in a browser: GET and HEAD only, never writes. None are allowed unless configured: a service on a
 * private network would otherwise be readable by any page its users visit.
 */
export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes('*');
  const listed = new Set(origins);
  const allowedFor = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin;
    return origin === undefined ? null : any ? '*' : listed.has(origin) ? origin : null;
  };
  // The answer depends on the Origin unless every origin gets the same one: a shared cache must know.
  const varyByOrigin = (res: ServerResponse) => {
    if (!any) addVary(res, 'Origin');
  };
  return {
    isPreflight(req) {
      return origins.length > 0 && req.method === 'OPTIONS' && req.headers.origin !== undefined
        && req.headers['access-control-request-method'] !== undefined;
    },
    answerPreflight(req, res) {
      varyByOrigin(res);
      const allowed = allowedFor(req);
      const method = req.headers['access-control-request-method'];
      if (allowed && (method === 'GET' || method === 'HEAD')) {
        res.setHeader('Access-Control-Allow-Origin', allowed);
        res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '86400');
      }
      // Without the headers above, the browser does not send the request it asked about.
      res.writeHead(204).end();
    },
    addHeaders(req, res) {
      if (origins.length === 0 || (req.method !== 'GET' && req.method !== 'HEAD')) return;
      varyByOrigin(res);
      const allowed = allowedFor(req);
      if (!allowed) return;
      res.setHeader('Access-Control-Allow-Origin', allowed);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    },
  };
}
