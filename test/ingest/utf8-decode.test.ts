import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValidUtf8, MAX_DECODED_BYTES } from '../../src/ingest/utf8-decode.js';

// Code points from every length of UTF-8 sequence, their edges included, and the typographic
// characters news text is full of; never a surrogate code point (not valid UTF-8).
const CODE_POINTS = [
  0x00, 0x0a, 0x20, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x2019, 0x201c, 0x2014, 0xd7ff, 0xe000, 0xfeff, 0xfffd, 0xffff,
  0x10000, 0x1f600, 0x10ffff,
];
const codePoint = fc.oneof(
  fc.constantFrom(...CODE_POINTS),
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
);

function roundTrip(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  expect(decodeValidUtf8(bytes)).toBe(text);
}

describe('decodeValidUtf8', () => {
  it('gives back the text of any valid UTF-8, whatever its characters', () => {
    fc.assert(
      fc.property(fc.array(codePoint, { maxLength: 120 }), (points) => roundTrip(String.fromCodePoint(...points))),
      { numRuns: 5000 },
    );
  });

  it('decodes a character of each length at every place around a group of sixteen bytes', () => {
    for (const character of ['é', '’', '😀', '\u0080', '\uffff']) {
      for (let length = 16; length <= 50; length++) {
        for (let at = 0; at <= length; at++) roundTrip(`${'a'.repeat(at)}${character}${'b'.repeat(length - at)}`);
      }
    }
  });

  it('decodes text far longer than the memory it started with, text past what it decodes itself, and shorter text after them', () => {
    const line = 'NATO’s summit — “agreed” in Zürich 😀 ';
    const long = line.repeat(Math.floor(MAX_DECODED_BYTES / Buffer.byteLength(line)));
    expect(Buffer.byteLength(long)).toBeGreaterThan(MAX_DECODED_BYTES - 100);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_DECODED_BYTES);
    roundTrip(long);
    roundTrip(long + line);
    roundTrip('Short “text” after');
  });

  it('reads ASCII as V8 does', () => {
    for (const text of ['', 'a', '<rss version="2.0">'.repeat(50)]) roundTrip(text);
  });
});
