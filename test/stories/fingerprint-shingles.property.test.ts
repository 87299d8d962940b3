import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintOfShingles, fingerprintStory, leadWords, storyText, type StoryFingerprint } from '../../src/stories/fingerprint.js';
import { hashString } from '../../src/stories/minhash.js';
import { isPlainSeparator, storyWords } from '../../src/stories/normalize.js';

// fingerprintStory hashes word pairs in place, reading ASCII text without normalizing it. The
// reference builds the pairs as strings from the normalized words: the sets must hash alike.
function pairs(words: string[], into: Set<string>): void {
  if (words.length === 1) into.add(words[0]!);
  for (let i = 1; i < words.length; i++) into.add(`${words[i - 1]} ${words[i]}`);
}

function reference(title: string, text: string) {
  const textWords = leadWords(text);
  const opening = new Set<string>();
  pairs(storyWords(title), opening);
  pairs(textWords.slice(0, 30), opening);
  const lead = new Set<string>();
  pairs(textWords, lead);
  for (const pair of opening) lead.delete(pair);
  return fingerprintOfShingles([...opening].map(hashString), [...lead].map(hashString));
}

function expectSameFingerprint(got: StoryFingerprint, want: StoryFingerprint): void {
  expect([...got.signature]).toEqual([...want.signature]);
  expect([...got.bandKeys]).toEqual([...want.bandKeys]);
}

// Mostly ASCII, as news is, with what normalization changes (case, marks, ligatures, full-width
// letters, other scripts) next to words and separators, and words long enough to reach the slices.
const WORDS = ['a', 'of', 'NATO', 'Nato', 'summit', 'US', 'U.S.', '2010', 'x1', 'Medvédev', 'e\u0301', '\u0301', 'ﬁnally',
  'ＮＡＴＯ', 'Москва', 'ΟΔΟΣ', 'İstanbul', 'https://example.com/a/very/long/path/to/an/article', 'x'.repeat(45)];
// Typographic separators the fingerprint reads without normalizing (’ “ ” – and the like, and a
// spacing accent and a soft hyphen, which fold to a space and a mark and to themselves), and what
// it must not: a circled letter and a fraction, whose compatibility forms hold a letter or digits,
// an emoji's surrogates, and a combining mark after ’.
const GAPS = [' ', '  ', '-', ', ', '. ', '\n', '\u00a0', '…', '—', "'", '', '’', ' “', '” ', '‘', ' – ', '«\u00a0', '\u00a0»',
  '\u00b4', '\u00ad', 'ⓐ', '½', ' 😀 ', '’\u0301'];
const text = (maxLength: number) =>
  fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...GAPS)), { maxLength }).map((parts) => parts.map(([w, g]) => w + g).join(''));

describe('fingerprintStory', () => {
  it('gives the fingerprint of the normalized words\' pairs, whatever the text', () => {
    fc.assert(
      fc.property(text(12), text(300), (title, body) => {
        const got = fingerprintStory(title, body);
        const want = reference(title, body);
        expectSameFingerprint(got, want);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives it for ASCII text whose 80th word ends at or next to the 3,200th character', () => {
    for (let cut = 3190; cut <= 3210; cut++) {
      const body = `${'wordwordw '.repeat(79)}${'y'.repeat(cut - 790)}${cut % 2 ? ' tail' : 'é tail'}`;
      for (const title of ['', 'Solo', 'Two Words', 'Ünïcode title']) {
        const got = fingerprintStory(title, body);
        const want = reference(title, body);
        expectSameFingerprint(got, want);
      }
    }
  });

  it('gives the same fingerprint for the joined summary and content as for storyText of them', () => {
    // Words of about 40 characters, so that the 80th word ends near the cut, in either part.
    const LONG = ['x'.repeat(38), 'Medvédev'.repeat(5), 'y'.repeat(41), 'NATO', 'summit', 'https://example.com/a/very/long/path/to/it'];
    const longText = (maxLength: number) => fc.array(fc.tuple(fc.constantFrom(...LONG), fc.constantFrom(...GAPS)), { maxLength })
      .map((parts) => parts.map(([w, g]) => w + g).join(''));
    fc.assert(
      fc.property(text(12), fc.oneof(text(40), longText(100)), longText(110), (title, summary, content) => {
        const cut = storyText(summary, content);
        expect(cut.length).toBeLessThanOrEqual(3200);
        const got = fingerprintStory(title, cut);
        const want = fingerprintStory(title, `${summary} ${content}`);
        expectSameFingerprint(got, want);
      }),
      { numRuns: 500 },
    );
  });

  it('gives it for storyText when the 80th word ends at or next to the cut, in the summary or the content', () => {
    for (let cut = 3190; cut <= 3210; cut++) {
      const joined = `${'wordwordw '.repeat(79)}${'y'.repeat(cut - 790)} ${cut % 2 ? 'tail' : 'é tail'}`;
      // Split at a space, so that summary, space and content are the joined text again.
      for (const at of [9, 499, cut]) {
        const [summary, content] = [joined.slice(0, at), joined.slice(at + 1)];
        expect(`${summary} ${content}`).toBe(joined);
        const got = fingerprintStory('Title', storyText(summary, content));
        const want = fingerprintStory('Title', joined);
        expectSameFingerprint(got, want);
      }
    }
  });

  it('gives each item its own fingerprint while its tables are reused from item to item', () => {
    const a = fingerprintStory('Storm closes two ferry ports', 'High winds and heavy seas halted crossings from both ports.');
    const kept = [...a.signature];
    const b = fingerprintStory('Port workers vote to strike over pay', 'Dock workers at the container port voted to strike over pay.');
    expect([...a.signature]).toEqual(kept);
    expect([...b.signature]).toEqual([...reference('Port workers vote to strike over pay', 'Dock workers at the container port voted to strike over pay.').signature]);
    expect([...fingerprintStory('Storm closes two ferry ports', 'High winds and heavy seas halted crossings from both ports.').signature]).toEqual(kept);
  });

  it('reads every code unit it takes for a plain separator as storyWords does: between words, beside ASCII punctuation and marks, twice over', () => {
    let separators = 0;
    for (let code = 0x80; code <= 0xffff; code++) {
      if (!isPlainSeparator(code)) continue;
      separators++;
      const unit = String.fromCharCode(code);
      for (const [written, words] of [
        [`Ab1${unit}Cd2`, ['ab1', 'cd2']], [`${unit}x${unit}${unit}y${unit}`, ['x', 'y']], [`a.${unit}-b`, ['a', 'b']], [unit, []],
      ] as const) {
        expect(storyWords(written), `U+${code.toString(16)} in ${JSON.stringify(written)}`).toEqual(words);
      }
      const title = `Nato${unit}summit`;
      const body = `Leaders${unit}met in${unit}${unit}Brussels on Monday${unit}`;
      expectSameFingerprint(fingerprintStory(title, body), reference(title, body));
    }
    // The common ones are among them; letters, marks, surrogates and compatibility letters are not.
    for (const unit of '’‘“”«»–—…\u00a0\u2009\u00ad•') expect(isPlainSeparator(unit.charCodeAt(0)), unit).toBe(true);
    for (const unit of 'éßİ\u0301\ud83d\ude00ﬁＡⓐ½²') expect(isPlainSeparator(unit.charCodeAt(0)), unit).toBe(false);
    expect(separators).toBeGreaterThan(1000);
  });
});
