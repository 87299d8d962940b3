import { readUint32sLE, writeUint32sLE } from '../uint32-bytes.js';
import { FNV_OFFSET, FNV_PRIME, fmix32, fnvFrom, nestedMinHash } from './minhash.js';
import { isPlainSeparator, storyWords } from './normalize.js';

/*
 * A story's fingerprint: MinHash over word pairs (2-shingles) of its title and the lead of its
 * text, plus the number of distinct pairs, so two copies can be compared without their text.
 *
 * Only the lead (the first LEAD_WORDS words) counts: copies of a story agree most at the top and
 * drift further down (trimmed endings, appended boxes, "Read more"), and a copy cut after a few
 * paragraphs then fingerprints like the full text.
 *
 * Candidates are found through LSH band keys of two MinHashes: one over the same pairs as the
 * signature, and one over the title and only the first KEY_LEAD_WORDS words. The second one is
 * what brings a one-paragraph or description-only copy together with the full article: their
 * full pair sets overlap too little (Jaccard about 0.3) for bands to meet reliably, their openings
 * overlap a lot. isSameStory then decides on the full signature. Thresholds and the measurements
 * behind them: README.md.
 */

// Part of every serialized signature: bump when anything below changes, so new fingerprints never
// meet old ones (isSameStoredStory refuses other versions; band keys are only candidates).
const SIGNATURE_VERSION = 1;
const HASHES = 128;
const ROWS_PER_BAND = 4;
const LEAD_WORDS = 80;
/** How far into the text a fingerprint reads: LEAD_WORDS words of up to 40 characters (leadWords). */
const LEAD_CHARS = LEAD_WORDS * 40;
const KEY_HASHES = 96;
const KEY_ROWS_PER_BAND = 3;
const KEY_LEAD_WORDS = 30;
const BANDS = HASHES / ROWS_PER_BAND;
const KEY_BANDS = KEY_HASHES / KEY_ROWS_PER_BAND;

// Same-story tests, chosen on test/fixtures/story-pairs.json (figures in README.md): every copy
// scores containment >= 0.85 (and Jaccard >= 0.69 unless one copy is trimmed); different stories
// score at most 0.53 and 0.30. The cut-offs sit inside those gaps with room for MinHash's
// estimation error (a few hundredths at 128 hashes).
const SAME_JACCARD = 0.5;
const SAME_CONTAINMENT = 0.7;
/** Containment of a tiny set in a big one says little: a 4-pair brief is "contained" in many articles. */
const CONTAINMENT_MIN_PAIRS = 12;
/** Below this, even equal sets are too small to call one story ("Weather", "Morning briefing"). */
const MIN_PAIRS = 5;

/**
 * Band keys two items must share before the store reads one to compare signatures. On the
 * labelled pairs every same-story pair shares at least 6 of the 64 keys and different stories at
 * most 2. On generated news, 92% of the items any key offered shared only that one, all of them
 * other stories whose few common word pairs met in one band; reading them back took about a fifth
 * of the main thread's time at 1,000 feeds.
 */
export const STORY_MIN_SHARED_KEYS = 2;

/** Items are only compared with items published within this many hours of them (either side). */
export const STORY_WINDOW_HOURS = 48;

/** signature[0] is the number of distinct word pairs; signature[1..HASHES] the MinHash values. */
export interface StoryFingerprint {
  signature: Uint32Array;
  /** One 32-bit key per band: the band's rows and its number hashed together. */
  bandKeys: Uint32Array;
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

const SPACE = 0x20;

// Pair hashes: the base hash of each 2-shingle of a text's words ("a b", or the word alone when it
// is the only one), in order, each the hash of the joined string without building it. A word's
// hash alone is what the next pair goes on from, after a space.

/**
 * The pair hashes of the first `max` words of text[0, limit), into `into`, when every character up
 * to the end of the last of them (and the one after it) is ASCII or a plain separator
 * (isPlainSeparator: typographic quotes, dashes and spaces): normalizing would then change nothing
 * but case, so its words are its runs of ASCII letters and digits, lower-cased as they are hashed.
 * Returns how many words there were, or -1 (leaving `into` to be refilled) otherwise. Each word is
 * read once, for both of its hashes.
 */
function plainPairHashes(text: string, limit: number, max: number, into: number[]): number {
  const end = Math.min(text.length, limit);
  into.length = 0;
  let words = 0;
  // The word before's hash alone, unfinalized.
  let previous = 0;
  let i = 0;
  while (words < max && i < end) {
    let c = text.charCodeAt(i);
    if (!isAsciiWordChar(c)) {
      if (c >= 128 && !isPlainSeparator(c)) return -1;
      i++;
      continue;
    }
    let alone = FNV_OFFSET;
    let pair = Math.imul(previous ^ SPACE, FNV_PRIME);
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (!isAsciiWordChar(c)) break;
      if (c <= 90 && c >= 65) c += 32;
      alone = Math.imul(alone ^ c, FNV_PRIME);
      pair = Math.imul(pair ^ c, FNV_PRIME);
    }
    // A mark or letter right after the word could belong to it once normalized.
    if (i < end && text.charCodeAt(i) >= 128 && !isPlainSeparator(text.charCodeAt(i))) return -1;
    if (words > 0) into.push(fmix32(pair));
    previous = alone;
    words++;
  }
  if (words === 1) into.push(fmix32(previous));
  return words;
}

