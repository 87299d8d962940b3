import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { holdsForbiddenBytes } from './forbidden-bytes.js';
import { decodeValidUtf8 } from './utf8-decode.js';

/** Decompressed size above which a gzipped document is refused rather than inflated. */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

export type DecodeResult =
  | { ok: true; text: string; encoding: string }
  | { ok: false; message: string };

/**
 * The text in pieces, each starting at a "<" of the document (but the first): see decodeBodyChunks.
 * `mayHoldForbidden` is false when the bytes showed the text holds no character XML forbids.
 */
export type ChunkedDecodeResult =
  | { ok: true; chunks: string[]; encoding: string; mayHoldForbidden: boolean }
  | { ok: false; message: string };

/**
 * Bytes decoded per piece, at least: a piece ends at the first "<" past them. V8 puts a string
 * over 128 KB in its large-object space, on pages mapped for it alone and unmapped when it dies:
 * on the 2-core VM measured, decoding a 353 KB feed as one string took 1.3 ms, 0.86 of it in the
 * kernel zero-filling 88 fresh pages, and in 32 KB pieces 0.05 ms. 32 KB of bytes make at most
 * 64 KB of string in the encodings that are cut, so a piece stays small unless a run of text
 * without a "<" makes it long.
 */
export const CHUNK_BYTES = 32 * 1024;

const LESS_THAN = 0x3c;

/**
 * Bytes of a feed document → text. Order of authority: byte-order mark, HTTP charset,
 * the XML declaration, then statistical sniffing. A declared encoding is checked against
 * the bytes, because feeds often lie about it (windows-1252 bytes declared UTF-8, or UTF-8
 * bytes declared ISO-8859-1). Bytes that fit no encoding become U+FFFD; nothing throws.
 */
export function decodeBody(body: Buffer, contentType: string | null): DecodeResult {
  // One piece: the caller wants the whole text, so cutting it only to join it again is waste.
  const decoded = decodeBodyChunks(body, contentType, Number.POSITIVE_INFINITY);
  return decoded.ok ? { ok: true, text: decoded.chunks.join(''), encoding: decoded.encoding } : decoded;
}

/**
 * decodeBody's text in pieces of about CHUNK_BYTES, for a parser that reads text piece by piece:
 * every piece but the first starts at a "<" byte, so no character, entity or run of text between
 * tags is split (a "<" byte is "<" in UTF-8 and single-byte encodings, and never inside another
 * character's bytes). Other encodings come whole, in one piece.
 */
export function decodeBodyChunks(body: Buffer, contentType: string | null, chunkBytes = CHUNK_BYTES): ChunkedDecodeResult {
  const inflated = inflateIfGzipped(body);
  if (!inflated.ok) return inflated;
  const bytes = inflated.bytes;
  const { start, encoding, validUtf8 } = chooseEncoding(bytes, contentType);
  const content = bytes.subarray(start);
  const c1 = mayHoldC1Controls(content, encoding);
  const decode = (piece: Buffer) => decodeWith(piece, encoding, c1, validUtf8);
  const chunks = splitsAtTags(encoding) ? splitAtTags(content, chunkBytes).map(decode) : [decode(content)];
  const first = chunks[0] ?? '';
  if (first.charCodeAt(0) === 0xfeff) chunks[0] = first.slice(1);
  // The encodings cut at tags are those where a byte below 0x80 is that character.
  const mayHoldForbidden = !splitsAtTags(encoding) || holdsForbiddenBytes(content) !== false;
  return { ok: true, chunks, encoding, mayHoldForbidden };
}

/**
 * Where the text starts (past a byte-order mark), what it is encoded in, and whether the bytes
 * were found to be valid UTF-8 on the way (a byte-order mark is taken at its word).
 */
