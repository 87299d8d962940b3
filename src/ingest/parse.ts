import type { FeedError, ParsedFeed } from '../model.js';
import { decodeBodyChunks } from './decode.js';
import { entryMarkupHash, feedContextOf } from './entry-markup.js';
import { readAtom } from './formats/atom.js';
import { isJsonFeed, readJsonFeed } from './formats/json.js';
import { type RawFeed, withEntries, type XmlRawFeed } from './formats/raw.js';
import { readRdf } from './formats/rdf.js';
import { readRss } from './formats/rss.js';
import { parseXml, type XmlElement } from './formats/xml.js';
import { type DraftFeed, draftEntry, draftFeed, draftFeedFacts, type ItemDraft, normalizeFeed } from './normalize.js';

export type ParseResult = { ok: true; feed: ParsedFeed } | { ok: false; error: FeedError };
export type DraftResult = { ok: true; feed: DraftFeed } | { ok: false; error: FeedError };

/**
 * An entry of a document: read into a draft, with its markup hash (entry-markup.ts; null in a JSON
 * Feed), or recognized by that hash as a stored entry, of which only the identity is known unless
 * it is read after all (`readAgain`: when another entry of the document claims its identity).
 */
export type EntryRead = { draft: ItemDraft; markupHash: string | null } | { draft: null; identity: string; readAgain: () => ItemDraft };

export type EntriesResult = { ok: true; feed: Omit<DraftFeed, 'items'>; entries: EntryRead[] } | { ok: false; error: FeedError };

type ReadDocument = { kind: 'json'; raw: RawFeed } | { kind: 'xml'; feed: XmlRawFeed; entityDeclarations: string };

type DocumentResult = { ok: true; document: ReadDocument } | { ok: false; message: string };

type Source = { url: string; contentType: string | null };

/**
 * Bytes of a feed document → a normalized feed: decode, sniff the format, parse, normalize.
 * Never throws; an unreadable document is a 'parse' error naming what was wrong.
 */
export function parseFeed(body: Buffer, source: Source): ParseResult {
  return read(body, source, (document) => normalizeFeed(rawFeedOf(document)));
}

/** Like parseFeed, but entries keep their content unsanitized until finishItem (see ItemDraft). */
export function parseFeedDrafts(body: Buffer, source: Source): DraftResult {
  return read(body, source, (document) => draftFeed(rawFeedOf(document)));
}

/**
 * Like parseFeedDrafts, in document order, but an entry whose markup hash is a key of `stored`
 * (markup hash → identity of the stored entry) is not read: it comes back as that identity.
 */
export function parseFeedEntries(body: Buffer, source: Source, stored: ReadonlyMap<string, string>): EntriesResult {
  const result = read(body, source, (document) => entriesOf(document, stored));
  return result.ok ? { ok: true, ...result.feed } : result;
}

function rawFeedOf(document: ReadDocument): RawFeed {
  return document.kind === 'json' ? document.raw : withEntries(document.feed);
}

function entriesOf(document: ReadDocument, stored: ReadonlyMap<string, string>): { feed: Omit<DraftFeed, 'items'>; entries: EntryRead[] } {
  if (document.kind === 'json') {
    const { raw } = document;
    return { feed: draftFeedFacts(raw), entries: raw.entries.map((entry) => ({ draft: draftEntry(entry, raw), markupHash: null })) };
  }
  const { feed, entityDeclarations } = document;
  const context = feedContextOf(feed, entityDeclarations);
  const entries: EntryRead[] = [];
  for (const element of feed.entryElements) {
    const markupHash = entryMarkupHash(element, context);
    const identity = stored.get(markupHash);
    entries.push(identity === undefined
      ? { draft: draftEntry(feed.readEntry(element), feed), markupHash }
      : { draft: null, identity, readAgain: () => draftEntry(feed.readEntry(element), feed) });
  }
  return { feed: draftFeedFacts(feed), entries };
}

function read<T>(body: Buffer, source: Source, normalize: (document: ReadDocument) => T):
  { ok: true; feed: T } | { ok: false; error: FeedError } {
  try {
    const decoded = decodeBodyChunks(body, source.contentType);
    if (!decoded.ok) return failure(decoded.message);
    const document = readDocument(decoded.chunks, source.url, decoded.mayHoldForbidden);
    if (!document.ok) return failure(document.message);
    return { ok: true, feed: normalize(document.document) };
  } catch (error) {
    return failure(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function failure(message: string): { ok: false; error: FeedError } {
  return { ok: false, error: { kind: 'parse', message } };
}

function readDocument(chunks: string[], url: string, mayHoldForbidden: boolean): DocumentResult {
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

function readJson(text: string, url: string): DocumentResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
  }
  if (!isJsonFeed(document)) return { ok: false, message: 'JSON document is not a JSON Feed (no jsonfeed.org "version")' };
  return { ok: true, document: { kind: 'json', raw: readJsonFeed(document, url) } };
}

function readXmlFeed(chunks: string[], url: string, mayHoldForbidden: boolean): DocumentResult {
  const parsed = parseXml(chunks, url, { mayHoldForbidden });
  if (!parsed.ok) return { ok: false, message: `not well-formed XML: ${parsed.message}` };
  const root = findFeedRoot(parsed.root);
  if (!root) {
    return { ok: false, message: `no feed root: the document element is <${parsed.root.name}>, not <rss>, <rdf:RDF> or <feed>` };
  }
  return { ok: true, document: { kind: 'xml', feed: FEED_ROOTS[root.name]!(root), entityDeclarations: parsed.entityDeclarations } };
}

const FEED_ROOTS: Record<string, (root: XmlElement) => XmlRawFeed> = {
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
