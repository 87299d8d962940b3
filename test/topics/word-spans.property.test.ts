import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import { forEachWordSpan, hashSpan, WORD } from '../../src/topics/word-spans.js';

// The scanner must find exactly the words the WORD expression defines: same starts, same ends.

// Each word comes with the hash of its characters, which the scanner computes as it reads them.
function scanned(text: string): [number, number][] {
  const spans: [number, number][] = [];
  forEachWordSpan(text, (start, end, hash) => {
    expect(hash).toBe(hashSpan(text, start, end));
    spans.push([start, end]);
  });
  return spans;
}

function matched(text: string): [number, number][] {
  return [...text.matchAll(WORD)].map((m) => [m.index, m.index + m[0].length]);
}

// Characters around every rule: acronym dots and capitals, CJK and kana, marks, digits, other
// scripts, apostrophes, punctuation, spaces, and a letter outside the Basic Multilingual Plane.
const PIECES = [
  'U', 'S', 'A', 'a', 'z', 'É', 'é', '.', '..', ' ', '  ', '\n', ',', '-', "'", '’', '3', '٣', 'e\u0301', '\u0301',
  '首', '脳', 'ミ', 'サ', 'ー', 'Ж', 'ж', 'Ω', 'ı', 'İ', 'ß', 'ﬁ', 'Ｎ', '«', '»', '…', '\u00a0', '나', '𝐍', '😀', 'ǅ',
];

describe('word spans', () => {
  it('agree with the WORD expression on any mix of the characters the rules turn on', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(scanned(text)).toEqual(matched(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agree with the WORD expression on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(scanned(text)).toEqual(matched(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree with the WORD expression on the text of every fixture feed', () => {
    const dir = resolve(import.meta.dirname, '../fixtures/feeds');
    const files = readdirSync(dir).filter((file) => /\.(xml|rss|atom|rdf|json|txt)$/.test(file));
    expect(files.length).toBeGreaterThan(4);
    let words = 0;
    for (const file of files) {
      const text = htmlToText(readFileSync(resolve(dir, file), 'latin1'));
      const spans = scanned(text);
      expect(spans).toEqual(matched(text));
      words += spans.length;
    }
    expect(words).toBeGreaterThan(1000);
  });
});
