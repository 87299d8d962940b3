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
const SURROGATE = /[\ud800-\udfff]/;

// One byte per UTF-16 code unit, filled on first sight of each (64 KB in all).
const classes = new Uint8Array(0x10000);

function classOf(code: number): number {
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
 * Calls `visit` with the start and end offsets of each word of `text`, in order, and the word's
 * hashSpan: computed while the word's characters are read anyway, so a caller looking words up
 * by their characters need not read them again to hash them.
 */
export function forEachWordSpan(text: string, visit: (start: number, end: number, hash: number) => void): void {
  if (SURROGATE.test(text)) {
    for (const m of text.matchAll(WORD)) visit(m.index, m.index + m[0].length, hashSpan(text, m.index, m.index + m[0].length));
    return;
  }
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    const c = classOf(code);
    if (c & UPPER && text.charCodeAt(i + 1) === DOT) {
      const end = acronymEnd(text, i);
      if (end > 0) {
        visit(i, end, hashSpan(text, i, end));
        i = end;
        continue;
      }
    }
    if (c & SINGLE) {
      visit(i, i + 1, Math.imul(FNV_OFFSET ^ code, FNV_PRIME) | 0);
      i++;
    } else if (c & RUN) {
      let h = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
      let end = i + 1;
      for (; end < length; end++) {
        const next = text.charCodeAt(end);
        if (!(classOf(next) & RUN)) break;
        h = Math.imul(h ^ next, FNV_PRIME);
      }
      visit(i, end, h | 0);
      i = end;
    } else {
      i++;
    }
  }
}
