import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import { compileQuery, vocabularyOf } from '../../src/topics/match.js';
import { parseQuery } from '../../src/topics/query.js';
import { analyzeDoc, tokenize, type Vocabulary, wordForms } from '../../src/topics/text.js';
import { formsOf, knownWordCount, scanKeptWords } from '../../src/topics/word-table.js';

// word-scan.wat reads text without surrogates for analysis; tokenize reads it with the word
// cursor in JavaScript. Both must find the same words at the same positions, with the same
// clause starts, and keep exactly the words the vocabulary keeps.

interface Reported {
  surface: string;
  position: number;
  clauseStart: boolean;
}

function scanned(text: string, vocabulary: Vocabulary | null): { kept: Reported[]; counted: number } {
  const kept: Reported[] = [];
  const counted = scanKeptWords(text, vocabulary, wordForms, (entry, position, clauseStart) => {
    kept.push({ surface: formsOf(entry).surface, position, clauseStart });
  });
  return { kept, counted };
}

function expected(text: string, vocabulary: Vocabulary | null): { kept: Reported[]; counted: number } {
  const tokens = tokenize(text);
  const kept = tokens
    .map((token, position) => ({ token, position }))
    .filter(({ token }) => vocabulary === null || vocabulary.keeps(token))
    .map(({ token, position }) => ({ surface: token.surface, position, clauseStart: token.clauseStart }));
  return { kept, counted: tokens.length };
}

const vocabulary = (query: string): Vocabulary => {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(query);
  return vocabularyOf([compileQuery(parsed.query)]);
};

// Characters around every rule: acronym dots and capitals, CJK and kana, marks, digits, other
// scripts, apostrophes and possessives, clause punctuation, spaces. No surrogates: text with
// them is read in JavaScript.
const PIECES = [
  'U', 'S', 'A', 's', 'a', 'z', 'É', 'é', '.', '..', ' ', '  ', '\n', ',', ';', '!', '(', '…', '-', "'", '’', 'ʼ', '`', '´',
  "'s", '’s', 'S', '3', '٣', 'e\u0301', '\u0301', '首', '脳', 'ミ', 'サ', 'ー', '⺀', 'Ж', 'ж', 'Ω', 'ı', 'İ', 'ß', 'ﬁ', 'Ｎ',
  '«', '»', '\u00a0', '나', 'ǅ', 'nato', 'NATO', 'defence', 'missiles',
];
const noSurrogates = (text: string) => text.replace(/[\ud800-\udfff]/g, 'x');

