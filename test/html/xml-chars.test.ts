import { describe, expect, it } from 'vitest';
import { withForbiddenSpacesKept, withoutForbiddenChars } from '../../src/html/xml-chars.js';

// XML 1.0's Char production, as a reference written independently of the code under test.
function isXmlChar(codePoint: number): boolean {
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd
    || (codePoint >= 0x20 && codePoint <= 0xd7ff)
    || (codePoint >= 0xe000 && codePoint <= 0xfffd)
    || (codePoint >= 0x10000 && codePoint <= 0x10ffff);
}

describe('withoutForbiddenChars', () => {
  it('drops each code unit XML forbids, alone in clean text, and keeps every other', () => {
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      // A lone surrogate is never a character; other units are one when XML allows them.
      const expected = unit >= 0xd800 && unit <= 0xdfff ? 'ab' : isXmlChar(unit) ? `a${char}b` : 'ab';
      if (withoutForbiddenChars(`a${char}b`) !== expected) wrong.push(unit.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it('keeps surrogate pairs and drops the halves that have no partner', () => {
    expect(withoutForbiddenChars('x\uD83D\uDE00y')).toBe('x\uD83D\uDE00y');
    expect(withoutForbiddenChars('\uDE00\uD83D\uDE00\uD83D')).toBe('\uD83D\uDE00');
    expect(withoutForbiddenChars('\uD83D\u0001\uDE00')).toBe('');
  });

  it('returns text it has nothing to drop from unchanged', () => {
    const text = 'Plain «text» with é, — and \uD83D\uDE00';
    expect(withoutForbiddenChars(text)).toBe(text);
  });
});

describe('withForbiddenSpacesKept', () => {
  it('makes a vertical tab or form feed a space and drops the other forbidden characters', () => {
    expect(withForbiddenSpacesKept('NATO\fsummit\u000Bin\u0001 Lisbon\uD800')).toBe('NATO summit in Lisbon');
    expect(withForbiddenSpacesKept('x\uD83D\uDE00y')).toBe('x\uD83D\uDE00y');
  });
});
