import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MINHASH_SIMD, nestedMinHash, nestedMinHashPortable } from '../../src/stories/minhash.js';

function both(inner: number[], outer: number[], k: number, innerK: number) {
  const simd = { whole: new Uint32Array(k), inner: new Uint32Array(innerK) };
  const portable = { whole: new Uint32Array(k), inner: new Uint32Array(innerK) };
  nestedMinHash(inner, outer, simd.whole, simd.inner);
  nestedMinHashPortable(inner, outer, portable.whole, portable.inner);
  return { simd, portable };
}

const hash = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe('nestedMinHash in WebAssembly SIMD', () => {
  it('runs in SIMD on this node', () => {
    expect(MINHASH_SIMD).toBe(true);
  });

  it("gives the JavaScript loop's minimums for the fingerprint's sizes and any others", () => {
    fc.assert(
      fc.property(
        fc.array(hash, { maxLength: 120 }),
        fc.array(hash, { maxLength: 200 }),
        fc.constantFrom([128, 96], [96, 96], [128, 0], [4, 4], [8, 4], [256, 128], [130, 96], [6, 2], [300, 4]),
        (inner, outer, [k, innerK]) => {
          const { simd, portable } = both(inner, outer, k!, innerK!);
          expect(simd).toEqual(portable);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives them for sets up to and past what its memory holds (past it, the loop runs)', () => {
    for (const size of [15_000, 15_616, 15_617, 40_000]) {
      const inner = Array.from({ length: size >> 2 }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0);
      const outer = Array.from({ length: size - inner.length }, (_, i) => Math.imul(i + 7, 0x85ebca6b) >>> 0);
      const { simd, portable } = both(inner, outer, 128, 96);
      expect(simd).toEqual(portable);
      expect(simd.whole.every((value) => value < 0xffffffff)).toBe(true);
    }
  });

  it('starts every minimum afresh: results do not depend on the call before', () => {
    const first = both([1, 2, 3], [4, 5], 128, 96);
    const after = both([], [], 128, 96);
    expect(after.simd).toEqual(after.portable);
    expect(after.simd.whole.every((value) => value === 0xffffffff)).toBe(true);
    expect(first.simd).toEqual(first.portable);
  });
});
