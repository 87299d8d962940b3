import { requiredWasm } from '../wasm-module.js';
import type { Vocabulary, WordForms } from './text.js';
import { classOf } from './word-spans.js';
import { WORD_SCAN_WASM_BASE64 } from './word-scan-wasm.js';

// The table of known words that analysis (text.ts) looks every written word up in, and the loop
// that reads a text against it in WebAssembly (word-scan.wat).
//
// Folding and stemming cost more than a lookup, and news text repeats its words: the forms of
// each written word are kept, looked up by the word's characters in place, so a word seen before
// costs no string. Ingest analyzes ~650 words an item, most of them known and not kept by the
// topics' vocabulary; in JavaScript reading each word's characters to scan, hash and compare them
// was most of the analysis, and in WebAssembly that loop reports only the kept words. What a lookup
// reads (hashes, characters, whether the word folds to nothing or is kept) lives in the module's
// memory, at the places word-scan.wat names, so JavaScript (for text with surrogates, and for
// tokenize) and WebAssembly share one table. Emptied when full, which bounds memory on unusual input.

const FORMS_LIMIT = 100_000;
/** The entry of a word too long for the pool even when empty: its forms are computed each time. */
const TRANSIENT = FORMS_LIMIT;

const CLASSES_AT = 0;
const STATE_AT = 65536;
const REPORTS_AT = 66560;
const REPORTS = 4096;
const REPORT_INTS = 5;
const RECORDS_AT = 196608;
const RECORD_INTS = 4;
const SLOTS_AT = 1835008;
const MAX_SLOTS = 1 << 18;
const FIRST_SLOTS = 1 << 12;
const POOL_AT = 3932160;
const TEXT_AT = 8126464;
const POOL_UNITS = (TEXT_AT - POOL_AT) / 2;

// Record fields, and flags.
const OFFSET = 0;
const LENGTH = 1;
const JUDGED_BY = 2;
const FLAGS = 3;
const FOLDS_TO_NOTHING = 1;
const KEPT = 2;
/** Kept, and only its first occurrence in a field is needed (Vocabulary.firstOnly). */
const FIRST_ONLY = 4;

// State fields (word-scan.wat), as i32 indexes.
const AT = 0;
const COUNTED = 1;
const PREVIOUS_END = 2;
const REPORTED = 3;
const HANDED_START = 4;
const HANDED_END = 5;
const HANDED_HASH = 6;
const RESOLVED = 7;
const TO_JUDGE = 8;

// scan's answers.
const DONE = 0;
const NOT_KNOWN = 2;
const NOT_JUDGED = 3;

// Beyond word-spans.ts's classes, the loop needs to know clause punctuation and what may stand
// before a possessive apostrophe.
const LETTER_NUMBER_MARK_CLASS = 32;
const CLAUSE_END_CLASS = 64;
// Punctuation that ends a clause: a phrase does not run across it ("cruise missile, defence
// analysts say" is not about missile defence). Hyphens, slashes and quotes do not end one.
export const CLAUSE_END = new Uint8Array(0x10000);
for (const ch of ',;:.!?()[]{}…|•·') CLAUSE_END[ch.charCodeAt(0)] = 1;
/** What may stand before the apostrophe of a possessive "'s". */
export const LETTER_NUMBER_MARK = /[\p{L}\p{N}\p{M}]/u;

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(length: number, vocabulary: number, mask: number, reportCap: number): number;
  hasSurrogate(length: number): number;
}

const scanner = requiredWasm<ScanExports>(WORD_SCAN_WASM_BASE64, 'word-scan.wat');

// Views of the module's memory; made again when the text's room grows it.
let classes: Uint8Array;
let state: Int32Array;
let reports: Int32Array;
let records: Int32Array;
let slots: Int32Array;
let pool: Uint16Array;
let text: Uint16Array;
let textBytes: Buffer;

function viewMemory(): void {
  const { buffer } = scanner.memory;
  classes = new Uint8Array(buffer, CLASSES_AT, 0x10000);
  state = new Int32Array(buffer, STATE_AT, 16);
  reports = new Int32Array(buffer, REPORTS_AT, REPORTS * REPORT_INTS);
  records = new Int32Array(buffer, RECORDS_AT, (FORMS_LIMIT + 1) * RECORD_INTS);
  slots = new Int32Array(buffer, SLOTS_AT, MAX_SLOTS * 2);
  pool = new Uint16Array(buffer, POOL_AT, POOL_UNITS);
  text = new Uint16Array(buffer, TEXT_AT, (buffer.byteLength - TEXT_AT) / 2);
  textBytes = Buffer.from(buffer, TEXT_AT, buffer.byteLength - TEXT_AT);
}
viewMemory();

