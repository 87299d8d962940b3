import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xxh64Text } from '../../src/ingest/xxh64.js';

const hashOf = (...pieces: string[]): string => {
  xxh64Text.start();
  for (const piece of pieces) xxh64Text.add(piece);
  return xxh64Text.hex();
};

/** Printable ASCII of any length, the same each time: its UTF-8 is its characters. */
const ascii = (length: number): string => {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(((i * 31 + 7) % 95) + 32);
  return text;
};

describe('XXH64 in WebAssembly', () => {
  // By the reference implementation, xxhsum -H64 (xxHash 0.8.1), over the same bytes: every
  // path of the function (no stripe, stripes, and the 8-, 4- and 1-byte tails), and inputs
  // past the module's first memory.
  it.each([
    [0, 'ef46db3751d8e999'], [1, 'b589561b799fa198'], [3, '8c61282fd42d3cef'], [4, 'ee4dfdf50180cc4a'],
    [7, 'e113edc607a01b07'], [8, '403650e0052e52e5'], [11, '7ba0bb1a45837d5f'], [12, 'ff1115388044edb2'],
    [31, 'ed5830d6249405f0'], [32, 'e2e1da0499c109cc'], [33, '49b2b66ad57c46d6'], [35, '28e530c3e8798d9e'],
    [63, '1c8b0feefdf280dd'], [64, '7d388dfcee06c17b'], [100, 'e580c3ecc84d92e2'], [1000, '9a8996f72a768bc1'],
    [6500, 'e46774c7fb71ac94'], [200000, '457c918162df9b37'],
  ])('hashes %i bytes as the reference does', (length, expected) => {
    expect(hashOf(ascii(length))).toBe(expected);
  });

  it.each([
    ['a', 'd24ec4f1a98c6e5b'],
    ['NATO summit', '0195597c934f6aef'],
    ['Zoë “quoted” 日本 \u{1F600}', '231a93eb3bc9fc69'],
  ])('hashes the UTF-8 of %j as the reference does', (text, expected) => {
    expect(hashOf(text)).toBe(expected);
  });

  it('is the same however the text is cut into pieces, and after a longer hash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), fc.array(fc.nat(300), { maxLength: 5 }), (text, cuts) => {
        const whole = hashOf(text);
        const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        // Cut between code points, as the entry hash's pieces are.
        const pieces: string[] = [];
        let from = 0;
        for (const cut of at) {
          if (cut > from && !(text.charCodeAt(cut) >= 0xdc00 && text.charCodeAt(cut) <= 0xdfff)) {
            pieces.push(text.slice(from, cut));
            from = cut;
          }
        }
        pieces.push(text.slice(from));
        hashOf(ascii(5000));
        expect(hashOf(...pieces)).toBe(whole);
        expect(hashOf(text, 'x')).not.toBe(whole);
      }),
      { numRuns: 500 },
    );
  });
});
