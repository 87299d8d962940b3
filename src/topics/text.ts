import { htmlToText } from '../html/text.js';
import { americanSpelling } from './spelling.js';
import { stem } from './stem.js';
import { forEachWordSpan } from './word-spans.js';

/** What the matcher needs of an item: its text fields plus the feed it came from. */
export interface MatchableDoc {
  title: string;
  summary: string;
  contentHtml: string;
  /** The visible text of contentHtml, when the caller has it already (ingest computes it once). */
  contentText?: string;
  categories: string[];
  authors: string[];
  feedTitle: string | null;
  feedId: number | null;
  language: string | null;
}

/** The tokenized fields a query can name (`lang:` and a feed's id are matched as values). */
export type TextField = 'title' | 'text' | 'author' | 'category' | 'feed';
export const TEXT_FIELDS: readonly TextField[] = ['title', 'text', 'author', 'category', 'feed'];

/** How one written word is matched: the same object for every occurrence of the same spelling. */
export interface WordForms {
  /** As written, after Unicode NFKC ("NATO", "Café", "U.S."). */
  surface: string;
  /** Lower-cased, accents and acronym dots removed ("nato", "cafe", "us"). Prefixes match this. */
  folded: string;
  /** folded in American spelling ("defence" -> "defense"). Prefixes match this too. */
  american: string;
  /** american, stemmed ("defences" -> "defens"). Terms match this. */
  norm: string;
}

/** One word of a text: how it was written, the forms it is matched by, and where it is. */
export interface Token extends WordForms {
  start: number;
  end: number;
  /** Clause punctuation stands between this word and the one before it. */
  clauseStart: boolean;
}

/** The tokens of one field, parallel arrays indexed by token number. */
export interface FieldTokens {
  forms: WordForms[];
  /** Word positions; separate values (summary and content, each category) are SEGMENT_GAP apart. */
  positions: number[];
  /** Per token: clause punctuation stands before it, so no phrase continues into it. */
  clauseStarts: boolean[];
  /** norm -> token numbers, for looking a term up without scanning. */
  byNorm: Map<string, number[]>;
}

/** An item analyzed once, then matched against any number of queries. */
export interface AnalyzedDoc {
  fields: Record<TextField, FieldTokens>;
  /** Every norm of every field. */
  norms: Set<string>;
  /** Every distinct word of every field: what the topic index looks candidates up by. */
  words: WordForms[];
  /** Lower case, "-" separated ("en-gb"), or null. */
  language: string | null;
  feedId: number | null;
}

/** Larger than any NEAR distance, so phrases and proximity never span two separate values. */
export const SEGMENT_GAP = 1000;

// Punctuation that ends a clause: a phrase does not run across it ("cruise missile, defence
// analysts say" is not about missile defence). Hyphens, slashes and quotes do not end one.
const CLAUSE_END = new Uint8Array(0x10000);
for (const ch of ',;:.!?()[]{}…|•·') CLAUSE_END[ch.charCodeAt(0)] = 1;
const APOSTROPHES = new Set(["'", '\u2019', '\u02bc', '`', '\u00b4']);
const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;
// Marks a reader treats as optional: Latin, Greek and Cyrillic accents, Arabic short vowels.
// Other marks are part of the letter (kana voicing, Devanagari vowel signs) and stay.
const OPTIONAL_MARKS = /[\u0300-\u036f\u064b-\u065f]/g;
// Letters that accent stripping (NFD) leaves alone but a reader treats as their plain spelling.
// The final sigma too: toLowerCase writes "ς" only at a word's end, so "ΟΔΟΣ" and the start of
// "ΟΔΟΣΗ" would otherwise fold apart.
const SPECIAL_FOLDS: Record<string, string> = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ł': 'l', 'ı': 'i', 'þ': 'th', 'ς': 'σ' };
const SPECIAL_FOLD = /[ßæœøđłıþς]/g;

/** Case and accent folding: "Café" -> "cafe", "Straße" -> "strasse", "U.S." -> "us". */
export function foldWord(surface: string): string {
  return surface
    .toLowerCase()
    .normalize('NFD')
    .replace(OPTIONAL_MARKS, '')
    .normalize('NFC')
    .replace(SPECIAL_FOLD, (ch) => SPECIAL_FOLDS[ch] ?? ch)
    .replace(/\./g, '');
}

/** The form a word is matched by: folded, American spelling, stemmed. */
export function normalizeWord(folded: string): string {
  return stem(americanSpelling(folded));
}

// Folding and stemming cost more than a lookup, and news text repeats its words: the forms of
// each written word are kept in a table looked up by the word's characters in place, so a word
// seen before costs no string. Emptied when full, which bounds memory on unusual input.
const FORMS_LIMIT = 100_000;
let slots = new Int32Array(1 << 12);
let entries: Interned[] = [];

/** A written word's forms, and what the last vocabulary to see it decided (see addValues). */
interface Interned {
  raw: string;
  hash: number;
  forms: WordForms;
  keptBy: Vocabulary | null;
  kept: boolean;
}