function chooseEncoding(bytes: Buffer, contentType: string | null): { start: number; encoding: string; validUtf8: boolean } {
  const bom = bomEncoding(bytes);
  if (bom) return { start: bom.length, encoding: bom.encoding, validUtf8: false };
  const wide = wideWithoutBom(bytes);
  if (wide) return { start: 0, encoding: wide, validUtf8: false };
  const declared = [charsetFromContentType(contentType), xmlDeclaredEncoding(bytes)].map(canonicalEncoding);
  for (const encoding of declared) {
    if (encoding && fitsBytes(encoding, bytes)) {
      const chosen = preferUtf8(encoding, bytes);
      // fitsBytes checked UTF-8 as declared, preferUtf8 as chosen over a Latin label.
      return { start: 0, encoding: chosen, validUtf8: chosen === 'utf-8' };
    }
  }
  const valid = isUtf8(bytes);
  return { start: 0, encoding: valid ? 'utf-8' : sniff(bytes), validUtf8: valid };
}

function splitsAtTags(encoding: string): boolean {
  return encoding === 'utf-8' || isSingleByteLatin(encoding);
}

/** The bytes cut before the first "<" at or past every `size` bytes. */
export function splitAtTags(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  while (bytes.length - start > size) {
    const cut = bytes.indexOf(LESS_THAN, start + size);
    if (cut === -1) break;
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

// A UTF-8 claim over bytes that are not UTF-8 is a lie (usually windows-1252 text); the
// next witness, or sniffing, decides instead.
function fitsBytes(encoding: string, bytes: Buffer): boolean {
  return encoding !== 'utf-8' || isUtf8(bytes);
}

// Latin text is practically never valid multi-byte UTF-8 by accident, so valid UTF-8 under a
// Latin label means the label is stale (a CMS that re-encoded but kept its prolog).
function preferUtf8(encoding: string, bytes: Buffer): string {
  return isSingleByteLatin(encoding) && hasNonAscii(bytes) && isUtf8(bytes) ? 'utf-8' : encoding;
}

function decodeWith(bytes: Buffer, encoding: string, mayHoldC1: boolean, validUtf8: boolean): string {
  let text: string;
  if (validUtf8) text = decodeValidUtf8(bytes);
  else if (encoding === 'utf-8') text = bytes.toString('utf8');
  else if (iconv.encodingExists(encoding)) text = iconv.decode(bytes, encoding, { stripBOM: true });
  else text = bytes.toString('utf8');
  return mayHoldC1 && C1_CONTROL.test(text) ? text.replace(C1_CONTROLS, fromWindows1252) : text;
}

/**
 * Whether the decoded text may hold a C1 control. In UTF-8 each is 0xC2 then 0x80-0x9F, so bytes
 * without 0xC2 hold none. Looking for that byte takes 4 µs on a 353 KB feed, the pattern over the
 * decoded text 356 µs (~2% of a worker's time on feeds without it, ASCII ones among them).
 */
function mayHoldC1Controls(bytes: Buffer, encoding: string): boolean {
  return encoding !== 'utf-8' || bytes.includes(0xc2);
}

// C1 control characters (U+0080–U+009F) in text are windows-1252 punctuation that went
// through a Latin-1 conversion ("don\u0092t"); nobody means the control codes.
const C1_CONTROL = /[\u0080-\u009f]/;
const C1_CONTROLS = /[\u0080-\u009f]/g;

function fromWindows1252(character: string): string {
  return iconv.decode(Buffer.from([character.charCodeAt(0)]), 'windows-1252');
}

function inflateIfGzipped(body: Buffer): { ok: true; bytes: Buffer } | { ok: false; message: string } {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return { ok: true, bytes: body };
  try {
    return { ok: true, bytes: gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES }) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, message: `gzip body inflates beyond ${MAX_INFLATED_BYTES} bytes` };
    }
    return { ok: false, message: `gzip body cannot be inflated: ${(error as Error).message}` };
  }
}

