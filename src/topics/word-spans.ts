// Where the words of a text are. The rule, as one regular expression (WORD below, which is also
// the definition the tests hold the scanner to):
//
// Capital-letter acronyms written with dots ("U.S.", "U.N.") are one word. Chinese and Japanese
// characters are a word each, since those scripts put no spaces between words (a phrase then
// matches a run of characters). Otherwise a word is a run of letters, digits and combining marks,
// so hyphens and apostrophes separate words.
//
// Running that expression allocates a match and a string per word, and ingest tokenizes about a
// thousand words per item: the scanner below reads character codes against a table of classes
// built from the same Unicode properties, and falls back to the expression for text with
// characters outside the Basic Multilingual Plane (rare in news, and where a code unit alone has
// no class). Built with RegExp because the "v" flag (set difference) is newer than the compile
// target.
const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}';
export const WORD = new RegExp(
  `\\p{Lu}(?:\\.\\p{Lu})+\\.?(?![\\p{L}\\p{N}])|[${CJK}]|[[\\p{L}\\p{N}\\p{M}]--[${CJK}]]+`,
  'gv',
);

const KNOWN = 1;
/** A letter, digit or mark that is not CJK: runs of these make a word. */
const RUN = 2;
/** A Han, Hiragana or Katakana character: a word of its own. */
const SINGLE = 4;
const UPPER = 8;
/** A letter or digit: what may not follow an acronym. */
const LETTER_OR_DIGIT = 16;

const IS_CJK = new RegExp(`[${CJK}]`, 'v');
const IS_RUN = /[\p{L}\p{N}\p{M}]/u;
const IS_UPPER = /\p{Lu}/u;
const IS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
export const SURROGATE = /[\ud800-\udfff]/;

// One byte per UTF-16 code unit, filled on first sight of each (64 KB in all).
const classes = new Uint8Array(0x10000);

export function classOf(code: number): number {
  // charCodeAt past the end is NaN: the end of the text has no class.
  if (!(code >= 0)) return 0;
  let c = classes[code] as number;
  if (c === 0) {
    const ch = String.fromCharCode(code);
    c = KNOWN;
    if (IS_CJK.test(ch)) c |= SINGLE;
    else if (IS_RUN.test(ch)) c |= RUN;
    if (IS_UPPER.test(ch)) c |= UPPER;
    if (IS_LETTER_OR_DIGIT.test(ch)) c |= LETTER_OR_DIGIT;
    classes[code] = c;
  }
  return c;
}

const DOT = 0x2e;

/**
 * The end of a dotted acronym starting at `start` ("U.S." or "U.S" before "Army"), or -1.
 * Tries the most dot-letter pairs first, then fewer, as the expression's backtracking does.
 */
function acronymEnd(text: string, start: number): number {
  let pairs = 0;
  let at = start + 1;
  while (text.charCodeAt(at) === DOT && classOf(text.charCodeAt(at + 1)) & UPPER) {
    pairs++;
    at += 2;
  }
  for (let k = pairs; k >= 1; k--) {
    const end = start + 1 + 2 * k;
    if (text.charCodeAt(end) === DOT && !(classOf(text.charCodeAt(end + 1)) & LETTER_OR_DIGIT)) return end + 1;
    if (!(classOf(text.charCodeAt(end)) & LETTER_OR_DIGIT)) return end;
  }
  return -1;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of text[start, end): the hash forEachWordSpan gives a word. */
export function hashSpan(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h | 0;
}

/**
 * The words of one text, read one at a time: each `next()` that returns true has set `start`,
 * `end` and `hash` (hashSpan, computed while the word's characters are read anyway, so a caller
 * looking words up by their characters need not read them again to hash them). The text is read
 * from `chars`, its UTF-16 code units copied once into an array the cursor keeps: a string's
 * charCodeAt checks the string's representation on every call, and analysis read each of an
 * item's ~5,000 characters two or three times (scanning, then comparing with known words).
 */
export class WordCursor {
  start = 0;
  end = 0;
  hash = 0;
  /** The text's code units; valid up to `length` until the next reset. */
  chars = new Uint16Array(4096);
  length = 0;
  private bytes = Buffer.from(this.chars.buffer);
  private at = 0;
  /** Text with characters outside the Basic Multilingual Plane is read by the expression instead. */
  private matches: IterableIterator<RegExpExecArray> | null = null;
  private text = '';

  /** Starts reading `text` from its beginning. */
  reset(text: string): this {
    if (text.length > this.chars.length) {
      this.chars = new Uint16Array(Math.max(text.length, this.chars.length * 2));
      this.bytes = Buffer.from(this.chars.buffer);
    }
    // UTF-16LE is the code units as they are, lone surrogates included.
    this.bytes.write(text, 0, 'utf16le');
    this.text = text;
    this.length = text.length;
    this.at = 0;
    this.matches = SURROGATE.test(text) ? text.matchAll(WORD) : null;
    return this;
  }

  next(): boolean {
    if (this.matches !== null) return this.nextMatch(this.matches);
    const chars = this.chars;
    const length = this.length;
    let i = this.at;
    while (i < length) {
      const code = chars[i]!;
      const c = classOf(code);
      if (c & UPPER && i + 1 < length && chars[i + 1] === DOT) {
        const end = acronymEnd(this.text, i);
        if (end > 0) return this.found(i, end, hashSpan(this.text, i, end));
      }
      if (c & SINGLE) return this.found(i, i + 1, Math.imul(FNV_OFFSET ^ code, FNV_PRIME) | 0);
      if (c & RUN) {
        let h = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
        let end = i + 1;
        for (; end < length; end++) {
          const next = chars[end]!;
          if (!(classOf(next) & RUN)) break;
          h = Math.imul(h ^ next, FNV_PRIME);
        }
        return this.found(i, end, h | 0);
      }
      i++;
    }
    this.at = length;
    return false;
  }

  private found(start: number, end: number, hash: number): true {
    this.start = start;
    this.end = end;
    this.hash = hash;
    this.at = end;
    return true;
  }

  private nextMatch(matches: IterableIterator<RegExpExecArray>): boolean {
    const { value: m, done } = matches.next();
    if (done) return false;
    return this.found(m.index, m.index + m[0].length, hashSpan(this.text, m.index, m.index + m[0].length));
  }
}

/** Calls `visit` with the start and end offsets of each word of `text`, in order, and its hashSpan. */
export function forEachWordSpan(text: string, visit: (start: number, end: number, hash: number) => void): void {
  const cursor = new WordCursor().reset(text);
  while (cursor.next()) visit(cursor.start, cursor.end, cursor.hash);
}