let classesFilled = false;

/** Every code unit's class, once per thread (~25 ms): the loop never stops to ask. */
function fillClasses(): void {
  for (let code = 0; code < 0x10000; code++) {
    let c = classOf(code);
    if (LETTER_NUMBER_MARK.test(String.fromCharCode(code))) c |= LETTER_NUMBER_MARK_CLASS;
    if (CLAUSE_END[code] === 1) c |= CLAUSE_END_CLASS;
    classes[code] = c;
  }
  classesFilled = true;
}

let entries: WordForms[] = [];
let transientForms: WordForms | null = null;
/** Per entry: its hash, read again only when the slots grow. */
const hashes = new Int32Array(FORMS_LIMIT);
/** Per entry: the last field (startField's number) it was met in, for repeatsInField. */
const metInField = new Int32Array(FORMS_LIMIT);
let field = 0;
let slotCount = FIRST_SLOTS;
let poolUsed = 0;

export type ComputeForms = (raw: string) => WordForms;

/** How many words the table holds now. */
export function knownWordCount(): number {
  return entries.length;
}

export function formsOf(entry: number): WordForms {
  return (entry === TRANSIENT ? transientForms : entries[entry]) as WordForms;
}

export function foldsToNothing(entry: number): boolean {
  return (records[entry * RECORD_INTS + FLAGS]! & FOLDS_TO_NOTHING) !== 0;
}

function sameChars(entry: number, chars: Uint16Array, start: number, end: number): boolean {
  const length = end - start;
  const record = entry * RECORD_INTS;
  if (records[record + LENGTH] !== length) return false;
  const offset = records[record + OFFSET]!;
  for (let i = 0; i < length; i++) if (pool[offset + i] !== chars[start + i]) return false;
  return true;
}

function place(hash: number, entry: number): void {
  const mask = slotCount - 1;
  let slot = hash & mask;
  while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
  slots[2 * slot] = hash;
  slots[2 * slot + 1] = entry + 1;
}

function empty(): void {
  entries = [];
  // Entry numbers are given again from 0: what they were met in no longer holds.
  metInField.fill(0);
  slotCount = FIRST_SLOTS;
  slots.fill(0, 0, 2 * slotCount);
  poolUsed = 0;
}

/** Adds the word chars[start, end) with hash `hash`, returning its entry. */
function intern(chars: Uint16Array, start: number, end: number, hash: number, compute: ComputeForms): number {
  const length = end - start;
  const fits = length <= POOL_UNITS;
  if (fits && (entries.length >= FORMS_LIMIT || poolUsed + length > POOL_UNITS)) empty();
  // A copy of the characters, not a slice of the text: a slice keeps its whole text alive.
  const forms = compute(Buffer.from(chars.buffer, chars.byteOffset + 2 * start, 2 * length).toString('utf16le'));
  let entry: number;
  if (!fits) {
    entry = TRANSIENT;
    transientForms = forms;
  } else {
    if ((entries.length + 1) * 2 > slotCount) {
      slotCount *= 2;
      slots.fill(0, 0, 2 * slotCount);
      for (let known = 0; known < entries.length; known++) place(hashes[known]!, known);
    }
    entry = entries.length;
    entries.push(forms);
    hashes[entry] = hash;
    pool.set(chars.subarray(start, end), poolUsed);
    place(hash, entry);
  }
  const record = entry * RECORD_INTS;
  records[record + OFFSET] = poolUsed;
  records[record + LENGTH] = length;
  records[record + JUDGED_BY] = 0;
  records[record + FLAGS] = forms.folded === '' ? FOLDS_TO_NOTHING : 0;
  if (entry !== TRANSIENT) poolUsed += length;
  return entry;
}

