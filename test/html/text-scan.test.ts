import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanTextChunk, scanWithPattern, scanWithWasm, TEXT_SCAN_SIMD } from '../../src/html/text-scan.js';

// text-scan.wat must say of every chunk what the patterns say: they are the definition, and the
// sanitizer takes either's answer by the chunk's length.

const wasmScan = (chunk: string): number => {
  const found = scanWithWasm(chunk);
  if (found === null) throw new Error(`not scanned in WebAssembly: ${chunk.length} units`);
  return found;
};

// Every kind of unit the scan tells apart, and the neighbours of its ranges.
const PIECES = [
  'a', 'Z', '0', '.', ' ', '  ', '&', '<', '>', '=', '?', ';', '\t', '\n', '\r', '\u000b', '\u000c', '\u0000', '\u0008',
  '\u000e', '\u001f', '\u007f', '\u0080', '\u009f', '\u00a0', '\u00a1', 'é', '\u1680', '\u167f', '\u1fff', '\u2000',
  '\u200a', '\u200b', '\u2019', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\u3001', '\ufeff', '\ufefe', '\ufffd',
  '\ufffe', '\uffff', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\ud83d\ude00', 'NATO',
];

describe('the text chunk scan in WebAssembly', () => {
  it('runs here: Node 20 has WebAssembly SIMD', () => {
    expect(TEXT_SCAN_SIMD).toBe(true);
  });

  it('agrees with the patterns on every code unit, at every place in a group of eight and in the tail', () => {
    const disagreements: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const unit = String.fromCharCode(code);
      for (const before of [0, 3, 7, 8, 15]) {
        const chunk = 'x'.repeat(before) + unit + 'y'.repeat(20 - before);
        if (wasmScan(chunk) !== scanWithPattern(chunk)) disagreements.push(`U+${code.toString(16)} after ${before}`);
      }
      if (wasmScan(unit) !== scanWithPattern(unit)) disagreements.push(`U+${code.toString(16)} alone`);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
  });

  it('finds two spaces in a row wherever they fall, across groups of eight too', () => {
    for (let at = 0; at < 24; at++) {
      const chunk = 'abcdefghijklmnopqrstuvwxyz'.slice(0, at) + '  ' + 'abcdefghijklmnopqrstuvwxyz';
      expect(wasmScan(chunk)).toBe(2);
      expect(wasmScan(chunk.replace('  ', ' '))).toBe(0);
    }
  });

  it('does not read a space past the end of a shorter chunk than the one before', () => {
    expect(wasmScan('x'.repeat(40) + '   ' + 'y'.repeat(40))).toBe(2);
    expect(wasmScan(`${'x'.repeat(40)} `)).toBe(0);
    expect(wasmScan(`${'x'.repeat(7)} `)).toBe(0);
  });

  it('agrees with the patterns on any mix of the pieces that matter, at any length', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }), fc.string({ maxLength: 40, unit: 'binary' }),
        (pieces, random) => {
          const chunk = pieces.join('') + random;
          expect(wasmScan(chunk)).toBe(scanWithPattern(chunk));
          expect(scanTextChunk(chunk)).toBe(scanWithPattern(chunk));
        }),
      { numRuns: 5000 },
    );
  });

  it('leaves a chunk longer than its memory to the patterns', () => {
    const long = `${'word '.repeat(40_000)}&`;
    expect(scanWithWasm(long)).toBeNull();
    expect(scanTextChunk(long)).toBe(1);
    expect(scanTextChunk(`${long}  `)).toBe(3);
  });
});
