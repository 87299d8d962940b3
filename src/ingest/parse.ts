import type { FeedError, ParsedFeed } from '../model.js';
import { decodeBodyChunks } from './decode.js';
import { readAtom } from './formats/atom.js';
import { isJsonFeed, readJsonFeed } from './formats/json.js';
import type { RawFeed } from './formats/raw.js';
import { readRdf } from './formats/rdf.js';
import { readRss } from './formats/rss.js';
import { parseXml, type XmlElement } from './formats/xml.js';
import { type DraftFeed, draftFeed, normalizeFeed } from './normalize.js';

export type ParseResult = { ok: true; feed: ParsedFeed } | { ok: false; error: FeedError };
export type DraftResult = { ok: true; feed: DraftFeed } | { ok: false; error: FeedError };

type RawResult = { ok: true; raw: RawFeed } | { ok: false; message: string };

/**
 * Bytes of a feed document → a normalized feed: decode, sniff the format, parse, normalize.
 * Never throws; an unreadable document is a 'parse' error naming what was wrong.
 */
export function parseFeed(body: Buffer, source: { url: string; contentType: string | null }): ParseResult {
  return read(body, source, normalizeFeed);
}

/** Like parseFeed, but entries keep their content unsanitized until finishItem (see ItemDraft). */
export function parseFeedDrafts(body: Buffer, source: { url: string; contentType: string | null }): DraftResult {
  return read(body, source, draftFeed);
}

function read<T>(body: Buffer, source: { url: string; contentType: string | null }, normalize: (raw: RawFeed) => T):
  { ok: true; feed: T } | { ok: false; error: FeedError } {
  try {
    const decoded = decodeBodyChunks(body, source.contentType);
    if (!decoded.ok) return failure(decoded.message);
    const raw = readDocument(decoded.chunks, source.url, decoded.mayHoldForbidden);
    if (!raw.ok) return failure(raw.message);
    return { ok: true, feed: normalize(raw.raw) };
  } catch (error) {
    return failure(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function failure(message: string): { ok: false; error: FeedError } {
  return { ok: false, error: { kind: 'parse', message } };
}

function readDocument(chunks: string[], url: string, mayHoldForbidden: boolean): RawResult {
  const first = firstVisibleCharacter(chunks);
  if (first === null) return { ok: false, message: 'empty document' };
  if (first === '{' || first === '[') return readJson(chunks.join(''), url);
  return readXmlFeed(chunks, url, mayHoldForbidden);
}

function firstVisibleCharacter(chunks: string[]): string | null {
  for (const chunk of chunks) {
    const start = chunk.search(/\S/);
    if (start !== -1) return chunk[start] as string;
  }
  return null;
}

function readJson(text: string, url: string): RawResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isJsonFeed(document)) return { ok: false, message: 'JSON document is not a JSON Feed (no jsonfeed.org "version")' };
  return { ok: true, raw: readJsonFeed(document, url) };
}

function readXmlFeed(chunks: string[], url: string, mayHoldForbidden: boolean): RawResult {
  const parsed = parseXml(chunks, url, { mayHoldForbidden });
  if (!parsed.ok) return { ok: false, message: `not well-formed XML: ${parsed.message}` };
  const root = findFeedRoot(parsed.root);
  if (!root) {
    return { ok: false, message: `no feed root: the document element is <${parsed.root.name}>, not <rss>, <rdf:RDF> or <feed>` };
  }
  return { ok: true, raw: FEED_ROOTS[root.name]!(root) };
}

const FEED_ROOTS: Record<string, (root: XmlElement) => RawFeed> = {
  rss: readRss,
  'rdf:rdf': readRdf,
  // RSS 1.0 written without its namespaces.
  rdf: readRdf,
  'atom:feed': readAtom,
  feed: readAtom,
};

// Some sites wrap the feed in an XHTML page; the first feed element near the top still counts.
function findFeedRoot(element: XmlElement, depth = 0): XmlElement | null {
  if (Object.hasOwn(FEED_ROOTS, element.name)) return element;
  if (depth >= 3) return null;
  for (const candidate of element.children) {
    const found = findFeedRoot(candidate, depth + 1);
    if (found) return found;
  }
  return null;
}