/** The pair hashes of words already normalized (storyWords), into `into`; returns how many words. */
function wordPairHashes(words: string[], into: number[]): number {
  into.length = 0;
  let previous = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (i > 0) into.push(fmix32(fnvFrom(Math.imul(previous ^ SPACE, FNV_PRIME), word)));
    previous = fnvFrom(FNV_OFFSET, word);
  }
  if (words.length === 1) into.push(fmix32(previous));
  return words.length;
}

/** How many of the lead's pair hashes belong to its first `words` words. */
function pairsOfFirst(words: number, leadWordCount: number): number {
  return leadWordCount === 1 ? 1 : Math.max(0, Math.min(words, leadWordCount) - 1);
}

/**
 * A set of 32-bit hashes in insertion order, sized for one item's few hundred shingles. Two
 * different pairs with the same hash count once in the signature's pair count, one too few (about
 * one item in 500,000, by the birthday bound on ~130 pairs); the MinHash values are the same.
 * Emptied and filled again for each item: a fresh table per item was two typed arrays outside
 * the heap for the collector to track and free, four times an item.
 */
class DistinctHashes {
  readonly values: number[] = [];
  private slots = new Uint32Array(512);
  private used = new Uint8Array(512);

  clear(): this {
    this.values.length = 0;
    this.used.fill(0);
    return this;
  }

  add(hash: number): void {
    if (this.has(hash)) return;
    if ((this.values.length + 1) * 2 > this.slots.length) this.grow();
    this.place(hash);
    this.values.push(hash);
  }

  has(hash: number): boolean {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; this.used[slot] === 1; slot = (slot + 1) & mask) if (this.slots[slot] === hash) return true;
    return false;
  }

  private place(hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.used[slot] === 1) slot = (slot + 1) & mask;
    this.slots[slot] = hash;
    this.used[slot] = 1;
  }

  private grow(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    this.used = new Uint8Array(this.used.length * 2);
    for (const hash of this.values) this.place(hash);
  }
}

const openingPairs = new DistinctHashes();
/** The lead's pairs past the opening that the opening does not have. */
const restPairs = new DistinctHashes();
/** One text's pair hashes in order, reused from item to item. */
const hashScratch: number[] = [];
/** The opening's own MinHash: only its band keys are kept. */
const openingMins = new Uint32Array(KEY_HASHES);

/** The pair hashes of the title's words, into `into`. */
function titlePairHashes(title: string, into: number[]): void {
  if (plainPairHashes(title, title.length, Infinity, into) < 0) wordPairHashes(storyWords(title), into);
}

/** The pair hashes of the first LEAD_WORDS words of the text (see leadWords), into `into`; returns how many words. */
function leadPairHashes(text: string, into: number[]): number {
  const words = plainPairHashes(text, LEAD_CHARS, LEAD_WORDS, into);
  return words >= 0 ? words : wordPairHashes(leadWords(text), into);
}

/**
 * The first LEAD_WORDS words of the text. Only the lead is used, so only its neighbourhood is
 * normalized: first 10 characters a word, enough for most text, then 40, which leaves room for
 * long words and URLs. A slice cuts at most its last word, so when it holds more than LEAD_WORDS
 * words the first LEAD_WORDS are those of the longer slice.
 */
export function leadWords(text: string): string[] {
  const short = storyWords(text.slice(0, LEAD_WORDS * 10));
  if (short.length > LEAD_WORDS || text.length <= LEAD_WORDS * 10) return short.slice(0, LEAD_WORDS);
  return storyWords(text.slice(0, LEAD_CHARS)).slice(0, LEAD_WORDS);
}

/**
 * An item's summary and content text as fingerprintStory reads them: joined, and cut after the
 * characters it looks at (fingerprints of the whole text and of this are the same). The text
 * is read character by character, and a joined string is copied flat on the first read: this
 * copies a few kilobytes, not the whole article.
 */
export function storyText(summary: string, contentText: string): string {
  if (summary.length >= LEAD_CHARS) return summary.slice(0, LEAD_CHARS);
  return `${summary} ${contentText.slice(0, LEAD_CHARS - summary.length - 1)}`;
}

