// Fetching one feed over HTTP(S), or from disk for feeds named in the config file, politely
// (conditional GET, compression) and defensively (deadlines, a byte limit on decoded bytes,
// redirects checked hop by hop, no connections to private addresses). Every failure comes
// back as a FeedError value; nothing here rejects.
import type { IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Agent, Dispatcher } from 'undici';
import type { FeedError } from '../model.js';
import { BlockedAddressError, createGuardedAgent, isBlockedAddress } from './address-guard.js';
import { discard, header, readFileLimited, readResponseBody, TooLargeError } from './fetch-body.js';
import { redactUrl } from '../redact-url.js';
import { freshForSeconds } from './freshness.js';
import { websubLinksOfHeader } from './link-header.js';

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface FetchLimits {
  /** Total deadline for the whole fetch, including redirects and the body. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Counted on decoded bytes, after gzip/deflate/br. */
  maxBytes: number;
  maxRedirects: number;
  allowPrivateAddresses: boolean;
  /** True only for feeds that come from the config file. */
  allowFileUrls: boolean;
  userAgent: string;
}

export type FetchOutcome =
  | { status: 'not-modified'; httpStatus: 304; finalUrl: string; permanentUrl: string | null; freshForSeconds: number | null }
  | {
      status: 'ok';
      httpStatus: number;
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      permanentUrl: string | null;
      /** How long the server says the answer stays fresh (freshness.ts): null when it says nothing. */
      freshForSeconds: number | null;
      /** The WebSub hub and self links of the response's Link header, which come before the document's. */
      websubLinks: { hubUrl: string | null; selfUrl: string | null };
    }
  | { status: 'error'; error: FeedError; retryAfterSeconds: number | null; permanentUrl: string | null };

export type FeedFetcher = (
  url: string,
  validators: Validators,
  limits: FetchLimits,
  signal?: AbortSignal,
) => Promise<FetchOutcome>;

/** Which addresses the fetcher may connect to; production uses `isBlockedAddress`. */
export interface AddressPolicy {
  isBlocked(ip: string): boolean;
}

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/json;q=0.8, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

