import { createHash, type Hash } from 'node:crypto';
import type { ItemDraft } from './normalize.js';

// What makes an entry "changed": any field a reader sees, content as the feed wrote it (so an
// unchanged entry is recognised before its content is sanitized). Dates alone flapping count too.

/** Starts every hash of the current format; a stored hash without it is a legacyEntryHash. */
const FORMAT = 'e2:';

function text(hash: Hash, value: string | null): void {
  // Each value is written with its length, so no two different entries give the same bytes.
  if (value === null) hash.update('-');
  else hash.update(`${value.length}:`).update(value);
}

function texts(hash: Hash, values: readonly string[]): void {
  hash.update(`${values.length}[`);
  for (const value of values) text(hash, value);
}

/**
 * The change hash of a draft: sha256 over its fields, each hashed where it lies. A JSON
 * serialization of the fields first cost a copy of the entry and half of the hash's time.
 */
export function entryHash(item: ItemDraft): string {
  const hash = createHash('sha256');
  text(hash, item.title);
  text(hash, item.url);
  text(hash, item.summary);
  text(hash, item.content?.value ?? null);
  text(hash, item.content?.base ?? null);
  texts(hash, item.authors);
  texts(hash, item.categories);
  text(hash, item.publishedAt);
  text(hash, item.updatedAt);
  hash.update(`${item.enclosures.length}[`);
  for (const enclosure of item.enclosures) {
    text(hash, enclosure.url);
    text(hash, enclosure.type);
    text(hash, enclosure.length === null ? null : String(enclosure.length));
  }
  return FORMAT + hash.digest('hex');
}

/** The change hash entries were stored with before entryHash: sha256 of the fields as JSON. */
export function legacyEntryHash(item: ItemDraft): string {
  return createHash('sha256').update(JSON.stringify([item.title, item.url, item.summary, item.content?.value ?? null,
    item.content?.base ?? null, item.authors, item.categories, item.publishedAt, item.updatedAt, item.enclosures])).digest('hex');
}

/**
 * Whether a draft is what was stored under `stored` (undefined: nothing stored). A hash of the
 * earlier format is compared in that format, so entries stored before it are not all taken for
 * changed ones the first time their feed is read again.
 */
export function isUnchanged(stored: string | undefined, item: ItemDraft, hash: string): boolean {
  if (stored === undefined) return false;
  return stored.startsWith(FORMAT) ? stored === hash : stored === legacyEntryHash(item);
}
