import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error that maps to an RFC 9457 problem response. Everything else is a 500 with no details. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
    /** Headers the answer carries besides the problem, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const badRequest = (detail: string, errors: FieldProblem[] = []) =>
  new HttpProblem(400, 'Bad Request', detail, errors);

export function fromZod(error: ZodError, where: 'query' | 'body' | 'path'): HttpProblem {
  const errors = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    // No body at all, or JSON that is not an object: zod's "expected object, received undefined" says less.
    message: where === 'body' && issue.path.length === 0 && issue.code === 'invalid_type' ? 'must be a JSON object' : issue.message,
  }));
  return badRequest(`invalid ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

// `instance` is the path alone: query strings may carry ?token=, which must never be echoed.
export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem, instance?: string): void {
  res
    .set(problem.headers)
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(instance ? { instance } : {}),
      ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
    }));
}

export const unknownRoute: RequestHandler = (req, res) => {
  sendProblem(res, notFound(`no route for ${req.method} ${req.path}`), req.path);
};

// Express and body-parser errors carry a status (400 bad JSON, 413 too large, 415 …): keep it, word it.
function fromFrameworkError(error: { status?: number; statusCode?: number; type?: string; message?: string }): HttpProblem | null {
  const status = error.status ?? error.statusCode;
  if (!status || status < 400 || status >= 500) return null;
  if (error.type === 'entity.parse.failed') return badRequest('request body is not valid JSON');
  if (error.type === 'entity.too.large') return new HttpProblem(413, 'Content Too Large', 'request body is too large');
  return new HttpProblem(status, 'Bad Request', error.message ?? 'bad request');
}

export function problemHandler(onUnexpected: (error: unknown, req: Parameters<ErrorRequestHandler>[1]) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = error instanceof HttpProblem ? error : fromFrameworkError(error as object);
    if (problem) return sendProblem(res, problem, req.path);
    onUnexpected(error, req);
    sendProblem(res, new HttpProblem(500, 'Internal Server Error', 'the server failed to answer this request'), req.path);
  };
}

/** What the JSON body parser reads: application/json, and types such as application/merge-patch+json. */
export const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A write whose body is not JSON (a form, as `curl -d` sends without a Content-Type) is told what to
 * send: the JSON parser leaves such a body unread, and the route would report a missing object.
 */
export const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const write = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  // An empty body (Content-Length: 0, as fetch sends for a POST without one) is no body of any type.
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (write && hasBody && req.is(JSON_TYPES) === false) {
    const sent = (req.headers['content-type'] ?? 'none').split(';')[0]!.trim().slice(0, 100);
    return next(new HttpProblem(415, 'Unsupported Media Type', `the body must be JSON, sent with Content-Type: application/json (not ${sent})`));
  }
  next();
};
