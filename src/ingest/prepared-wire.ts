import type { Enclosure, Item } from '../model.js';
import type { PreparedEntry, PrepareResult } from './prepare.js';

/**
 * A prepared feed as a worker posts it: its entries' strings in one array and their counts in one
 * typed array, in place of ~12 objects an entry. Structured cloning writes every property's name
 * beside its value and, on the receiving thread, reads each name back and builds each object
 * property by property. Over 100 prepared feeds of the bench (1,000 topics, ~9 matches an entry),
 * best of 15 passes, four rounds: posting took 8.5–11.3 µs an item as objects, and 5.7–7.6 as
 * arrays after 0.7–0.8 to encode them; receiving, 17.0–21.6 as objects, and 9.8–13.6 as arrays
 * before 0.6 to decode them.
 */
export type PreparedWire =
  | Exclude<PrepareResult, { ok: true }>
  | (Omit<Extract<PrepareResult, { ok: true }>, 'entries'> & { entries: EncodedEntries });

/**
 * Per entry, in `text`: the TEXT_FIELDS, then its authors, its categories, and for each match the
 * topic's slug followed by its terms. In `counts`: COUNT_FIELDS numbers, then each match's number
 * of terms. `enclosures`: each entry's, null for none (most entries), one an entry: their count is
 * the entries'.
 */
export interface EncodedEntries {
  text: (string | null)[];
  counts: Int32Array;
  enclosures: (Enclosure[] | null)[];
}

/** An entry's fields that are one string each (or null), in the order they travel. */
type TextFields = [
  identity: string, guid: string | null, url: string | null, title: string, summary: string, contentHtml: string,
  publishedAt: string | null, updatedAt: string | null, language: string | null,
  contentHash: string, markupHash: string | null, storyLead: string,
];
// Typed by the tuple: a field added to it and not counted here does not compile.
const TEXT_FIELDS: TextFields['length'] = 12;
/** Authors, categories, sanitizedWith (-1 for none), matches. */
const COUNT_FIELDS = 4;

export function encodePrepared(result: PrepareResult): PreparedWire {
  if (!result.ok) return result;
  const { entries, ...rest } = result;
  return { ...rest, entries: encodeEntries(entries) };
}

/** Never throws: a result that does not decode is its feed's error, as one the worker could not prepare. */
export function decodePrepared(wire: PreparedWire): PrepareResult {
  if (!wire.ok) return wire;
  try {
    const { entries, ...rest } = wire;
    return { ...rest, entries: decodeEntries(entries) };
  } catch (error) {
    return { ok: false, error: { kind: 'internal', message: `reading a prepared feed: ${(error as Error).message}` } };
  }
}

function encodeEntries(entries: PreparedEntry[]): EncodedEntries {
  let textLength = 0;
  let countLength = 0;
  for (const { item, matches } of entries) {
    textLength += TEXT_FIELDS + item.authors.length + item.categories.length + matches.length;
    countLength += COUNT_FIELDS + matches.length;
    for (const match of matches) textLength += match.terms.length;
  }
  const text = new Array<string | null>(textLength);
  const counts = new Int32Array(countLength);
  const enclosures = new Array<Enclosure[] | null>(entries.length);
  let t = 0;
  let c = 0;
  for (let i = 0; i < entries.length; i++) {
    const { item, contentHash, markupHash, matches, storyLead } = entries[i]!;
    const fields: TextFields = [
      item.identity, item.guid, item.url, item.title, item.summary, item.contentHtml, item.publishedAt, item.updatedAt,
      item.language, contentHash, markupHash, storyLead,
    ];
    for (const field of fields) text[t++] = field;
    for (const author of item.authors) text[t++] = author;
    for (const category of item.categories) text[t++] = category;
    counts[c++] = item.authors.length;
    counts[c++] = item.categories.length;
    counts[c++] = item.sanitizedWith ?? -1;
    counts[c++] = matches.length;
    for (const { slug, terms } of matches) {
      text[t++] = slug;
      counts[c++] = terms.length;
      for (const term of terms) text[t++] = term;
    }
    enclosures[i] = item.enclosures.length > 0 ? item.enclosures : null;
  }
  return { text, counts, enclosures };
}

function decodeEntries({ text, counts, enclosures }: EncodedEntries): PreparedEntry[] {
  const entries = new Array<PreparedEntry>(enclosures.length);
  // Read by position: each field is written once, where encodeEntries put it.
  let t = 0;
  let c = 0;
  const strings = (n: number) => {
    const list = text.slice(t, t + n);
    t += n;
    return list;
  };
  for (let i = 0; i < entries.length; i++) {
    const [identity, guid, url, title, summary, contentHtml, publishedAt, updatedAt, language, contentHash, markupHash, storyLead] =
      strings(TEXT_FIELDS) as TextFields;
    const authorCount = counts[c++]!;
    const categoryCount = counts[c++]!;
    const sanitizedWith = counts[c++]!;
    const matchCount = counts[c++]!;
    const authors = strings(authorCount) as string[];
    const categories = strings(categoryCount) as string[];
    // The fields in the order normalize.ts builds an Item: one shape for every entry, either thread.
    const item: Item = {
      identity, guid, url, title, summary, contentHtml, authors, categories, publishedAt, updatedAt, language,
      enclosures: enclosures[i] ?? [],
    };
    if (sanitizedWith >= 0) item.sanitizedWith = sanitizedWith;
    const matches = new Array<{ slug: string; terms: string[] }>(matchCount);
    for (let m = 0; m < matchCount; m++) {
      const slug = text[t++] as string;
      matches[m] = { slug, terms: strings(counts[c++]!) as string[] };
    }
    entries[i] = { item, contentHash, markupHash, matches, storyLead };
  }
  return entries;
}
