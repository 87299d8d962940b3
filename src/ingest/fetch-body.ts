// Reading a feed's bytes, from a response body or a local file, without ever holding more than
// the byte limit: decompression is counted on decoded bytes, so a small gzip bomb cannot grow
// into a large allocation.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { type Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`body over ${maxBytes} bytes`);
  }
}

/** A file: URL that names a directory or a device, which no feed is. */
class NotAFileError extends Error {
  readonly code = 'ENOTFILE';
  constructor() {
    super('not a file');
  }
}

class UnsupportedEncodingError extends Error {
  readonly code = 'ERR_CONTENT_ENCODING';
  constructor(encoding: string) {
    super(`unsupported Content-Encoding ${encoding}`);
  }
}

/**
 * The decoded body of a successful response. Throws TooLargeError, UnsupportedEncodingError,
 * or whatever the stream fails with (reset, abort).
 */
export async function readResponseBody(response: Dispatcher.ResponseData, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const encoding = header(response.headers, 'content-encoding');
  const decoders = decodersFor(encoding);
  if (decoders === null) {
    await discard(response);
    throw new UnsupportedEncodingError(encoding ?? '');
  }
  // An honest Content-Length over the limit saves downloading what we would throw away.
  const declaredLength = Number(header(response.headers, 'content-length') ?? Number.NaN);
  if (decoders.length === 0 && declaredLength > maxBytes) {
    await discard(response);
    throw new TooLargeError(maxBytes);
  }
  return readLimited(response.body, decoders, maxBytes, signal);
}

/** Drain a body we do not need, so the connection can carry the next hop; errors do not matter. */
export async function discard(response: Dispatcher.ResponseData): Promise<void> {
  await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

export function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first ?? null;
}

/**
 * Decoders for a Content-Encoding list, in the order to apply them (the reverse of the order
 * the server applied them); null when one of them is unknown.
 */
function decodersFor(contentEncoding: string | null): Transform[] | null {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const decoders: Transform[] = [];
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(createGunzip());
    else if (coding === 'deflate') decoders.push(createInflate());
    else if (coding === 'br') decoders.push(createBrotliDecompress());
    else return null;
  }
  return decoders;
}

/**
 * Read a whole stream through its decoders, stopping as soon as the decoded size passes
 * the limit: a 10 MB gzip bomb costs at most maxBytes of memory, not 10 MB.
 */
async function readLimited(source: Readable, decoders: Transform[], maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const collect = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) return callback(new TooLargeError(maxBytes));
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline([source, ...decoders, collect], { signal });
  return Buffer.concat(chunks, total);
}

export type FileRead = { changed: false } | { changed: true; body: Buffer; lastModified: string };

/**
 * A local feed file, unless its mtime (as an HTTP date) equals `knownLastModified`. Throws
 * TooLargeError, NotAFileError or the file system's error.
 */
export async function readFileLimited(
  path: string,
  knownLastModified: string | null,
  maxBytes: number,
  signal: AbortSignal,
): Promise<FileRead> {
  const info = await stat(path);
  if (!info.isFile()) throw new NotAFileError();
  const lastModified = info.mtime.toUTCString();
  if (knownLastModified === lastModified) return { changed: false };
  if (info.size > maxBytes) throw new TooLargeError(maxBytes);
  const body = await readLimited(createReadStream(path), [], maxBytes, signal);
  return { changed: true, body, lastModified };
}
