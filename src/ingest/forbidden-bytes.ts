import { embeddedWasm } from '../wasm-module.js';
import { FORBIDDEN_BYTES_WASM_BASE64 } from './forbidden-bytes-wasm.js';

// The feed parser drops the characters XML forbids before it reads a document (formats/xml.ts).
// Looking for them with a pattern over the decoded text took ~7.3 µs an item of the generated
// feeds, a pattern test over every piece of every document; asking the bytes, in WebAssembly
// SIMD, ~1.4 µs. A document whose bytes hold none is read without the pattern: parsing the
// generated feeds, three alternating rounds, 19.5-21.7 against 23.3-23.7 µs an item.

interface ForbiddenBytesExports {
  memory: WebAssembly.Memory;
  scan(length: number): number;
}

const bytesModule = embeddedWasm<ForbiddenBytesExports>(FORBIDDEN_BYTES_WASM_BASE64);
/** forbidden-bytes.wat and its memory (it never grows); null where WebAssembly SIMD is missing. */
const wasm = bytesModule === null ? null : { scan: bytesModule.scan, memory: new Uint8Array(bytesModule.memory.buffer) };
/** Whether documents' bytes are asked at all (false: every document goes through the pattern). */
export const FORBIDDEN_BYTES_SIMD = wasm !== null;

/** Bytes scanned a call: the module's memory holds one window and the two bytes after it. */
export const WINDOW_BYTES = 64 * 1024;
/** A forbidden character is at most 3 bytes long: so many more are read past each window. */
const LOOK_AHEAD = 2;

/**
 * Whether a character XML forbids may start in `bytes`, text in UTF-8 or a single-byte Latin
 * encoding, where each C0 control is a byte of its own and no other byte decodes to one: a
 * control byte but tab, LF and CR, or 0xEF 0xBF 0xBE/0xBF (U+FFFE, U+FFFF in UTF-8; in a Latin
 * encoding three other characters, which only send such text to the pattern). Null where
 * WebAssembly SIMD is missing: not known.
 */
export function holdsForbiddenBytes(bytes: Uint8Array): boolean | null {
  if (wasm === null) return null;
  for (let start = 0; start < bytes.length; start += WINDOW_BYTES) {
    const length = Math.min(WINDOW_BYTES, bytes.length - start);
    const after = Math.min(LOOK_AHEAD, bytes.length - start - length);
    wasm.memory.set(bytes.subarray(start, start + length + after), 0);
    wasm.memory.fill(0, length + after, length + LOOK_AHEAD);
    if (wasm.scan(length) === 1) return true;
  }
  return false;
}