describe('the word loop in WebAssembly', () => {
  it('finds the words tokenize finds, with their positions and clause starts, in any mix of the characters the rules turn on', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(scanned(text, null)).toEqual(expected(text, null));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the words tokenize finds in arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        const text = noSurrogates(raw);
        expect(scanned(text, null)).toEqual(expected(text, null));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps exactly the words a vocabulary keeps, at the positions of all words', () => {
    const queries = ['NATO', 'defense OR "missile defence"', 'miss*', 'U.S.', '首脳', 'cafe OR ж*', 'zzz'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), fc.constantFrom(...queries), (pieces, query) => {
        const text = pieces.join('');
        const words = vocabulary(query);
        expect(scanned(text, words)).toEqual(expected(text, words));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the text of every fixture feed as tokenize does', () => {
    const dir = resolve(import.meta.dirname, '../fixtures/feeds');
    const files = readdirSync(dir).filter((file) => /\.(xml|rss|atom|rdf|json|txt)$/.test(file));
    const nato = vocabulary('NATO OR "missile defence" OR Lisbon');
    let kept = 0;
    for (const file of files) {
      const text = noSurrogates(htmlToText(readFileSync(resolve(dir, file), 'latin1')));
      expect(scanned(text, null)).toEqual(expected(text, null));
      const result = scanned(text, nato);
      expect(result).toEqual(expected(text, nato));
      kept += result.kept.length;
    }
    expect(kept).toBeGreaterThan(10);
  });

  it('reports more kept words than one call holds, and words met after the table was emptied', () => {
    // 4,096 reports fit in one call; 100,000 entries in the table. 120,000 distinct words in one
    // text fill both, so the table empties itself while the text is being read.
    const words = Array.from({ length: 120_000 }, (_, i) => `w${i.toString(36)}x`);
    const text = words.join(' ');
    const { kept, counted } = scanned(text, null);
    expect(counted).toBe(words.length);
    expect(kept.map((word) => word.surface)).toEqual(words);
    expect(kept.map((word) => word.position)).toEqual(words.map((_, i) => i));
  });

  it('tells apart words of one length whose hashes are equal', () => {
    // FNV-1a gives "yaczfa" and "glbppa" the same 32-bit hash: the table must compare characters.
    const { kept } = scanned('yaczfa glbppa yaczfa glbppa', null);
    expect(kept.map((word) => word.surface)).toEqual(['yaczfa', 'glbppa', 'yaczfa', 'glbppa']);
    const pick = vocabulary('glbppa');
    expect(scanned('yaczfa glbppa', pick).kept).toEqual([{ surface: 'glbppa', position: 1, clauseStart: false }]);
  });

  it('reads a word longer than the table can hold, without forgetting the words it knows', () => {
    const nato = vocabulary('NATO');
    expect(scanned('NATO Lisbon', nato).kept).toEqual([{ surface: 'NATO', position: 0, clauseStart: true }]);
    // The table holds 2,097,152 code units of words: this one is read without being remembered.
    const long = 'a'.repeat(2_200_000);
    const known = knownWordCount();
    const { kept, counted } = scanned(`${long} NATO`, null);
    // Nothing was forgotten to make room for a word that would not fit anyway.
    expect(knownWordCount()).toBe(known);
    expect(counted).toBe(2);
    expect(kept.map((word) => word.surface.length)).toEqual([long.length, 4]);
    expect(scanned(`Lisbon ${long} NATO`, nato).kept).toEqual([{ surface: 'NATO', position: 2, clauseStart: false }]);
  });

  it('leaves text with half of a surrogate pair anywhere to JavaScript, having reported nothing, and reads the units just outside them', () => {
    for (let length = 1; length <= 40; length++) {
      for (let at = 0; at < length; at++) {
        for (const unit of [0xd800, 0xdbff, 0xdc00, 0xdfff]) {
          const text = 'NATO ab'.repeat(6).slice(0, length).split('');
          text[at] = String.fromCharCode(unit);
          let reported = 0;
          expect(scanKeptWords(text.join(''), null, wordForms, () => reported++), `${length} ${at}`).toBe(-1);
          expect(reported).toBe(0);
        }
        for (const unit of [0xd7ff, 0xe000]) {
          const text = 'NATO ab'.repeat(6).slice(0, length).split('');
          text[at] = String.fromCharCode(unit);
          expect(scanned(text.join(''), null)).toEqual(expected(text.join(''), null));
        }
      }
    }
  });

  it('reads a text longer than the memory it started with', () => {
    const text = `${'defence '.repeat(600_000)}NATO`;
    const { kept, counted } = scanned(text, vocabulary('NATO'));
    expect(counted).toBe(600_001);
    expect(kept).toEqual([{ surface: 'NATO', position: 600_000, clauseStart: false }]);
  });
});

describe('the table of known words', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  it.each([
    ['read in WebAssembly', ''],
    ['read in JavaScript (text with a surrogate)', ' \ud83d\ude00'],
  ])('keeps no text alive through the words it remembers, %s', (_, extra) => {
    // A long word first seen in a text: a slice of the text (what V8 makes of a substring of 13
    // characters or more) would keep the whole text alive for as long as the word is known.
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 40; i++) {
      const filler = ' '.repeat(1 << 20);
      analyzeDoc({
        title: '', summary: '', contentHtml: '', contentText: `${filler} internationalization${run}q${i}${extra}`,
        categories: [], authors: [], feedTitle: null, feedId: null, language: null,
      }, null);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 40 texts of 1 MB each would be 40 MB.
    expect(grown).toBeLessThan(8 * 2 ** 20);
  });
});
