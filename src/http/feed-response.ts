import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import accepts from 'accepts';
import type { FeedFormat } from '../syndication/render.js';
import type { Coding, RenderedFeed } from './feed-cache.js';
import { addVary } from './cors.js';

/*
 * How a rendered feed goes out: headers, conditional requests and content coding. Shared by the
 * feed routes (syndication.ts) and the lane that answers cached polls ahead of the app
 * (feed-lane.ts), so both answer byte for byte alike.
 */

const FORMATS: Record<string, FeedFormat> = { rss: 'rss', atom: 'atom', json: 'json' };

/** "nato.rss" -> { name: "nato", format: "rss" }; null for any other extension. */
export function splitFile(file: string): { name: string; format: FeedFormat } | null {
  const dot = file.lastIndexOf('.');
  const format = dot > 0 ? FORMATS[file.slice(dot + 1)] : undefined;
  return format ? { name: file.slice(0, dot), format } : null;
}

/** The feed cache's key of one page of a feed. */
export function feedCacheKey(path: string, format: FeedFormat, query: { limit: number; before?: string | undefined }): string {
  return `${path}.${format}?${query.limit}&${query.before ?? ''}`;
}

// Browsers run scripts in XHTML-namespaced XML: a feed must never be a document that can act.
function setFeedHeaders(res: ServerResponse, contentType: string, maxAge: number): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  addVary(res, 'Accept-Encoding');
}

/**
 * RFC 9110 §13.2.2 as an origin server applies it. Express's req.fresh is a cache's rule and
 * answers 200 to any request with Cache-Control: no-cache, which fetch() adds to every
 * conditional request; an origin must still say 304 when the validators match.
 */
export function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const noneMatch = req.headers['if-none-match'];
  if (noneMatch !== undefined) {
    const weak = (tag: string) => tag.trim().replace(/^W\//, '');
    return noneMatch.trim() === '*' || noneMatch.split(',').some((tag) => weak(tag) === weak(etag));
  }
  const since = req.headers['if-modified-since'];
  if (since === undefined) return false;
  const sinceMs = Date.parse(since);
  return !Number.isNaN(sinceMs) && lastModified.getTime() <= sinceMs;
}

/** The body as one buffer: joined once, then kept with the feed. */
function wholeBody(feed: RenderedFeed): Buffer {
  if (feed.parts.length === 1) return feed.parts[0]!;
  feed.joined ??= Buffer.concat(feed.parts, feed.length);
  return feed.joined;
}

const compressGzip = promisify(gzip);
const compressBrotli = promisify(brotliCompress);

/**
 * The body in the coding, compressed once and kept. Compressed on libuv's thread pool, not on the
 * event loop: gzip takes ~2.5 ms for the 129 KB page of the 1,000,000-item bench database and ~7 ms
 * for a 362 KB one, and a reader's every poll asks for gzip, so each page that changed in an ingest
 * pass would hold up every other request for that long. Requests for the page that come while it is
 * compressed wait on the same compression.
 */
function encodeBody(feed: RenderedFeed, coding: Coding): Promise<Buffer> {
  let pending = feed.encoding[coding];
  if (!pending) {
    const whole = wholeBody(feed);
    // One output chunk the size of the input: the compression goes to the thread pool once, not
    // once per 16 KB of output.
    const chunkSize = Math.max(zlibConstants.Z_MIN_CHUNK, whole.length);
    const compressed = coding === 'br'
      ? compressBrotli(whole, { chunkSize, params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: whole.length } })
      : compressGzip(whole, { level: 6, chunkSize });
    pending = compressed.then(
      (body) => {
        feed.encoded[coding] = body;
        return body;
      },
      (error: unknown) => {
        delete feed.encoding[coding]; // the next request tries again
        throw error;
      },
    );
    feed.encoding[coding] = pending;
  }
  return pending;
}

/**
 * A feed's first answer writes the pieces it was put together from; a feed asked for again (one
 * kept in the cache) is joined once and written whole, one write a request. Joining every render
 * allocated a 134 KB buffer outside V8's heap at each one: a render on every request at 1,000,000
 * items, 2,000 requests twice each way, took 15 full collections against 8 written in pieces, p99
 * 6.0-7.0 against 5.4-5.5 ms.
 */
function endWithBody(feed: RenderedFeed, res: ServerResponse): void {
  feed.answers++;
  if (feed.answers > 1 || feed.parts.length === 1) {
    res.end(wholeBody(feed));
    return;
  }
  res.cork();
  for (const part of feed.parts) res.write(part);
  res.end();
}

// A reader sends the same Accept-Encoding on every poll: each distinct header is negotiated once.
const CODINGS_REMEMBERED = 100;
const codings = new Map<string, Coding | null>();

function codingFor(req: IncomingMessage): Coding | null {
  const header = req.headers['accept-encoding'] ?? '';
  let coding = codings.get(header);
  if (coding === undefined) {
    const chosen = accepts(req).encodings(['br', 'gzip', 'identity']);
    coding = chosen === 'br' || chosen === 'gzip' ? chosen : null;
    if (codings.size >= CODINGS_REMEMBERED) codings.clear();
    codings.set(header, coding);
  }
  return coding;
}

function sendBody(feed: RenderedFeed, res: ServerResponse, coding: Coding | null, encoded: Buffer | null): void {
  // Set before sending, so the compression middleware, were it ever in front, leaves the body alone.
  if (coding) res.setHeader('Content-Encoding', coding);
  res.setHeader('Content-Length', encoded ? encoded.length : feed.length);
  res.statusCode = 200;
  // Node sends no body to a HEAD request, and keeps Content-Length.
  if (encoded) res.end(encoded);
  else endWithBody(feed, res);
}

/**
 * Answers with the feed: 304 when the reader's validators match, else the body in the best
 * coding the reader accepts (compressed once per feed and kept; the first requests for a coding
 * wait for it off the event loop). Ends the response directly: the body is final bytes, nothing
 * downstream has anything to add.
 */
export function sendFeed(feed: RenderedFeed, req: IncomingMessage, res: ServerResponse, maxAgeSeconds: number): void {
  setFeedHeaders(res, feed.contentType, maxAgeSeconds);
  res.setHeader('ETag', feed.etag);
  res.setHeader('Last-Modified', feed.lastModified.toUTCString());
  if (notModified(req, feed.etag, feed.lastModified)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const coding = codingFor(req);
  const encoded = coding ? feed.encoded[coding] : undefined;
  if (!coding || encoded) {
    sendBody(feed, res, coding, encoded ?? null);
    return;
  }
  const answer = (encodedNow: Buffer | null) => {
    if (res.destroyed) return; // the reader left while the body was compressed
    // Without a compressed body the reader gets the plain one, as from a server that cannot compress.
    sendBody(feed, res, encodedNow ? coding : null, encodedNow);
  };
  encodeBody(feed, coding)
    .then(answer, () => answer(null))
    // Only answering can fail here, part way through a response: nothing else can be sent.
    .catch(() => res.destroy());
}
