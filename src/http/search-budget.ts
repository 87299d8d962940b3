import { isIPv6 } from 'node:net';
import type { Request } from 'express';
import { HttpProblem } from './errors.js';

/**
 * The share of the server's one JavaScript thread that searches (`/api/items?q=`, topic previews)
 * may take. A search reads and matches up to 20,000 items on the thread that also answers every
 * feed request and saves every fetched feed: at ~40 ms each, a client asking in a loop would stall
 * both. Searches spend from a bucket of milliseconds refilled at `msPerSecond`; once it is empty,
 * searches are refused with a time to come back, while feeds and the rest of the API go on.
 *
 * Within it, a client that searches while others do may take half of it, so that one client asking
 * in a loop cannot keep the others out. A client searching alone may take all of it: the one
 * program a server has, or every client behind a reverse proxy the server is not told to trust
 * (`server.trustProxy`), which then all come from the proxy's address.
 */
export interface SearchBudget {
  readonly msPerSecond: number;
  /** Whether a search by `client` (its address) may start now; if not, in how many seconds one may, and whose part is spent. */
  admit(client: string): { ok: true } | { ok: false; retryAfterSeconds: number; spent: 'server' | 'client' };
  /** Takes the time a search by `client` took from the bucket, and from the client's part. */
  spend(client: string, ms: number): void;
  /** How many clients' parts are not yet refilled: those searching lately. */
  clientsSearching(): number;
}

/** How many seconds' worth of its rate the bucket holds: a burst of searches after a quiet spell. */
export const SEARCH_BURST_SECONDS = 10;

/** A client's part of the bucket, and of its rate, while other clients search too. */
export const ONE_CLIENT_SHARE = 0.5;

/** Clients' parts kept at most; past it, the part written longest ago is dropped for a new one. */
export const MAX_CLIENTS_SEARCHING = 10_000;

/** Milliseconds that refill at `msPerSecond` up to `capacity`; spending may take them below zero. */
function tokenBucket(capacity: number, msPerSecond: number, at: number) {
  let tokens = capacity;
  return {
    level(now: number): number {
      tokens = Math.min(capacity, tokens + ((now - at) * msPerSecond) / 1000);
      at = now;
      return tokens;
    },
    spend(ms: number, now: number): void {
      this.level(now);
      tokens -= ms;
    },
    /** Whole seconds until the bucket holds time again. */
    secondsToRefill(now: number): number {
      return Math.max(1, Math.ceil(-this.level(now) / msPerSecond + 1e-9));
    },
  };
}

type TokenBucket = ReturnType<typeof tokenBucket>;

export function createSearchBudget(msPerSecond: number, clock: () => number = () => performance.now()): SearchBudget {
  const capacity = msPerSecond * SEARCH_BURST_SECONDS;
  const server = tokenBucket(capacity, msPerSecond, clock());
  const partCapacity = capacity * ONE_CLIENT_SHARE;
  const partRate = msPerSecond * ONE_CLIENT_SHARE;
  // Only the parts not yet refilled: a full part is as good as none, and is forgotten.
  const parts = new Map<string, TokenBucket>();
  const forgetRefilled = (now: number) => {
    for (const [client, part] of parts) if (part.level(now) >= partCapacity) parts.delete(client);
  };
  return {
    msPerSecond,
    admit(client) {
      const now = clock();
      forgetRefilled(now);
      const own = parts.get(client);
      const othersSearching = parts.size - (own ? 1 : 0) > 0;
      if (own && othersSearching && own.level(now) <= 0) return { ok: false, retryAfterSeconds: own.secondsToRefill(now), spent: 'client' };
      if (server.level(now) <= 0) return { ok: false, retryAfterSeconds: server.secondsToRefill(now), spent: 'server' };
      return { ok: true };
    },
    spend(client, ms) {
      const now = clock();
      server.spend(ms, now);
      let own = parts.get(client);
      if (!own) {
        if (parts.size >= MAX_CLIENTS_SEARCHING) parts.delete(parts.keys().next().value!);
        own = tokenBucket(partCapacity, partRate, now);
        parts.set(client, own);
      }
      own.spend(ms, now);
    },
    clientsSearching() {
      forgetRefilled(clock());
      return parts.size;
    },
  };
}

/**
 * Runs a search by `client` within the budget, or refuses it with 503 and Retry-After when the
 * server's bucket, or the client's part while others search, is spent.
 */
export async function withinSearchBudget<T>(budget: SearchBudget, client: string, search: () => Promise<T>): Promise<T> {
  const admitted = budget.admit(client);
  if (!admitted.ok) {
    const detail = admitted.spent === 'server'
      ? `searches have used their share of the server (${budget.msPerSecond} ms a second); try again in ${admitted.retryAfterSeconds} s`
      : `this client's searches have used its part of the server's share while others search too (half of ${budget.msPerSecond} ms a second); `
        + `try again in ${admitted.retryAfterSeconds} s`;
    throw new HttpProblem(503, 'Service Unavailable', detail, [], { 'Retry-After': String(admitted.retryAfterSeconds) });
  }
  const started = performance.now();
  try {
    return await search();
  } finally {
    budget.spend(client, performance.now() - started);
  }
}

/** Who searches: the client's address, the one a trusted proxy forwarded when `server.trustProxy` says which proxies to trust. */
export function searchingClient(req: Request): string {
  return clientOfAddress(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * The client an address stands for: an IPv4 address itself (IPv4-mapped IPv6 included), an IPv6
 * address by its /64, which one host or home is given whole and may search from any address of.
 */
export function clientOfAddress(address: string): string {
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])));
  const written = [...groups(head), ...(tail === undefined ? [] : groups(tail))];
  const all = tail === undefined ? written : [...groups(head), ...Array<string>(8 - written.length).fill('0'), ...groups(tail)];
  return `${all.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}