function sameSpan(raw: string, text: string, start: number, end: number): boolean {
  if (raw.length !== end - start) return false;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

function computeForms(raw: string): WordForms {
  const surface = raw.normalize('NFKC');
  const folded = foldWord(surface);
  const american = americanSpelling(folded);
  return { surface, folded, american, norm: stem(american) };
}

function place(hash: number, index: number): void {
  const mask = slots.length - 1;
  let slot = hash & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = index + 1;
}

/** The entry of text[start, end), whose hashSpan (word-spans.ts) is `hash`. */
function internedAt(text: string, start: number, end: number, hash: number): Interned {
  const mask = slots.length - 1;
  for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
    const entry = entries[(slots[slot] as number) - 1]!;
    if (entry.hash === hash && sameSpan(entry.raw, text, start, end)) return entry;
  }
  if (entries.length >= FORMS_LIMIT) {
    entries = [];
    slots = new Int32Array(1 << 12);
  } else if ((entries.length + 1) * 2 > slots.length) {
    slots = new Int32Array(slots.length * 2);
    entries.forEach((entry, index) => place(entry.hash, index));
  }
  const raw = text.slice(start, end);
  const entry: Interned = { raw, hash, forms: computeForms(raw), keptBy: null, kept: false };
  entries.push(entry);
  place(hash, entries.length - 1);
  return entry;
}

/**
 * Calls `visit` for each word of a plain text, with its interned forms, its offsets and where
 * the previous word ended (-1 for the first), for clauseStartAt. A possessive "'s" is not a word
 * of its own.
 */
function scanWords(text: string, visit: (entry: Interned, start: number, end: number, previousEnd: number) => void): void {
  let previousEnd = -1;
  forEachWordSpan(text, (start, end, hash) => {
    if (end - start === 1 && isPossessiveS(text, start)) return;
    const entry = internedAt(text, start, end, hash);
    if (entry.forms.folded === '') return;
    visit(entry, start, end, previousEnd);
    previousEnd = end;
  });
}

/** Whether clause punctuation stands between the previous word (ending at previousEnd) and this one. */
function clauseStartAt(text: string, previousEnd: number, start: number): boolean {
  if (previousEnd < 0) return true;
  // Most gaps between words are a single space: look at their characters, not a substring.
  for (let i = previousEnd; i < start; i++) if (CLAUSE_END[text.charCodeAt(i)] === 1) return true;
  return false;
}

/** The words of a plain text, with offsets into it. A possessive "'s" is not a word of its own. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  scanWords(text, ({ forms: { surface, folded, american, norm } }, start, end, previousEnd) => {
    tokens.push({ surface, folded, american, norm, start, end, clauseStart: clauseStartAt(text, previousEnd, start) });
  });
  return tokens;
}

function isPossessiveS(text: string, start: number): boolean {
  const ch = text[start];
  if (ch !== 's' && ch !== 'S') return false;
  const before = text[start - 1];
  const word = text[start - 2];
  return before !== undefined && APOSTROPHES.has(before) && word !== undefined && LETTER_OR_DIGIT.test(word);
}

/**
 * The words some set of queries can look up (their terms' norms, and words their prefixes
 * start). An analysis for those queries keeps only these: every other word of an item could
 * only ever be skipped by the matcher, and ingest analyzes about 650 words an item against
 * a vocabulary that meets a few dozen of them.
 */
export interface Vocabulary {
  keeps(forms: WordForms): boolean;
}

function emptyField(): FieldTokens {
  return { forms: [], positions: [], clauseStarts: [], byNorm: new Map() };
}

/**
 * Appends each value's tokens to the field, SEGMENT_GAP positions after the previous value, and
 * collects the distinct forms met. A word the vocabulary does not keep is left out, but still
 * counts for positions and clause starts: what is kept is placed exactly as in a full analysis.
 */
function addValues(field: FieldTokens, values: string[], distinct: Set<WordForms>, vocabulary: Vocabulary | null): void {
  let next = 0;
  for (const value of values) {
    const first = next;
    scanWords(value, (entry, start, _end, previousEnd) => {
      const position = next++;
      if (vocabulary !== null) {
        // Remembered beside the word: ingest asks this of every word of every item.
        if (entry.keptBy !== vocabulary) {
          entry.kept = vocabulary.keeps(entry.forms);
          entry.keptBy = vocabulary;
        }
        if (!entry.kept) return;
      }
      const forms = entry.forms;
      const index = field.forms.length;
      field.forms.push(forms);
      field.positions.push(position);
      field.clauseStarts.push(clauseStartAt(value, previousEnd, start));
      const list = field.byNorm.get(forms.norm);
      if (list) list.push(index);
      else field.byNorm.set(forms.norm, [index]);
      distinct.add(forms);
    });
    if (next > first) next += SEGMENT_GAP;
  }
}

/** Lower case with "-" separators: "en_GB" -> "en-gb". */
export function normalizeLanguage(tag: string): string {
  return tag.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * Tokenizes every field of an item once; contentHtml is reduced to its visible text. With a
 * vocabulary, only its words are kept: the queries it was made from match the result exactly
 * as they match a full analysis (test/topics/vocabulary.property.test.ts), other queries do not.
 */
export function analyzeDoc(doc: MatchableDoc, vocabulary: Vocabulary | null = null): AnalyzedDoc {
  const fields: Record<TextField, FieldTokens> = {
    title: emptyField(),
    text: emptyField(),
    author: emptyField(),
    category: emptyField(),
    feed: emptyField(),
  };
  const distinct = new Set<WordForms>();
  addValues(fields.title, [doc.title], distinct, vocabulary);
  addValues(fields.text, [doc.summary, doc.contentText ?? htmlToText(doc.contentHtml)], distinct, vocabulary);
  addValues(fields.author, doc.authors, distinct, vocabulary);
  addValues(fields.category, doc.categories, distinct, vocabulary);
  addValues(fields.feed, doc.feedTitle ? [doc.feedTitle] : [], distinct, vocabulary);
  const words = [...distinct];
  const norms = new Set<string>();
  for (const forms of words) norms.add(forms.norm);
  const language = doc.language ? normalizeLanguage(doc.language) : null;
  return { fields, norms, words, language, feedId: doc.feedId };
}
