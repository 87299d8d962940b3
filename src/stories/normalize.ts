// The words a fingerprint is built from. Kept here rather than shared with topic matching:
// clustering wants every word (stop words carry word order in shingles), no stemming, and must
// not change when search tuning does.

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_A_WORD = /[^\p{L}\p{N}]+/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
}

/** NFKC (full-width letters, ligatures), lowercase, accents stripped, split on anything not a letter or digit. */
export function storyWords(text: string): string[] {
  return fold(text).split(NOT_A_WORD).filter((word) => word !== '');
}

// Per UTF-16 code unit from 128 up: 0 not judged yet, SEPARATES or JOINS.
const SEPARATES = 1;
const JOINS = 2;
const nonAsciiKinds = new Uint8Array(0x10000);

/**
 * Whether a code unit of 128 or more is, wherever it stands, a separator that storyWords leaves
 * as one: folded alone it is something, and nothing in it is a letter or a digit ("’", "“",
 * "—", "…", a no-break space). A mark is not one (it folds to nothing: it belongs to the letter
 * before it), nor half of a surrogate pair, nor anything whose compatibility form holds a letter
 * or digit ("ﬁ", full-width "Ａ", "½"). Text made of ASCII and these splits into the words its
 * ASCII letters and digits make, lower-cased, with no normalizing; news is mostly such text, its
 * quotes and dashes typographic.
 */
export function isPlainSeparator(code: number): boolean {
  let kind = nonAsciiKinds[code]!;
  if (kind === 0) {
    const unit = String.fromCharCode(code);
    const folded = fold(unit);
    const separates = code >= 0x80 && (code < 0xd800 || code > 0xdfff) && folded !== '' && !LETTER_OR_NUMBER.test(folded);
    kind = separates ? SEPARATES : JOINS;
    nonAsciiKinds[code] = kind;
  }
  return kind === SEPARATES;
}
