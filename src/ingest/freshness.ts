// How long a feed's server says its answer stays fresh (RFC 9111 §4.2.1): Cache-Control's max-age
// less the Age the answer already has, else Expires less Date. A publisher that says its feed
// changes hourly is not asked every quarter of an hour.

/** Seconds the answer is fresh for from now, or null when the server says nothing usable. */
export function freshForSeconds(headers: { cacheControl: string | null; expires: string | null; date: string | null; age: string | null }): number | null {
  const directives = parseCacheControl(headers.cacheControl);
  // no-cache and no-store ask for the answer to be checked each time: no interval to keep.
  if (directives.has('no-cache') || directives.has('no-store')) return null;
  const age = wholeSeconds(headers.age) ?? 0;
  const maxAge = directives.get('max-age');
  if (maxAge !== undefined) {
    const seconds = wholeSeconds(maxAge);
    return seconds === null ? null : Math.max(0, seconds - age);
  }
  if (headers.expires === null) return null;
  const expires = httpDate(headers.expires);
  // An Expires that is not a date ("0", "-1") means already expired (§5.3): nothing to keep.
  if (Number.isNaN(expires)) return null;
  const date = headers.date !== null ? httpDate(headers.date) : Number.NaN;
  const from = Number.isNaN(date) ? Date.now() : date;
  return Math.max(0, Math.floor((expires - from) / 1000) - age);
}

function parseCacheControl(value: string | null): Map<string, string | null> {
  const directives = new Map<string, string | null>();
  if (value === null) return directives;
  for (const part of value.split(',')) {
    const [name, ...rest] = part.split('=');
    const key = name!.trim().toLowerCase();
    if (key === '') continue;
    const raw = rest.length > 0 ? rest.join('=').trim().replace(/^"(.*)"$/, '$1') : null;
    // The first of a repeated directive counts.
    if (!directives.has(key)) directives.set(key, raw);
  }
  return directives;
}

function wholeSeconds(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : null;
}

/** An HTTP-date names its weekday and month: this keeps Date.parse from reading "0" as the year 2000. */
function httpDate(value: string): number {
  return /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
}
