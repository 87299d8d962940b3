import { htmlToText } from '../html/text.js';
import { americanSpelling } from './spelling.js';
import { stem } from './stem.js';
import { WordCursor } from './word-spans.js';
import {
  CLAUSE_END, foldsToNothing, formsOf, internedAt, type KeptWord, keeps, LETTER_NUMBER_MARK, repeatsInField, scanKeptWords, startField,
} from './word-table.js';

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

// word-scan.wat tests the same apostrophes.
const APOSTROPHES = new Set(["'", '\u2019', '\u02bc', '`', '\u00b4']);
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

/** The forms of a written word. */
export function wordForms(raw: string): WordForms {
  const surface = raw.normalize('NFKC');
  const folded = foldWord(surface);
  const american = americanSpelling(folded);
  return { surface, folded, american, norm: stem(american) };
}

/**
 * The cursor's next word that is a word once folded, as its entry in the word table (the cursor
 * holds its offsets), or -1 past the last. A possessive "'s" is not a word of its own.
 */
function nextWord(cursor: WordCursor, text: string): number {
  while (cursor.next()) {
    const { start, end } = cursor;
    if (end - start === 1 && isPossessiveS(text, start)) continue;
    const entry = internedAt(cursor.chars, start, end, cursor.hash, wordForms);
    if (!foldsToNothing(entry)) return entry;
  }
  return -1;
}

/** Whether clause punctuation stands between the previous word (ending at previousEnd) and this one. */
function clauseStartAt(chars: Uint16Array, previousEnd: number, start: number): boolean {
  if (previousEnd < 0) return true;
  // Most gaps between words are a single space: look at their characters, not a substring.
  for (let i = previousEnd; i < start; i++) if (CLAUSE_END[chars[i]!] === 1) return true;
  return false;
}

// Analysis never reads two texts at once: one cursor, and its copy of the characters, serve all.
const cursor = new WordCursor();

/** The words of a plain text, with offsets into it. A possessive "'s" is not a word of its own. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  cursor.reset(text);
  let previousEnd = -1;
  for (let entry = nextWord(cursor, text); entry >= 0; entry = nextWord(cursor, text)) {
    const { surface, folded, american, norm } = formsOf(entry);
    const { start, end } = cursor;
    tokens.push({ surface, folded, american, norm, start, end, clauseStart: clauseStartAt(cursor.chars, previousEnd, start) });
    previousEnd = end;
  }
  return tokens;
}

function isPossessiveS(text: string, start: number): boolean {
  const ch = text[start];
  if (ch !== 's' && ch !== 'S') return false;
  const before = text[start - 1];
  const word = text[start - 2];
  return before !== undefined && APOSTROPHES.has(before) && word !== undefined && LETTER_NUMBER_MARK.test(word);
}

/**
 * The words some set of queries can look up (their terms' norms, and words their prefixes
 * start). An analysis for those queries keeps only these: every other word of an item could
 * only ever be skipped by the matcher, and ingest analyzes about 650 words an item against
 * a vocabulary that meets a few dozen of them.
 */
export interface Vocabulary {
  keeps(forms: WordForms): boolean;
  /**
   * Of a kept word, whether its first occurrence in each field is all the queries need: a word
   * they look up only as a term of its own, outside phrases and NEAR, where a field's later
   * occurrences add no match and only written forms the first already gave (news text repeats
   * its names: generated news at 1,000 topics kept 66 words an item, of 23 distinct).
   */
  firstOnly(forms: WordForms): boolean;
}

function emptyField(): FieldTokens {
  return { forms: [], positions: [], clauseStarts: [], byNorm: new Map() };
}

/**
 * Appends each value's tokens to the field, SEGMENT_GAP positions after the previous value, and
 * collects the distinct forms met. A word the vocabulary does not keep is left out, but still
 * counts for positions and clause starts: what is kept is placed exactly as in a full analysis.
 * A word it wants once a field is kept at its first occurrence in the field.
 */
function addValues(field: FieldTokens, values: string[], distinct: Set<WordForms>, vocabulary: Vocabulary | null): void {
  let next = 0;
  // Where the value being read starts among the field's positions.
  let first = 0;
  startField();
  const add = (entry: number, position: number, clauseStart: boolean) => {
    if (vocabulary !== null && repeatsInField(entry)) return;
    const forms = formsOf(entry);
    const index = field.forms.length;
    field.forms.push(forms);
    field.positions.push(first + position);
    field.clauseStarts.push(clauseStart);
    const list = field.byNorm.get(forms.norm);
    if (list) list.push(index);
    else field.byNorm.set(forms.norm, [index]);
    distinct.add(forms);
  };
  for (const value of values) {
    first = next;
    const counted = scanKeptWords(value, vocabulary, wordForms, add);
    next += counted >= 0 ? counted : readKeptWords(value, vocabulary, add);
    if (next > first) next += SEGMENT_GAP;
  }
}

/** scanKeptWords in JavaScript, for text with surrogates (which the word cursor reads by WORD). */
function readKeptWords(value: string, vocabulary: Vocabulary | null, kept: KeptWord): number {
  let counted = 0;
  cursor.reset(value);
  // Where the word before ended, kept or not (-1 before the first): for clauseStartAt.
  let previousEnd = -1;
  for (let entry = nextWord(cursor, value); entry >= 0; entry = nextWord(cursor, value)) {
    const position = counted++;
    const before = previousEnd;
    previousEnd = cursor.end;
    if (vocabulary === null || keeps(vocabulary, entry)) kept(entry, position, clauseStartAt(cursor.chars, before, cursor.start));
  }
  return counted;
}

/** Lower case with "-" separators: "en_GB" -> "en-gb". */
export function normalizeLanguage(tag: string): string {
  return tag.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * Tokenizes every field of an item once; contentHtml is reduced to its visible text. With a
 * vocabulary, only its words are kept: the queries it was made from match the result exactly
 * as they match a full analysis (test/topics/index-agreement.property.test.ts), other queries do not.
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
