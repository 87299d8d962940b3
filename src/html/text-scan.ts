import { embeddedWasm } from '../wasm-module.js';
import { TEXT_SCAN_WASM_BASE64 } from './text-scan-wasm.js';
import { FORBIDDEN_CLASS } from './xml-chars.js';

// A text chunk is scanned once for both of its uses in the sanitizer: for what escaping changes,
// and for whitespace collapse() would replace (any but a single space).

/** Characters escaping changes: markup, or those XML forbids. */
export const HAS_MARKUP = 1;
/** Whitespace other than single spaces: JavaScript's \s but the space, or two spaces in a row. */
export const HAS_UNEVEN_SPACE = 2;

// JavaScript's \s spelled out, which scans ~10% faster than [^\S ].
const UNEVEN = '[\\t-\\r\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]| {2}';
const MARKUP_OR_UNEVEN_SPACE = new RegExp(`([&<>${FORBIDDEN_CLASS}])|${UNEVEN}`, 'g');
const MARKUP = new RegExp(`[&<>${FORBIDDEN_CLASS}]`, 'g');
const UNEVEN_SPACE = new RegExp(UNEVEN, 'g');

/** The chunk's bits by the patterns: the first match tells one, the rest is read for the other. */
export function scanWithPattern(chunk: string): number {
  MARKUP_OR_UNEVEN_SPACE.lastIndex = 0;
  const first = MARKUP_OR_UNEVEN_SPACE.exec(chunk);
  if (first === null) return 0;
  if (first[1] !== undefined) {
    UNEVEN_SPACE.lastIndex = first.index;
    return UNEVEN_SPACE.test(chunk) ? HAS_MARKUP | HAS_UNEVEN_SPACE : HAS_MARKUP;
  }
  MARKUP.lastIndex = first.index;
  return MARKUP.test(chunk) ? HAS_MARKUP | HAS_UNEVEN_SPACE : HAS_UNEVEN_SPACE;
}

interface TextScanExports {
  memory: WebAssembly.Memory;
  scan(length: number): number;
}

const scanModule = embeddedWasm<TextScanExports>(TEXT_SCAN_WASM_BASE64);
/** text-scan.wat and its memory as bytes (it never grows); null where WebAssembly SIMD is missing. */
const wasm = scanModule === null ? null : { scan: scanModule.scan, bytes: Buffer.from(scanModule.memory.buffer) };
/** Whether long chunks are scanned in WebAssembly SIMD (false: by the patterns, with the same result). */
export const TEXT_SCAN_SIMD = wasm !== null;
/** Code units of the longest chunk the module's memory holds, with the 0 after it. */
const WASM_CAPACITY = wasm === null ? 0 : wasm.bytes.length / 2 - 1;

/** The chunk's bits by text-scan.wat; null when it is too long for the module's memory or SIMD is missing. */
export function scanWithWasm(chunk: string): number | null {
  if (wasm === null || chunk.length > WASM_CAPACITY) return null;
  // UTF-16LE is the code units as they are, lone surrogates included.
  wasm.bytes.write(chunk, 0, 'utf16le');
  wasm.bytes.writeUInt16LE(0, 2 * chunk.length);
  return wasm.scan(chunk.length);
}

// Copying a chunk into the module and calling it costs ~50 ns, what the patterns take for ~40
// plain characters. Over the text chunks of the generated feeds' content (161 characters on
// average), 110 against 275 ns a chunk; over the corpus's (30 on average), 72 against 97 ns.
// Sanitizing the generated content, three alternating rounds: 27.4-28.3 against 31.3-32.1 µs an item.
const WASM_FROM_LENGTH = 64;

/** Which of HAS_MARKUP and HAS_UNEVEN_SPACE the chunk holds. */
export function scanTextChunk(chunk: string): number {
  if (chunk.length >= WASM_FROM_LENGTH) {
    const found = scanWithWasm(chunk);
    if (found !== null) return found;
  }
  return scanWithPattern(chunk);
}
