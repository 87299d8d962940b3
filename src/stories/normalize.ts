// The words a fingerprint is built from. Kept here rather than shared with topic matching:
// clustering wants every word (stop words carry word order in shingles), no stemming, and must
// not change when search tuning does.

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_A_WORD = /[^\p{L}\p{N}]+/u;

/** NFKC (full-width letters, ligatures), lowercase, accents stripped, split on anything not a letter or digit. */
export function storyWords(text: string): string[] {
  const folded = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
  return folded.split(NOT_A_WORD).filter((word) => word !== '');
}
