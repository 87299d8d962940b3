import { z } from 'zod';
import { badRequest } from './errors.js';

// Values of query strings and paths, read strictly, with errors that say what was sent.

/** What a request gave, for an error message: short, and never more than the value. */
function given(value: unknown): string {
  if (Array.isArray(value)) return 'given more than once';
  if (typeof value === 'number') return `not ${value}`;
  if (typeof value !== 'string') return 'not a string';
  return value.length > 40 ? `not "${value.slice(0, 40)}…"` : `not "${value}"`;
}

const DIGITS = /^[0-9]{1,15}$/;

/**
 * A whole number written in decimal digits. z.coerce.number() reads "" as 0, "1e2" as 100 and
 * "0x10" as 16, and a parameter given twice (an array) as NaN, which its message then names: a
 * client that sent either deserves to hear what it sent instead.
 */
export function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => `must be ${range}, ${given(issue.input)}`;
  let number = z.number({ error }).int({ error }).min(min, { error });
  if (max !== undefined) number = number.max(max, { error });
  return z.preprocess((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value), number);
}

const DATE_ALONE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A moment, read as an ISO string in UTC. A date alone is the start of that day in UTC, which is
 * what a person types for "since December 1st"; with `since` inclusive and `until` exclusive,
 * `since=2026-12-01&until=2026-12-05` is four whole days. A date-time must carry its zone:
 * without one it would mean the server's zone, which a client cannot see.
 */
export const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: (issue) => `must be a date (2026-12-01, the start of that day in UTC) or a date-time with its zone (2026-12-01T08:00:00Z), ${given(issue.input)}`,
  })
  .transform((value) => new Date(DATE_ALONE.test(value) ? `${value}T00:00:00Z` : value).toISOString());

const positiveId = wholeNumber(1);

/** The id in a path (`/api/feeds/12`), or a 400 naming what it should have been: `what` is 'feed' or 'item'. */
export function pathId(raw: unknown, what: string): number {
  const id = positiveId.safeParse(raw);
  if (!id.success) throw badRequest(`${what} id must be a positive integer`, [{ field: 'path.id', message: 'not a positive integer' }]);
  return id.data;
}