const PERMANENT_REDIRECTS = new Set([301, 308]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const nothingBlocked: AddressPolicy = { isBlocked: () => false };
const productionGuard: AddressPolicy = { isBlocked: isBlockedAddress };

// One agent per address policy and deadlines, shared by every fetch: connections to a host stay
// open between its feeds (undici unrefs idle sockets, so they never hold the process open), and
// no agent is built and torn down per fetch.
const agents = new WeakMap<AddressPolicy, Map<string, Agent>>();

const timeoutsKey = (limits: FetchLimits) => `${limits.connectTimeoutMs}/${limits.timeoutMs}`;

function agentFor(policy: AddressPolicy, limits: FetchLimits): Agent {
  let byTimeouts = agents.get(policy);
  if (byTimeouts === undefined) agents.set(policy, (byTimeouts = new Map()));
  const key = timeoutsKey(limits);
  let agent = byTimeouts.get(key);
  if (agent === undefined) byTimeouts.set(key, (agent = createGuardedAgent(policy.isBlocked, limits)));
  return agent;
}

// A response cut short (deadline, abort, a body over the limit) leaves undici opening a
// replacement connection that nothing uses and no keep-alive timer closes (nodejs/undici#5845).
// After any failed fetch the agent is closed once its other fetches finish, and a new one serves
// the fetches that follow.
function retire(policy: AddressPolicy, limits: FetchLimits, agent: Agent): void {
  const byTimeouts = agents.get(policy);
  const key = timeoutsKey(limits);
  if (byTimeouts?.get(key) === agent) byTimeouts.delete(key);
  agent.close().catch(() => undefined);
}

/** Fetch a feed. Never rejects: every failure is an `{ status: 'error' }` outcome. */
export function fetchFeed(
  url: string,
  validators: Validators,
  limits: FetchLimits,
  signal?: AbortSignal,
): Promise<FetchOutcome> {
  const policy = limits.allowPrivateAddresses ? nothingBlocked : productionGuard;
  return createFetcher(policy)(url, validators, limits, signal);
}

/**
 * `fetchFeed` with an explicit address policy. `limits.allowPrivateAddresses` is not consulted:
 * the policy alone decides, which lets a test allow exactly one loopback address.
 */
export function createFetcher(policy: AddressPolicy): FeedFetcher {
  return async (url, validators, limits, signal) => {
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const ctx: Attempt = {
      limits,
      deadline,
      signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
    };
    let start: URL;
    try {
      start = new URL(url);
    } catch {
      return failure({ kind: 'unsupported-scheme', message: `GET ${url}: not a valid URL` });
    }
    if (start.protocol === 'file:') {
      if (limits.allowFileUrls) return readFeedFile(start, validators, ctx);
      const message = `GET ${redactUrl(start)}: file URLs are allowed only in the config file`;
      return failure({ kind: 'unsupported-scheme', message });
    }
    if (start.protocol !== 'http:' && start.protocol !== 'https:') {
      const message = `GET ${redactUrl(start)}: ${start.protocol} is not http or https`;
      return failure({ kind: 'unsupported-scheme', message });
    }
    // Each hop takes the agent current then: another fetch's failure may have retired the last one.
    const used = new Set<Agent>();
    const nextAgent = () => {
      const agent = agentFor(policy, limits);
      used.add(agent);
      return agent;
    };
    const outcome = await followRedirects(start, validators, nextAgent, ctx);
    if (outcome.status === 'error') for (const agent of used) retire(policy, limits, agent);
    return outcome;
  };
}

interface Attempt {
  limits: FetchLimits;
  /** Our own total deadline, kept apart from the caller's signal to tell a timeout from an abort. */
  deadline: AbortSignal;
  signal: AbortSignal;
}

async function followRedirects(
  start: URL,
  validators: Validators,
  nextAgent: () => Agent,
  ctx: Attempt,
): Promise<FetchOutcome> {
  const visited = new Set([start.href]);
  let current = start;
  let everyHopPermanent = true;
  for (let redirects = 0; ; redirects++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await requestOnFreshIfStale(nextAgent, {
        origin: current.origin,
        path: current.pathname + current.search,
        method: 'GET',
        headers: requestHeaders(current, validators, ctx.limits),
        signal: ctx.signal,
      }, ctx);
    } catch (err) {
      return failure(transportError(err, current, ctx));
    }
    // Only a target that answered through nothing but permanent redirects replaces the stored URL.
    const permanentUrl = redirects > 0 && everyHopPermanent ? current.href : null;
    const location = header(response.headers, 'location');
    if (!REDIRECTS.has(response.statusCode) || location === null) {
      return finishResponse(response, current, permanentUrl, ctx);
    }
    await discard(response);
    if (redirects >= ctx.limits.maxRedirects) {
      const message = `GET ${redactUrl(start)}: more than ${ctx.limits.maxRedirects} redirects`;
      return failure({ kind: 'redirect', message });
    }
    const next = resolveLocation(location, current);
    if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      const message = `GET ${redactUrl(current)}: redirect to ${location}, which is not an http(s) URL`;
      return failure({ kind: 'unsupported-scheme', message });
    }
    if (visited.has(next.href)) {
      return failure({ kind: 'redirect', message: `GET ${redactUrl(start)}: redirect loop back to ${redactUrl(next)}` });
    }
    visited.add(next.href);
    everyHopPermanent &&= PERMANENT_REDIRECTS.has(response.statusCode);
    current = next;
  }
}

// A server may close a kept-alive connection just as a request goes out on it: the request fails
// before any response, with the socket closed or reset. A GET is safe to send again, once; the
// pool has dropped that socket, so the second try goes out on another connection.
const STALE_CONNECTION_ERRORS = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function requestOnFreshIfStale(
  nextAgent: () => Agent,
  options: Dispatcher.RequestOptions,
  ctx: Attempt,
): Promise<Dispatcher.ResponseData> {
  try {
    return await nextAgent().request(options);
  } catch (err) {
    const code = errorCode(err);
    if (ctx.signal.aborted || code === null || !STALE_CONNECTION_ERRORS.has(code)) throw err;
    return nextAgent().request(options);
  }
}

