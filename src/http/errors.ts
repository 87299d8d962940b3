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
    message: issue.message,
  }));
  return badRequest(`invalid ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

// `instance` is the path alone: query strings may carry ?token=, which must never be echoed.
export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem, instance?: string): void {
  res
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
