import { htmlToText } from '../html/text.js';
import { americanSpelling } from './spelling.js';
import { stem } from './stem.js';

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

/** One word of a text: where it is, how it was written, and the forms it is matched by. */
export interface Token {
  /** As written, after Unicode NFKC ("NATO", "Café", "U.S."). */
  surface: string;
  /** Lower-cased, accents and acronym dots removed ("nato", "cafe", "us"). Prefixes match this. */
  folded: string;
  /** folded in American spelling ("defence" -> "defense"). Prefixes match this too. */
  american: string;
  /** american, stemmed ("defences" -> "defens"). Terms match this. */
  norm: string;
  start: number;
  end: number;
  /** Clause punctuation stands between this word and the one before it. */
  clauseStart: boolean;
}

/** The tokens of one field, parallel arrays indexed by token number. */
export interface FieldTokens {
  surfaces: string[];
  folded: string[];
  american: string[];
  norms: string[];
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
  /** Every norm of every field: what the topic index looks candidates up by. */
  norms: Set<string>;
  /** Every folded word and its American spelling: what prefix terms are looked up by. */
  words: Set<string>;
  /** Lower case, "-" separated ("en-gb"), or null. */
  language: string | null;
  feedId: number | null;
}

/** Larger than any NEAR distance, so phrases and proximity never span two separate values. */
export const SEGMENT_GAP = 1000;

// Capital-letter acronyms written with dots ("U.S.", "U.N.") are one word. Chinese and Japanese
// characters are a word each, since those scripts put no spaces between words (a phrase then
// matches a run of characters). Otherwise a word is a run of letters, digits and combining marks,
// so hyphens and apostrophes separate words. Built with RegExp because the "v" flag (set
// difference) is newer than the compile target.
const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}';
const WORD = new RegExp(
  `\\p{Lu}(?:\\.\\p{Lu})+\\.?(?![\\p{L}\\p{N}])|[${CJK}]|[[\\p{L}\\p{N}\\p{M}]--[${CJK}]]+`,
  'gv',
);
// Punctuation that ends a clause: a phrase does not run across it ("cruise missile, defence
// analysts say" is not about missile defence). Hyphens, slashes and quotes do not end one.
const CLAUSE_END_CHARS = new Set([...',;:.!?()[]{}…|•·'].map((ch) => ch.charCodeAt(0)));
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

interface WordForms {
  surface: string;
  folded: string;
  american: string;
  norm: string;
}

// Folding and stemming cost more than a lookup, and news text repeats its words: remember the
// forms of each written word. Cleared when full, which bounds memory on unusual input.
const formsCache = new Map<string, WordForms>();
const FORMS_CACHE_LIMIT = 100_000;

function formsOf(raw: string): WordForms {
  let forms = formsCache.get(raw);
  if (forms === undefined) {
    const surface = raw.normalize('NFKC');
    const folded = foldWord(surface);
    const american = americanSpelling(folded);
    forms = { surface, folded, american, norm: stem(american) };
    if (formsCache.size >= FORMS_CACHE_LIMIT) formsCache.clear();
    formsCache.set(raw, forms);
  }
  return forms;
}

/**
 * Calls `visit` for each word of a plain text, with its forms, its offsets and whether clause
 * punctuation stands before it. A possessive "'s" is not a word of its own.
 */
function scanWords(text: string, visit: (forms: WordForms, start: number, end: number, clauseStart: boolean) => void): void {
  let previousEnd = -1;
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    const start = m.index;
    if (isPossessiveS(text, raw, start)) continue;
    const forms = formsOf(raw);
    if (forms.folded === '') continue;
    visit(forms, start, start + raw.length, previousEnd < 0 || clauseEndBetween(text, previousEnd, start));
    previousEnd = start + raw.length;
  }
}

// Most gaps between words are a single space: look at their characters, not a substring.
function clauseEndBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (CLAUSE_END_CHARS.has(text.charCodeAt(i))) return true;
  return false;
}

/** The words of a plain text, with offsets into it. A possessive "'s" is not a word of its own. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  scanWords(text, ({ surface, folded, american, norm }, start, end, clauseStart) => {
    tokens.push({ surface, folded, american, norm, start, end, clauseStart });
  });
  return tokens;
}

function isPossessiveS(text: string, raw: string, start: number): boolean {
  if (raw !== 's' && raw !== 'S') return false;
  const before = text[start - 1];
  const word = text[start - 2];
  return before !== undefined && APOSTROPHES.has(before) && word !== undefined && LETTER_OR_DIGIT.test(word);
}

function emptyField(): FieldTokens {
  return { surfaces: [], folded: [], american: [], norms: [], positions: [], clauseStarts: [], byNorm: new Map() };
}

/**
 * Appends each value's tokens to the field, SEGMENT_GAP positions after the previous value, and
 * collects the distinct forms met (a news text repeats its words: sets of forms are built once
 * per distinct word, not per occurrence).
 */
function addValues(field: FieldTokens, values: string[], distinct: Set<WordForms>): void {
  let next = 0;
  for (const value of values) {
    const before = field.norms.length;
    scanWords(value, (forms, _start, _end, clauseStart) => {
      const index = field.norms.length;
      field.surfaces.push(forms.surface);
      field.folded.push(forms.folded);
      field.american.push(forms.american);
      field.norms.push(forms.norm);
      field.positions.push(next++);
      field.clauseStarts.push(clauseStart);
      const list = field.byNorm.get(forms.norm);
      if (list) list.push(index);
      else field.byNorm.set(forms.norm, [index]);
      distinct.add(forms);
    });
    if (field.norms.length > before) next += SEGMENT_GAP;
  }
}

/** Lower case with "-" separators: "en_GB" -> "en-gb". */
export function normalizeLanguage(tag: string): string {
  return tag.trim().toLowerCase().replace(/_/g, '-');
}

/** Tokenizes every field of an item once; contentHtml is reduced to its visible text. */
export function analyzeDoc(doc: MatchableDoc): AnalyzedDoc {
  const fields: Record<TextField, FieldTokens> = {
    title: emptyField(),
    text: emptyField(),
    author: emptyField(),
    category: emptyField(),
    feed: emptyField(),
  };
  const distinct = new Set<WordForms>();
  addValues(fields.title, [doc.title], distinct);
  addValues(fields.text, [doc.summary, doc.contentText ?? htmlToText(doc.contentHtml)], distinct);
  addValues(fields.author, doc.authors, distinct);
  addValues(fields.category, doc.categories, distinct);
  addValues(fields.feed, doc.feedTitle ? [doc.feedTitle] : [], distinct);
  const norms = new Set<string>();
  const words = new Set<string>();
  for (const forms of distinct) {
    norms.add(forms.norm);
    words.add(forms.folded);
    words.add(forms.american);
  }
  const language = doc.language ? normalizeLanguage(doc.language) : null;
  return { fields, norms, words, language, feedId: doc.feedId };
}
