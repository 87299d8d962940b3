import { requiredWasm } from '../wasm-module.js';
import { XXH64_WASM_BASE64 } from './xxh64-wasm.js';

// XXH64 (seed 0) of text written to it in pieces as UTF-8, in WebAssembly (xxh64.wat): ~0.4 µs
// for the 6.5 KB of an entry of the generated feeds, where SHA-256 took ~4.

interface Xxh64Exports {
  memory: WebAssembly.Memory;
  xxh64(length: number): void;
}

const hasher = requiredWasm<Xxh64Exports>(XXH64_WASM_BASE64, 'xxh64.wat');
/** Where the input starts in the module's memory; the hash is written before it. */
const INPUT_AT = 8;

let bytes = Buffer.from(hasher.memory.buffer);
let hash = new Uint32Array(hasher.memory.buffer, 0, 2);

/** Room for `needed` bytes of memory; growing it detaches the views, so they are made again. */
function reserve(needed: number): void {
  if (needed <= bytes.length) return;
  hasher.memory.grow(Math.ceil((needed - bytes.length) / 65536));
  bytes = Buffer.from(hasher.memory.buffer);
  hash = new Uint32Array(hasher.memory.buffer, 0, 2);
}

// Character codes of the hexadecimal digits, by value.
const HEX = [...'0123456789abcdef'].map((digit) => digit.charCodeAt(0));
const nibble = (word: number, shift: number): number => HEX[(word >>> shift) & 15]!;

/**
 * XXH64 of the `length` bytes of input, as 16 hexadecimal digits, most significant first (as xxhsum
 * prints it). From the digits' codes: two toString(16) and padStart took ~0.9 µs a hash, more than
 * hashing an entry's 8 KB; this ~0.05.
 */
function digestHex(length: number): string {
  hasher.xxh64(length);
  const high = hash[1]!;
  const low = hash[0]!;
  return String.fromCharCode(
    nibble(high, 28), nibble(high, 24), nibble(high, 20), nibble(high, 16),
    nibble(high, 12), nibble(high, 8), nibble(high, 4), nibble(high, 0),
    nibble(low, 28), nibble(low, 24), nibble(low, 20), nibble(low, 16),
    nibble(low, 12), nibble(low, 8), nibble(low, 4), nibble(low, 0),
  );
}

/**
 * One hash at a time: start(), add() its pieces, then hex(). The module's memory holds the input
 * (it grows to the largest input, as the word table's does), so there is one instance and hashes
 * cannot interleave.
 */
class Utf8Xxh64 {
  private length = 0;

  start(): void {
    this.length = 0;
  }

  add(text: string): void {
    // UTF-8 takes at most 3 bytes a UTF-16 code unit; a lone surrogate is written as U+FFFD.
    reserve(INPUT_AT + this.length + 3 * text.length);
    this.length += bytes.write(text, INPUT_AT + this.length, 'utf8');
  }

  /** The hash of what was added, as 16 hexadecimal digits, most significant first (as xxhsum prints it). */
  hex(): string {
    return digestHex(this.length);
  }
}

export const xxh64Text = new Utf8Xxh64();

/** XXH64 of bytes, as 16 hexadecimal digits (as xxhsum prints it). */
export function xxh64OfBytes(input: Uint8Array): string {
  reserve(INPUT_AT + input.length);
  bytes.set(input, INPUT_AT);
  return digestHex(input.length);
}
