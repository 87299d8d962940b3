import { HttpProblem } from './errors.js';

/**
 * The share of the server's one JavaScript thread that searches (`/api/items?q=`, topic previews)
 * may take. A search reads and matches up to 20,000 items on the thread that also answers every
 * feed request and saves every fetched feed: at ~40 ms each, a client asking in a loop would stall
 * both. Searches spend from a bucket of milliseconds refilled at `msPerSecond`; once it is empty,
 * searches are refused with a time to come back, while feeds and the rest of the API go on.
 *
 * The bucket is the server's, not a client's: telling clients apart needs their address, which a
 * reverse proxy hides. Busy searchers slow each other, never the feeds.
 */
export interface SearchBudget {
  readonly msPerSecond: number;
  /** Whether a search may start now; if not, in how many seconds one may. */
  admit(): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Takes the time a search took from the bucket. */
  spend(ms: number): void;
}

/** How many seconds' worth of its rate the bucket holds: a burst of searches after a quiet spell. */
export const SEARCH_BURST_SECONDS = 10;

export function createSearchBudget(msPerSecond: number, clock: () => number = () => performance.now()): SearchBudget {
  const capacity = msPerSecond * SEARCH_BURST_SECONDS;
  let tokens = capacity;
  let at = clock();
  const refill = () => {
    const now = clock();
    tokens = Math.min(capacity, tokens + ((now - at) * msPerSecond) / 1000);
    at = now;
  };
  return {
    msPerSecond,
    admit() {
      refill();
      if (tokens > 0) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(-tokens / msPerSecond + 1e-9)) };
    },
    spend(ms) {
      refill();
      tokens -= ms;
    },
  };
}

/** Runs a search within the budget, or refuses it with 503 and Retry-After when the budget is spent. */
export async function withinSearchBudget<T>(budget: SearchBudget, search: () => Promise<T>): Promise<T> {
  const admitted = budget.admit();
  if (!admitted.ok) {
    throw new HttpProblem(503, 'Service Unavailable',
      `searches have used their share of the server (${budget.msPerSecond} ms a second); try again in ${admitted.retryAfterSeconds} s`,
      [], { 'Retry-After': String(admitted.retryAfterSeconds) });
  }
  const started = performance.now();
  try {
    return await search();
  } finally {
    budget.spend(performance.now() - started);
  }
}
