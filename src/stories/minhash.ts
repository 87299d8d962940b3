import { embeddedWasm } from '../wasm-module.js';
import { MINHASH_WASM_BASE64 } from './minhash-simd.js';

// MinHash over a set of strings, with 32-bit hashes. Each of the k hash functions is the shingle's
// base hash xor a fixed seed, pushed through MurmurHash3's finalizer (a bijection on 32 bits), so
// the k functions behave as independent random permutations while costing a few multiplications.

/** MurmurHash3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
export function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over the UTF-16 code units of text, continuing from state h. Unfinalized, so a shingle can
 * be hashed on from a word's state.
 */
export function fnvFrom(h: number, text: string): number {
  let state = h;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), FNV_PRIME);
  return state;
}

/** FNV-1a over UTF-16 code units, finalized: the base hash of one shingle. */
export function hashString(text: string): number {
  return fmix32(fnvFrom(FNV_OFFSET, text));
}

// Seeds come from a fixed splitmix32 stream: stored signatures must be comparable across restarts
// and releases, so these never change (change SIGNATURE_VERSION in fingerprint.ts if they must).
function seeds(count: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    out[i] = fmix32(state);
  }
  return out;
}

const seedsByCount = new Map<number, Uint32Array>();

/** Where minhash.wat's inputs and outputs sit in its memory, in 32-bit words. */
const SIMD_MAX_HASHES = 256;
const SIMD_WHOLE = SIMD_MAX_HASHES;
const SIMD_INNER = 2 * SIMD_MAX_HASHES;
const SIMD_BASES = 3 * SIMD_MAX_HASHES;

interface SimdExports {
  memory: WebAssembly.Memory;
  nestedMinHash(whole: number, innerMins: number, bases: number, nInner: number, nOuter: number, k: number, innerK: number): void;
}

/** minhash.wat's function, and its memory as words (it never grows, so one view serves every call). */
interface SimdMinHash {
  run: SimdExports['nestedMinHash'];
  words: Uint32Array;
}

/** minhash.wat, with the seeds of its SIMD_MAX_HASHES functions written in; null where WebAssembly SIMD is missing. */
function loadSimd(): SimdMinHash | null {
  const exports = embeddedWasm<SimdExports>(MINHASH_WASM_BASE64);
  if (exports === null) return null;
  const words = new Uint32Array(exports.memory.buffer);
  words.set(seeds(SIMD_MAX_HASHES));
  return { run: exports.nestedMinHash, words };
}

const simd = loadSimd();
/** Whether nestedMinHash runs in WebAssembly SIMD (false: in JavaScript, with the same results). */
export const MINHASH_SIMD = simd !== null;

/**
 * MinHash of two nested sets at once, given each shingle's base hash (hashString), written into
 * `whole` and `innerMins`: `whole` (its length k of hashes) is `inner` plus `outer`, and `inner`
 * also gets its own k' ≤ k hashes. Seeds come from one stream, so the first k' hash functions of
 * the whole set are the inner set's: each shingle is hashed once for both, and each set's minimums
 * are what hashing it alone would give. The caller owns the arrays, so a fingerprint can write its
 * signature in place and reuse the inner one. Four functions at a time in WebAssembly SIMD when k
 * and k' allow (multiples of 4, at most 256, the sets within its memory): ~5× faster than the
 * loop below, which is the reference the SIMD results are held to (test/stories/minhash-simd.test.ts).
 */
export function nestedMinHash(inner: ArrayLike<number>, outer: ArrayLike<number>, whole: Uint32Array, innerMins: Uint32Array): void {
  const k = whole.length;
  const innerK = innerMins.length;
  if (innerK > k) throw new RangeError('the inner set cannot have more hashes than the whole');
  if (simd === null || k % 4 !== 0 || innerK % 4 !== 0 || k > SIMD_MAX_HASHES
    || SIMD_BASES + inner.length + outer.length > simd.words.length) {
    nestedMinHashPortable(inner, outer, whole, innerMins);
    return;
  }
  const { run, words } = simd;
  words.set(inner, SIMD_BASES);
  words.set(outer, SIMD_BASES + inner.length);
  run(4 * SIMD_WHOLE, 4 * SIMD_INNER, 4 * SIMD_BASES, inner.length, outer.length, k, innerK);
  whole.set(words.subarray(SIMD_WHOLE, SIMD_WHOLE + k));
  innerMins.set(words.subarray(SIMD_INNER, SIMD_INNER + innerK));
}

/** nestedMinHash one function at a time, in JavaScript. */
export function nestedMinHashPortable(inner: ArrayLike<number>, outer: ArrayLike<number>, whole: Uint32Array, innerMins: Uint32Array): void {
  const k = whole.length;
  const innerK = innerMins.length;
  if (innerK > k) throw new RangeError('the inner set cannot have more hashes than the whole');
  let seed = seedsByCount.get(k);
  if (!seed) seedsByCount.set(k, (seed = seeds(k)));
  whole.fill(0xffffffff);
  innerMins.fill(0xffffffff);
  for (let s = 0; s < inner.length; s++) {
    const base = inner[s]!;
    for (let i = 0; i < innerK; i++) {
      const h = fmix32((base ^ seed[i]!) >>> 0);
      if (h < whole[i]!) whole[i] = h;
      if (h < innerMins[i]!) innerMins[i] = h;
    }
    for (let i = innerK; i < k; i++) {
      const h = fmix32((base ^ seed[i]!) >>> 0);
      if (h < whole[i]!) whole[i] = h;
    }
  }
  for (let s = 0; s < outer.length; s++) {
    const base = outer[s]!;
    for (let i = 0; i < k; i++) {
      const h = fmix32((base ^ seed[i]!) >>> 0);
      if (h < whole[i]!) whole[i] = h;
    }
  }
}