/** @param text plain text of the item's summary and content (storyText) */
export function fingerprintStory(title: string, text: string): StoryFingerprint {
  // The opening's pairs (title and first KEY_LEAD_WORDS words) are part of the lead's: the
  // signature covers both sets, the opening keys only the first. The lead is hashed once and the
  // opening takes its first pairs, rather than hashing those words twice.
  const opening = openingPairs.clear();
  titlePairHashes(title, hashScratch);
  for (const hash of hashScratch) opening.add(hash);
  const inOpening = pairsOfFirst(KEY_LEAD_WORDS, leadPairHashes(text, hashScratch));
  // The opening is whole before the first pair past it is looked at.
  const rest = restPairs.clear();
  for (let i = 0; i < hashScratch.length; i++) {
    const hash = hashScratch[i]!;
    if (i < inOpening) opening.add(hash);
    else if (!opening.has(hash)) rest.add(hash);
  }
  return fingerprintOfShingles(opening.values, rest.values);
}

/**
 * The fingerprint of an item's distinct shingles, given as base hashes (hashString of each): those
 * of its opening, and the rest of its lead's.
 */
export function fingerprintOfShingles(opening: ArrayLike<number>, rest: ArrayLike<number>): StoryFingerprint {
  const signature = new Uint32Array(HASHES + 1);
  const mins = signature.subarray(1);
  nestedMinHash(opening, rest, mins, openingMins);
  signature[0] = opening.length + rest.length;
  // An item without words has nothing to be the same as: no keys, so it is never a candidate.
  if (signature[0] === 0) return { signature, bandKeys: new Uint32Array(0) };
  const keys = new Uint32Array(BANDS + KEY_BANDS);
  addBandKeys(keys, 0, mins, ROWS_PER_BAND);
  addBandKeys(keys, BANDS, openingMins, KEY_ROWS_PER_BAND);
  return { signature, bandKeys: keys };
}

// The band's number is hashed in, so equal rows in two different bands make different keys.
function addBandKeys(into: Uint32Array, firstBand: number, mins: Uint32Array, rowsPerBand: number): void {
  for (let band = 0; band * rowsPerBand < mins.length; band++) {
    let h = Math.imul(firstBand + band + 1, 0x9e3779b1);
    for (let row = band * rowsPerBand; row < (band + 1) * rowsPerBand; row++) {
      h = Math.imul(h ^ mins[row]!, 0x85ebca6b);
      h ^= h >>> 15;
    }
    // 0 marks an empty slot in the band index: keep it out of the key space.
    into[firstBand + band] = fmix32(h) || 1;
  }
}

export interface StorySimilarity {
  /** Estimated Jaccard similarity of the two pair sets. */
  jaccard: number;
  /** Estimated share of the smaller set found in the larger one (a trimmed copy scores high). */
  containment: number;
  smallerSize: number;
}

export function storySimilarity(a: Uint32Array, b: Uint32Array): StorySimilarity {
  const sizeA = a[0]!;
  const sizeB = b[0]!;
  let equal = 0;
  for (let i = 1; i <= HASHES; i++) if (a[i] === b[i]) equal++;
  const jaccard = sizeA === 0 || sizeB === 0 ? 0 : equal / HASHES;
  const smallerSize = Math.min(sizeA, sizeB);
  // |A∩B| = J·(|A|+|B|)/(1+J), from J = |A∩B| / (|A|+|B|-|A∩B|).
  const intersection = (jaccard * (sizeA + sizeB)) / (1 + jaccard);
  const containment = smallerSize === 0 ? 0 : Math.min(1, intersection / smallerSize);
  return { jaccard, containment, smallerSize };
}

export function isSameStory(a: Uint32Array, b: Uint32Array): boolean {
  const { jaccard, containment, smallerSize } = storySimilarity(a, b);
  if (smallerSize < MIN_PAIRS) return false;
  return jaccard >= SAME_JACCARD || (containment >= SAME_CONTAINMENT && smallerSize >= CONTAINMENT_MIN_PAIRS);
}

/** One version byte, then the signature as little-endian 32-bit words. */
export function serializeSignature(signature: Uint32Array): Buffer {
  const buf = Buffer.allocUnsafe(1 + signature.length * 4);
  buf.writeUInt8(SIGNATURE_VERSION, 0);
  writeUint32sLE(signature, buf, 1);
  return buf;
}

/** null when the bytes are not a signature of this version (older fingerprints never match). */
export function deserializeSignature(buf: Buffer): Uint32Array | null {
  if (buf.length !== 1 + (HASHES + 1) * 4 || buf.readUInt8(0) !== SIGNATURE_VERSION) return null;
  return readUint32sLE(buf, 1, HASHES + 1);
}

/** isSameStory over stored bytes, the shape the store's story policy takes. */
export function isSameStoredStory(a: Buffer, b: Buffer): boolean {
  const left = deserializeSignature(a);
  const right = deserializeSignature(b);
  return left !== null && right !== null && isSameStory(left, right);
}
