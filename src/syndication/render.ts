import { createHash, hash } from 'node:crypto';
import { atomEntry, atomFrame } from './atom.js';
import type { FeedDocument, FeedEntry, FeedFormat, FeedFrame, FeedHeader } from './document.js';
import { jsonEntry, jsonFrame } from './json.js';
import { rssEntry, rssFrame } from './rss.js';

export type { AlsoReportedBy, FeedDocument, FeedEntry, FeedFormat, FeedHeader } from './document.js';

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

const FORMATS: Record<FeedFormat, { frame(doc: FeedHeader): FeedFrame; entry(entry: FeedEntry): string }> = {
  rss: { frame: rssFrame, entry: rssEntry },
  atom: { frame: atomFrame, entry: atomEntry },
  json: { frame: jsonFrame, entry: jsonEntry },
};

/** One topic feed as a document in the asked format. Pure: same document, same bytes. */
export function renderFeed(format: FeedFormat, doc: FeedDocument): string {
  const frame = FORMATS[format].frame(doc);
  if (doc.entries.length === 0) return frame.empty;
  return frame.head + doc.entries.map((entry) => FORMATS[format].entry(entry)).join(frame.separator) + frame.tail;
}

/**
 * One entry as a page holds it, as UTF-8: an entry reads the same on every page and at every
 * position, so a page can be put together from entries rendered before (feedPage).
 */
export function entryBytes(format: FeedFormat, entry: FeedEntry): Buffer {
  return Buffer.from(FORMATS[format].entry(entry), 'utf8');
}

/** The frame's pieces a page of `count` entries uses, as UTF-8: [empty], or [head, separator, tail]. */
function encodedFrame(frame: FeedFrame, count: number): Buffer[] {
  const used = count === 0 ? [frame.empty] : [frame.head, frame.separator, frame.tail];
  return used.map((piece) => Buffer.from(piece, 'utf8'));
}

function pieces(framing: Buffer[], entries: Buffer[]): Buffer[] {
  if (entries.length === 0) return framing;
  const [head, separator, tail] = framing as [Buffer, Buffer, Buffer];
  const parts: Buffer[] = [head];
  entries.forEach((entry, index) => {
    if (index > 0 && separator.length > 0) parts.push(separator);
    parts.push(entry);
  });
  parts.push(tail);
  return parts;
}

/** An entry as a page holds it: its bytes (entryBytes), and their SHA-256 for the page's digest. */
export interface RenderedEntry {
  bytes: Buffer;
  digest: Buffer;
}

/** entryBytes, with their digest. crypto.hash, not a Hash object: ~1 µs less an entry, 50 a page rendered from scratch. */
export function renderEntry(format: FeedFormat, entry: FeedEntry): RenderedEntry {
  const bytes = entryBytes(format, entry);
  return { bytes, digest: hash('sha256', bytes, 'buffer') };
}

/**
 * A page as the pieces it is made of, and a SHA-256 digest that is the same only for the same
 * bytes. Joined, the parts are its bytes; a server can write them as they are: joining a page into
 * one buffer allocates 150-375 KB outside V8's heap, which V8 counts against its limits until the
 * next scavenge frees it (see http/feed-cache.ts).
 */
export interface FeedPage {
  parts: Buffer[];
  digest: Buffer;
}

/**
 * The document with the rendered entries, in order, and its digest: SHA-256 over the frame's pieces,
 * each with its length, and the entries' digests in order. The pieces and the entries make the
 * bytes, so two pages have the same digest only if they have the same bytes, as with a hash of
 * the whole body; but a page put together from entries rendered before hashes ~2 KB rather than
 * its ~130 KB. A page of 50 at 1,000,000 items, from entries kept: 0.47-0.48 → 0.43-0.44 ms of
 * CPU a render; from scratch, where each entry is hashed on its own, 1.18-1.21 → 1.34-1.38 ms.
 * Each entry is rendered once, and its pages again from it after every ingest pass that touches them.
 */
export function feedPage(format: FeedFormat, doc: FeedHeader, entries: RenderedEntry[]): FeedPage {
  const framing = encodedFrame(FORMATS[format].frame(doc), entries.length);
  const digest = createHash('sha256');
  for (const piece of framing) digest.update(`${piece.length}:`).update(piece);
  digest.update(`${entries.length}[`);
  for (const entry of entries) digest.update(entry.digest);
  return { parts: pieces(framing, entries.map((entry) => entry.bytes)), digest: digest.digest() };
}

/**
 * renderFeed's document as UTF-8 bytes, encoded piece by piece: a page of 50 entries with full
 * articles is 150-375 KB, and as one string over 128 KB V8 keeps it in its large-object space, on
 * pages mapped for it alone, which the kernel zero-fills at every render. A 332 KB document on the
 * 2-core VM measured: 3.0 ms and 158 fresh pages as one string, 0.6 ms and 2 in pieces (an entry
 * each); the 153 KB page of the 1,000,000-item bench database, rendered and encoded: 1.55 against
 * 1.10 ms (p50).
 */
export function renderFeedBytes(format: FeedFormat, doc: FeedDocument): Buffer {
  return Buffer.concat(feedPage(format, doc, doc.entries.map((entry) => renderEntry(format, entry))).parts);
}
