import { isAscii } from 'node:buffer';
import { embeddedWasm } from '../wasm-module.js';
import { UTF8_DECODE_WASM_BASE64 } from './utf8-decode-wasm.js';

// Valid UTF-8 → text. News text is ASCII but for its typographic quotes, dashes and accented
// names, and V8 decodes a piece with any of those a byte at a time: the 32 KB pieces of the
// generated feeds, given real news's ’ “ ” —, took ~7.3 µs an item against ~0.65 as ASCII. Here
// sixteen bytes go at a time (utf8-decode.wat) into code units, which become a string by a copy:
// decodeBodyChunks over 100 such feeds, 3.8-4.0 against 8.5-9.9 µs an item. Text without a byte
// of 0x80 or more is left to V8, which reads it as fast.

interface Utf8DecodeExports {
  memory: WebAssembly.Memory;
  decode(length: number, out: number): number;
}

const decoder = embeddedWasm<Utf8DecodeExports>(UTF8_DECODE_WASM_BASE64);

/**
 * Bytes decoded here at most; longer text is left to V8. The module's memory never shrinks, and
 * holds three bytes for each byte of the longest text it decoded; decode.ts cuts documents into
 * pieces of ~32 KB, so only a long run of text without a tag comes near this.
 */
export const MAX_DECODED_BYTES = 1024 * 1024;
let memory = decoder === null ? null : Buffer.from(decoder.memory.buffer);

/** Where the code units of `length` bytes go: past the bytes, 16-byte aligned. */
function unitsAt(length: number): number {
  return (length + 15) & ~15;
}

/**
 * The text of bytes that are valid UTF-8 (checked by the caller: invalid bytes come out wrong
 * rather than as U+FFFD). Where WebAssembly SIMD is missing, V8's decoding.
 */
export function decodeValidUtf8(bytes: Buffer): string {
  if (decoder === null || memory === null || bytes.length < 16 || bytes.length > MAX_DECODED_BYTES || isAscii(bytes)) {
    return bytes.toString('utf8');
  }
  const out = unitsAt(bytes.length);
  // A unit a byte at most, and a group's 16 written whole past the last that counts.
  const needed = out + 2 * (bytes.length + 16);
  if (needed > memory.length) {
    decoder.memory.grow(Math.ceil((needed - memory.length) / 65536));
    memory = Buffer.from(decoder.memory.buffer);
  }
  memory.set(bytes, 0);
  const units = decoder.decode(bytes.length, out);
  return memory.toString('utf16le', out, out + 2 * units);
}