function requestHeaders(url: URL, validators: Validators, limits: FetchLimits): Record<string, string> {
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
    'user-agent': limits.userAgent,
  };
  // Private feeds carry Basic credentials in their URL. A relative redirect keeps them (URL
  // resolution inherits userinfo); a redirect to another origin drops them, as browsers do.
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeUserinfo(url.username)}:${decodeUserinfo(url.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  if (validators.etag !== null) headers['if-none-match'] = validators.etag;
  if (validators.lastModified !== null) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

async function finishResponse(
  response: Dispatcher.ResponseData,
  url: URL,
  permanentUrl: string | null,
  ctx: Attempt,
): Promise<FetchOutcome> {
  const status = response.statusCode;
  const fresh = freshForSeconds({
    cacheControl: header(response.headers, 'cache-control'), expires: header(response.headers, 'expires'),
    date: header(response.headers, 'date'), age: header(response.headers, 'age'),
  });
  if (status === 304) {
    await discard(response);
    return { status: 'not-modified', httpStatus: 304, finalUrl: url.href, permanentUrl, freshForSeconds: fresh };
  }
  if (status < 200 || status > 299) {
    await discard(response);
    return failure(statusError(status, url), retryAfterFor(status, response.headers), permanentUrl);
  }
  let body: Buffer;
  try {
    body = await readResponseBody(response, ctx.limits.maxBytes, ctx.signal);
  } catch (err) {
    return failure(transportError(err, url, ctx), null, permanentUrl);
  }
  return {
    status: 'ok',
    httpStatus: status,
    body,
    contentType: header(response.headers, 'content-type'),
    etag: header(response.headers, 'etag'),
    lastModified: header(response.headers, 'last-modified'),
    finalUrl: url.href,
    permanentUrl,
    freshForSeconds: fresh,
    websubLinks: websubLinksOfHeader(header(response.headers, 'link'), url.href),
  };
}

function statusError(status: number, url: URL): FeedError {
  const message = `GET ${redactUrl(url)}: HTTP ${status}`;
  if (status === 410) return { kind: 'gone', message, httpStatus: status };
  if (status === 429 || status === 503) return { kind: 'rate-limited', message, httpStatus: status };
  return { kind: 'http', message, httpStatus: status };
}

function retryAfterFor(status: number, headers: IncomingHttpHeaders): number | null {
  if (status !== 429 && status !== 503) return null;
  return parseRetryAfter(header(headers, 'retry-after'), new Date());
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // A date always names its month or weekday; this keeps Date.parse from reading '-5' as a year.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Feeds from the config file may be local files; the byte limit still applies. */
async function readFeedFile(url: URL, validators: Validators, ctx: Attempt): Promise<FetchOutcome> {
  try {
    const read = await readFileLimited(fileURLToPath(url), validators.lastModified, ctx.limits.maxBytes, ctx.signal);
    if (!read.changed) return { status: 'not-modified', httpStatus: 304, finalUrl: url.href, permanentUrl: null, freshForSeconds: null };
    const { body, lastModified } = read;
    return {
      status: 'ok', httpStatus: 200, body, contentType: null, etag: null, lastModified, finalUrl: url.href, permanentUrl: null, freshForSeconds: null,
      websubLinks: { hubUrl: null, selfUrl: null },
    };
  } catch (err) {
    const error = transportError(err, url, ctx);
    return failure({ ...error, message: error.message.replace(/^GET /, 'read ') });
  }
}

/** Name what went wrong below HTTP: deadline, byte limit, address guard or the network. */
function transportError(err: unknown, url: URL, ctx: Attempt): FeedError {
  const where = `GET ${redactUrl(url)}`;
  if (err instanceof TooLargeError) {
    return { kind: 'too-large', message: `${where}: body over ${err.maxBytes} bytes` };
  }
  if (ctx.deadline.aborted) {
    return { kind: 'timeout', message: `${where}: no complete response within ${ctx.limits.timeoutMs} ms` };
  }
  if (ctx.signal.aborted) return { kind: 'timeout', message: `${where}: aborted before the response was complete` };
  const blocked = err instanceof Error && err.cause instanceof BlockedAddressError ? err.cause : err;
  if (blocked instanceof BlockedAddressError) {
    return { kind: 'blocked-address', message: `${where}: refused to connect, ${blocked.message}` };
  }
  const code = errorCode(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { kind: 'timeout', message: `${where}: no connection within ${ctx.limits.connectTimeoutMs} ms` };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', message: `${where}: no complete response within ${ctx.limits.timeoutMs} ms` };
  }
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== null) return { kind: 'network', message: `${where}: ${detail} (${code})` };
  return { kind: 'internal', message: `${where}: ${detail}` };
}

function errorCode(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}

function failure(
  error: FeedError,
  retryAfterSeconds: number | null = null,
  permanentUrl: string | null = null,
): FetchOutcome {
  return { status: 'error', error, retryAfterSeconds, permanentUrl };
}

function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray '%' that is not an escape: take it literally
  }
}

function resolveLocation(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}
