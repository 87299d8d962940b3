import { z } from 'zod';

const DIGITS = /^[0-9]{1,15}$/;

/** What a request gave, quoted for an error message: short, and never more than the value. */
function given(value: unknown): string {
  if (Array.isArray(value)) return 'given more than once';
  if (typeof value === 'number') return `not ${value}`;
  if (typeof value !== 'string') return 'not a number';
  return value.length > 40 ? `not "${value.slice(0, 40)}…"` : `not "${value}"`;
}

/**
 * A whole number in a query string or a path, written in decimal digits. z.coerce.number() reads
 * "" as 0, "1e2" as 100 and "0x10" as 16, and a parameter given twice (an array) as NaN, which
 * its message then names: a client that sent either deserves to hear what it sent instead.
 */
export function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => `must be ${range}, ${given(issue.input)}`;
  let number = z.number({ error }).int({ error }).min(min, { error });
  if (max !== undefined) number = number.max(max, { error });
  return z.preprocess((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value), number);
}