function bomEncoding(bytes: Buffer): { encoding: string; length: number } | null {
  const [a, b, c, d] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return { encoding: 'utf-32le', length: 4 };
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

// "<?" in UTF-16 or UTF-32 without a BOM (XML 1.0 Appendix F): the declaration itself
// cannot be read as ASCII, so the byte pattern is the only clue.
function wideWithoutBom(bytes: Buffer): string | null {
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0) return 'utf-32le';
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0x3c) return 'utf-32be';
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] === 0x3f && bytes[3] === 0) return 'utf-16le';
  if (bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] === 0x3f) return 'utf-16be';
  return null;
}

export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match?.[1] ?? null;
}

function xmlDeclaredEncoding(bytes: Buffer): string | null {
  // The declaration is ASCII in every encoding we can read this way; a leading blank line
  // (a common CMS bug) is tolerated.
  const head = bytes.subarray(0, 512).toString('latin1');
  const match = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/.exec(head);
  return match?.[1] ?? null;
}

/** Maps a label to the name we decode with, or null when no decoder knows it. */
function canonicalEncoding(label: string | null): string | null {
  if (!label) return null;
  const name = label.trim().toLowerCase().replace(/_/g, '-');
  if (name === 'utf-8' || name === 'utf8' || name === 'unicode-1-1-utf-8') return 'utf-8';
  // Browsers read these labels as windows-1252 (WHATWG Encoding); feeds written on Windows
  // use its curly quotes and euro sign in the 0x80–0x9F range.
  if (['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii', 'cp1252', 'windows-1252'].includes(name)) {
    return 'windows-1252';
  }
  if (name === 'gb2312' || name === 'gbk' || name === 'x-gbk') return 'gb18030';
  if (name === 'utf-16' || name === 'utf16') return 'utf-16le';
  return iconv.encodingExists(name) ? name : null;
}

function isSingleByteLatin(encoding: string): boolean {
  return encoding === 'windows-1252' || encoding.startsWith('iso-8859') || encoding.startsWith('windows-125');
}

function hasNonAscii(bytes: Buffer): boolean {
  for (let index = 0; index < bytes.length; index++) if ((bytes[index] as number) > 0x7f) return true;
  return false;
}

/** What the sniffed guess reads at most, in bytes (a window more, at the end). */
export const SNIFF_SAMPLE_BYTES = 8 * 1024;
const SNIFF_CONTEXT_BYTES = 48;

/**
 * The bytes chardet is given: each non-ASCII byte with the bytes around it, from anywhere in the
 * body. What tells one legacy encoding from another is those bytes and their neighbours; the
 * document's first bytes are mostly ASCII markup, and chardet reads every byte it is given (0.2-0.6
 * µs a byte with its single-byte models). Given the first 64 KB, a feed whose text came after 70 KB of
 * ASCII was guessed UTF-8 and read as windows-1252 whatever its language, in 12-39 ms; these samples
 * of the same feeds in windows-1251, KOI8-R, Shift_JIS, EUC-JP, EUC-KR, GB18030 and windows-1252
 * were each guessed right, in 1-8 ms.
 */
export function sniffSample(bytes: Buffer): Buffer {
  const windows: Buffer[] = [];
  let taken = 0;
  let end = 0;
  for (let at = 0; at < bytes.length && taken < SNIFF_SAMPLE_BYTES; at++) {
    if ((bytes[at] as number) < 0x80) continue;
    const start = Math.max(at - SNIFF_CONTEXT_BYTES, end);
    end = Math.min(bytes.length, at + SNIFF_CONTEXT_BYTES);
    // Ended before a byte below 0x40, which no multi-byte encoding sniffed here uses inside a
    // character, so that a window does not cut one; past four contexts it may.
    while (end < bytes.length && (bytes[end] as number) >= 0x40 && end - at < 4 * SNIFF_CONTEXT_BYTES) end++;
    windows.push(bytes.subarray(start, end));
    taken += end - start;
    at = end - 1;
  }
  return Buffer.concat(windows);
}

function sniff(bytes: Buffer): string {
  const guess = canonicalEncoding(chardet.detect(sniffSample(bytes)));
  // chardet guesses UTF-8 only for valid UTF-8, which we already ruled out here.
  return guess && guess !== 'utf-8' ? guess : 'windows-1252';
}
