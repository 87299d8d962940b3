import type { XmlRawFeed } from './formats/raw.js';
import { rawInnerMarkup, type XmlElement } from './formats/xml.js';
import { xxh64Text } from './xxh64.js';

// An entry's markup hash: XXH64 of its element as the document wrote it and of everything its
// reading takes from outside the element. A changed feed mostly repeats entries already stored;
// one whose hash a stored entry has is that entry, unchanged, and is not read into a draft at all
// (ingest/prepare.ts). Its content hash (entry-hash.ts) still decides for every entry read.

/**
 * Bumped whenever reading or drafting an entry changes what the same markup yields (formats/,
 * normalize.ts, identity.ts, dates.ts): an entry recognized by its markup keeps what the code
 * that stored it read. A new version makes every stored hash a stranger: each entry is read once
 * more, compared by its content hash, and given a hash of the new version (ingest/prepare.ts).
 * test/ingest/entry-markup.test.ts holds the drafts of the fixtures to this version.
 */
export const ENTRY_READER_VERSION = 1;

const FORMAT = `m${ENTRY_READER_VERSION}:`;

/** Whether a stored markup hash was taken by this version of the reader. */
export function isCurrentMarkupHash(hash: string): boolean {
  return hash.startsWith(FORMAT);
}

// Each value is written with its length, so no two different inputs give the same text.
const field = (value: string | null): string => (value === null ? '-' : `${value.length}:${value}`);

/**
 * What an entry's reading takes from the document around it, besides what its element holds: the
 * format it is read as, the feed's language (an entry without one takes it), and the DOCTYPE's
 * entity declarations (its text was decoded with them).
 */
export function feedContextOf(feed: Pick<XmlRawFeed, 'format' | 'language'>, entityDeclarations: string): string {
  return field(feed.format) + field(feed.language) + field(entityDeclarations);
}

// Elements share their scope's map until one declares a namespace: each map is written out once.
const scopes = new WeakMap<ReadonlyMap<string, string>, string>();

function scopeText(namespaces: ReadonlyMap<string, string>): string {
  let text = scopes.get(namespaces);
  if (text === undefined) {
    text = `${namespaces.size}[`;
    for (const [prefix, uri] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) text += field(prefix) + field(uri);
    scopes.set(namespaces, text);
  }
  return text;
}

/**
 * The entry element's markup hash in `feedContext` (feedContextOf): its name and attributes, the
 * xml:base, xml:lang and namespaces in effect at it, and the markup between its tags as written.
 */
export function entryMarkupHash(element: XmlElement, feedContext: string): string {
  xxh64Text.start();
  let head = feedContext + field(element.name) + field(element.base) + field(element.lang) + scopeText(element.namespaces);
  const names = Object.keys(element.attrs);
  head += `${names.length}[`;
  for (const name of names) head += field(name) + field(element.attrs[name] as string);
  const markup = rawInnerMarkup(element);
  xxh64Text.add(`${head}${markup.length}:`);
  xxh64Text.add(markup);
  return FORMAT + xxh64Text.hex();
}
