import { z } from 'zod';

const DATE_ALONE = /^\d{4}-\d{2}-\d{2}$/;

function given(value: unknown): string {
  if (Array.isArray(value)) return 'given more than once';
  if (typeof value !== 'string') return 'not a string';
  return value.length > 40 ? `not "${value.slice(0, 40)}…"` : `not "${value}"`;
}

/**
 * A moment in a query string, read as an ISO string in UTC. A date alone is the start of that day
 * in UTC, which is what a person types for "since December 1st"; with `since` inclusive and
 * `until` exclusive, `since=2026-12-01&until=2026-12-05` is four whole days. A date-time must
 * carry its zone: without one it would mean the server's clock's zone, which a client cannot see.
 */
export const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: (issue) => `must be a date (2026-12-01, the start of that day in UTC) or a date-time with its zone (2026-12-01T08:00:00Z), ${given(issue.input)}`,
  })
  .transform((value) => new Date(DATE_ALONE.test(value) ? `${value}T00:00:00Z` : value).toISOString());
