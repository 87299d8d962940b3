import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadWords } from '../../src/stories/fingerprint.js';
import { storyWords } from '../../src/stories/normalize.js';

// leadWords normalizes a short slice first and a long one only when needed: it must give the
// first 80 words of the long slice (3,200 characters), whatever the words look like.
const reference = (text: string) => storyWords(text.slice(0, 3200)).slice(0, 80);

// Short and long words, so texts fall on both sides of the 800-character first slice; marks,
// ligatures and full-width letters, which normalization changes, next to separators.
const WORDS = ['a', 'of', 'NATO', 'summit', 'Medvédev', 'e\u0301', '\u0301', 'ﬁnally', 'ＮＡＴＯ', '2010', 'Москва',
  'https://example.com/a/very/long/path/to/an/article', 'internationalisation', 'x'.repeat(45)];
const GAPS = [' ', '  ', '-', ', ', '\n', '\u00a0', '…'];

describe('leadWords', () => {
  it('equals the first 80 words of the 3,200-character slice', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...GAPS)), { maxLength: 400 }), (parts) => {
        const text = parts.map(([word, gap]) => word + gap).join('');
        expect(leadWords(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals it where the first slice ends inside a word, just after the 80th', () => {
    for (let cut = 790; cut <= 810; cut++) {
      // 79 words of 9 characters, then one that the 800-character slice cuts, then more.
      const text = `${'abcdefgh '.repeat(79)}${'y'.repeat(cut - 711)} tail words here`;
      expect(leadWords(text)).toEqual(reference(text));
    }
  });
});
