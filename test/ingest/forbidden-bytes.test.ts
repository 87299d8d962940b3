import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBodyChunks } from '../../src/ingest/decode.js';
import { FORBIDDEN_BYTES_SIMD, holdsForbiddenBytes, WINDOW_BYTES } from '../../src/ingest/forbidden-bytes.js';
import { parseXml, textOf, type XmlElement, type XmlResult } from '../../src/ingest/formats/xml.js';
import { parseFeed } from '../../src/ingest/parse.js';
import { CORPUS_BASE_URL, CORPUS_DIR, corpusInputFiles } from './support/corpus.js';

// The feed parser skips its search for characters XML forbids when the document's bytes show
// none: the bytes must never say "none" of a text that holds one.

const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

const holds = (bytes: Uint8Array): boolean => {
  const found = holdsForbiddenBytes(bytes);
  if (found === null) throw new Error('WebAssembly SIMD missing');
  return found;
};

// Characters around every rule: controls allowed and not, and characters whose UTF-8 starts
// with 0xEF or ends in 0xBE/0xBF.
const PIECES = [
  'a', ' ', '<p>', '&amp;', '\t', '\n', '\r', '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f',
  '\u007f', '\u0085', 'é', 'ï', '\u00bf', '\u00be', '\uf000', '\uff01', '\uffbe', '\uffbf', '\uffef', '\ufffd', '\ufffe',
  '\uffff', '\ufeff', '\u2019', '首', '\ud83d\ude00',
];

describe('a document\'s bytes asked for characters XML forbids', () => {
  it('runs here: Node 20 has WebAssembly SIMD', () => {
    expect(FORBIDDEN_BYTES_SIMD).toBe(true);
  });

  it('says of UTF-8 text exactly whether it holds one, wherever it stands', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }), fc.nat(40), (pieces, pad) => {
        const text = 'x'.repeat(pad) + pieces.join('');
        expect(holds(Buffer.from(text, 'utf8'))).toBe(FORBIDDEN.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds each forbidden character at every offset of a group of sixteen, and none of the allowed ones', () => {
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCharCode(code);
      for (const before of [0, 1, 13, 14, 15, 16, 31]) {
        const text = 'y'.repeat(before) + character + 'z'.repeat(20);
        if (holds(Buffer.from(text, 'utf8')) !== FORBIDDEN.test(text)) throw new Error(`U+${code.toString(16)} after ${before}`);
      }
    }
  });

  it('reads a character that straddles two windows, and one that ends the document', () => {
    for (const offset of [-3, -2, -1, 0, 1]) {
      const bytes = Buffer.concat([Buffer.alloc(WINDOW_BYTES + offset, 0x61), Buffer.from('\uffff', 'utf8'), Buffer.alloc(5, 0x61)]);
      expect(holds(bytes)).toBe(true);
      expect(holds(Buffer.concat([Buffer.alloc(WINDOW_BYTES + offset, 0x61), Buffer.from('\uffbf', 'utf8')]))).toBe(false);
    }
    expect(holds(Buffer.from('abc\u000b', 'utf8'))).toBe(true);
    expect(holds(Buffer.from([0x61, 0xef, 0xbf]))).toBe(false);
    // After a window whose bytes were forbidden, a shorter clean one must not read them again.
    expect(holds(Buffer.alloc(40, 0x01))).toBe(true);
    expect(holds(Buffer.from([0x61, 0x62, 0xef]))).toBe(false);
  });

  it('never says "none" of bytes whose UTF-8 or windows-1252 text holds one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        if (FORBIDDEN.test(buffer.toString('utf8')) || FORBIDDEN.test(iconv.decode(buffer, 'windows-1252'))) {
          expect(holds(buffer)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves text in other encodings to the pattern', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss/>', 'utf16le')]);
    const decoded = decodeBodyChunks(utf16, null);
    expect(decoded.ok && decoded.mayHoldForbidden).toBe(true);
    const clean = decodeBodyChunks(Buffer.from('<rss/>', 'utf8'), null);
    expect(clean.ok && clean.mayHoldForbidden).toBe(false);
  });
});

describe('a feed with characters XML forbids', () => {
  const feed = (title: string) => `<?xml version="1.0" encoding="%ENC%"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><guid>a1</guid><title>${title}</title><description>NATO summit</description></item>
</channel></rss>`;

  it.each([
    ['UTF-8', 'utf-8', (text: string) => Buffer.from(text, 'utf8')],
    ['ISO-8859-1', 'iso-8859-1', (text: string) => iconv.encode(text, 'windows-1252')],
  ])('is read with them dropped, in %s', (_label, encoding, encode) => {
    const parsed = parseFeed(encode(feed('NATO\u0001 allies\u000b meet\u001f').replace('%ENC%', encoding)), { url: 'https://wire.example/feed', contentType: null });
    expect(parsed.ok && parsed.feed.items[0]?.title).toBe('NATO allies meet');
    const clean = parseFeed(encode(feed('NATO allies meet').replace('%ENC%', encoding)), { url: 'https://wire.example/feed', contentType: null });
    expect(clean.ok && clean.feed.items[0]?.title).toBe('NATO allies meet');
  });

  it('is read with U+FFFE and U+FFFF dropped', () => {
    const parsed = parseFeed(Buffer.from(feed('NATO\ufffe allies\uffff meet').replace('%ENC%', 'utf-8'), 'utf8'), { url: 'https://wire.example/feed', contentType: null });
    expect(parsed.ok && parsed.feed.items[0]?.title).toBe('NATO allies meet');
  });
});

/** A parse result as plain data: each element with its text decoded, without its source. */
function treeOf(result: XmlResult): unknown {
  const view = (element: XmlElement): unknown => ({
    name: element.name, attrs: element.attrs, text: textOf(element), innerStart: element.innerStart, innerEnd: element.innerEnd,
    base: element.base, lang: element.lang, children: element.children.map(view),
  });
  return result.ok ? view(result.root) : result.message;
}

describe('the corpus read without the search where the bytes showed nothing to find', () => {
  it('gives every XML document the element tree the search gives it, and skips the search for most', () => {
    const differences: string[] = [];
    let skipped = 0;
    let documents = 0;
    for (const file of corpusInputFiles()) {
      const decoded = decodeBodyChunks(readFileSync(join(CORPUS_DIR, file)), null);
      if (!decoded.ok || /^\s*[[{]/.test(decoded.chunks[0] ?? '')) continue;
      documents++;
      if (decoded.mayHoldForbidden) continue;
      skipped++;
      const searched = parseXml(decoded.chunks, CORPUS_BASE_URL + file, { mayHoldForbidden: true });
      const unsearched = parseXml(decoded.chunks, CORPUS_BASE_URL + file, { mayHoldForbidden: false });
      if (searched.ok !== unsearched.ok || JSON.stringify(treeOf(searched)) !== JSON.stringify(treeOf(unsearched))) {
        differences.push(file);
      }
    }
    expect(differences).toEqual([]);
    // The check means something only if the bytes let most documents skip the search.
    expect(skipped).toBeGreaterThan(documents / 2);
  }, 120_000);
});
