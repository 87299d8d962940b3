import { describe, expect, it } from 'vitest';
import { freshForSeconds } from '../../src/ingest/freshness.js';

const headers = (over: Partial<Parameters<typeof freshForSeconds>[0]>) => ({ cacheControl: null, expires: null, date: null, age: null, ...over });

describe('freshForSeconds', () => {
  it.each([
    [{ cacheControl: 'max-age=3600' }, 3600],
    [{ cacheControl: 'public, max-age=600, must-revalidate' }, 600],
    [{ cacheControl: 'MAX-AGE="900"' }, 900],
    [{ cacheControl: 'max-age=3600', age: '600' }, 3000],
    [{ cacheControl: 'max-age=60', age: '600' }, 0],
    [{ cacheControl: 'max-age=600, max-age=60' }, 600],
    [{ cacheControl: 'no-cache, max-age=3600' }, null],
    [{ cacheControl: 'no-store' }, null],
    [{ cacheControl: 'max-age=soon' }, null],
    [{ cacheControl: 'private' }, null],
    [{ expires: 'Sat, 05 Dec 2026 13:00:00 GMT', date: 'Sat, 05 Dec 2026 12:00:00 GMT' }, 3600],
    [{ expires: 'Sat, 05 Dec 2026 13:00:00 GMT', date: 'Sat, 05 Dec 2026 12:00:00 GMT', age: '100' }, 3500],
    // max-age wins over Expires (RFC 9111 §5.3).
    [{ cacheControl: 'max-age=60', expires: 'Sat, 05 Dec 2026 13:00:00 GMT', date: 'Sat, 05 Dec 2026 12:00:00 GMT' }, 60],
    [{ expires: '0', date: 'Sat, 05 Dec 2026 12:00:00 GMT' }, null],
    [{ expires: 'Sat, 05 Dec 2026 11:00:00 GMT', date: 'Sat, 05 Dec 2026 12:00:00 GMT' }, 0],
    [{}, null],
  ] as Array<[Partial<Parameters<typeof freshForSeconds>[0]>, number | null]>)('%j → %s', (given, seconds) => {
    expect(freshForSeconds(headers(given))).toBe(seconds);
  });
});