/** The entry of the word chars[start, end), whose hashSpan is `hash`: found, or added. */
export function internedAt(chars: Uint16Array, start: number, end: number, hash: number, compute: ComputeForms): number {
  const mask = slotCount - 1;
  for (let slot = hash & mask; slots[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
    if (slots[2 * slot] !== hash) continue;
    const entry = (slots[2 * slot + 1] as number) - 1;
    if (sameChars(entry, chars, start, end)) return entry;
  }
  return intern(chars, start, end, hash, compute);
}

// Vocabularies are numbered as they come, so an entry can say which one its answer is from.
let lastVocabulary: Vocabulary | null = null;
let lastVocabularyNumber = 0;

function numberOf(vocabulary: Vocabulary): number {
  if (vocabulary !== lastVocabulary) {
    lastVocabulary = vocabulary;
    lastVocabularyNumber++;
  }
  return lastVocabularyNumber;
}

function judge(vocabulary: Vocabulary, number: number, entry: number): void {
  const record = entry * RECORD_INTS;
  const forms = formsOf(entry);
  let flags = records[record + FLAGS]! & ~(KEPT | FIRST_ONLY);
  if (vocabulary.keeps(forms)) flags |= vocabulary.firstOnly(forms) ? KEPT | FIRST_ONLY : KEPT;
  records[record + FLAGS] = flags;
  records[record + JUDGED_BY] = number;
}

/** Whether the vocabulary keeps the entry's word: asked once, then remembered beside the entry. */
export function keeps(vocabulary: Vocabulary, entry: number): boolean {
  const number = numberOf(vocabulary);
  if (records[entry * RECORD_INTS + JUDGED_BY] !== number) judge(vocabulary, number, entry);
  return (records[entry * RECORD_INTS + FLAGS]! & KEPT) !== 0;
}

/** Starts a field of an analysis: repeatsInField forgets the words met before it. */
export function startField(): void {
  if (++field === 0x7fffffff) {
    field = 1;
    metInField.fill(0);
  }
}

/**
 * Whether a word its vocabulary kept, and wants only once a field (Vocabulary.firstOnly), was
 * met before in this field; marks it met. Only for an entry just judged by the vocabulary of the
 * analysis under way (scanKeptWords reported it, or keeps answered for it).
 */
export function repeatsInField(entry: number): boolean {
  if (entry === TRANSIENT || (records[entry * RECORD_INTS + FLAGS]! & FIRST_ONLY) === 0) return false;
  if (metInField[entry] === field) return true;
  metInField[entry] = field;
  return false;
}

/** Called for each kept word: its entry, its position among the text's words, whether clause punctuation precedes it. */
export type KeptWord = (entry: number, position: number, clauseStart: boolean) => void;

/**
 * Reads a text (word-spans.ts's rules; a possessive "'s" is not a word) and calls `kept` for each
 * word the vocabulary keeps (every word without one), in order. Returns the number of words the
 * text has, kept or not; or -1, having called nothing, for text with surrogates, which the word
 * cursor reads in JavaScript (text.ts's readKeptWords).
 */
export function scanKeptWords(value: string, vocabulary: Vocabulary | null, compute: ComputeForms, kept: KeptWord): number {
  if (!classesFilled) fillClasses();
  const needed = TEXT_AT + 2 * value.length;
  if (needed > scanner.memory.buffer.byteLength) {
    scanner.memory.grow(Math.ceil((needed - scanner.memory.buffer.byteLength) / 65536));
    viewMemory();
  }
  textBytes.write(value, 0, 'utf16le');
  if (scanner.hasSurrogate(value.length) === 1) return -1;
  state[AT] = 0;
  state[COUNTED] = 0;
  state[PREVIOUS_END] = -1;
  state[REPORTED] = 0;
  state[RESOLVED] = -1;
  const number = vocabulary === null ? -1 : numberOf(vocabulary);
  for (;;) {
    const answer = scanner.scan(value.length, number, slotCount - 1, REPORTS);
    // Reported entries first: interning may empty the table and reuse their numbers.
    const reported = state[REPORTED]!;
    for (let r = 0; r < reported; r++) {
      const at = r * REPORT_INTS;
      kept(reports[at + 2]!, reports[at + 3]!, reports[at + 4] === 1);
    }
    state[REPORTED] = 0;
    if (answer === DONE) return state[COUNTED]!;
    if (answer === NOT_KNOWN) {
      state[RESOLVED] = intern(text, state[HANDED_START]!, state[HANDED_END]!, state[HANDED_HASH]!, compute);
    } else if (answer === NOT_JUDGED) {
      const entry = state[TO_JUDGE]!;
      judge(vocabulary as Vocabulary, number, entry);
      state[RESOLVED] = entry;
    }
  }
}
