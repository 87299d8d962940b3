import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from './errors.js';

// Hashing first gives equal-length buffers, so the comparison time says nothing about the token.
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** Writes need the admin token; with none configured, writes are refused rather than open. */
export function requireAdmin(adminToken: string | null): RequestHandler {
  return (req, _res, next) => {
    if (!adminToken) {
      return next(new HttpProblem(403, 'Forbidden', 'writes are disabled: set FEEDSIEVE_ADMIN_TOKEN to enable them'));
    }
    const given = bearer(req.headers.authorization);
    if (!given || !sameSecret(given, adminToken)) {
      return next(new HttpProblem(401, 'Unauthorized', 'a valid admin token is required (Authorization: Bearer …)'));
    }
    next();
  };
}

/** Whether a bearer token (header) or `?token=` lets a reader in; anyone, with no read token set. */
export function readerAllowed(readToken: string | null, adminToken: string | null, authorization: string | undefined,
  queryToken: string | null): boolean {
  if (!readToken) return true;
  const given = bearer(authorization) ?? queryToken;
  return given !== null && (sameSecret(given, readToken) || (adminToken !== null && sameSecret(given, adminToken)));
}

/** Reads are public unless server.readToken is set; the admin token also reads. */
export function requireReader(readToken: string | null, adminToken: string | null): RequestHandler {
  return (req, res, next) => {
    if (!readToken) return next();
    const queryToken = typeof req.query.token === 'string' ? req.query.token : null;
    if (readerAllowed(readToken, adminToken, req.headers.authorization, queryToken)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(new HttpProblem(401, 'Unauthorized', 'a valid read token is required'));
  };
}
