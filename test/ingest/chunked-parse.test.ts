import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, decodeBodyChunks, splitAtTags } from '../../src/ingest/decode.js';
import { innerMarkup, parseXml, textOf, type XmlElement, type XmlResult } from '../../src/ingest/formats/xml.js';
import { CORPUS_BASE_URL, CORPUS_DIR, corpusInputFiles } from './support/corpus.js';

// Ingest decodes and parses a document in pieces (decode.ts, CHUNK_BYTES). The element tree must
// be the one the whole text gives: every piece size below cuts the corpus's documents in many places.
const PIECE_SIZES = [24, 700, 8192];

interface TreeView {
  name: string;
  attrs: Record<string, string>;
  text: string;
  markup: string;
  base: string;
  lang: string | null;
  children: TreeView[];
}

function view(element: XmlElement): TreeView {
  const { name, attrs, base, lang } = element;
  return { name, attrs, text: textOf(element), markup: innerMarkup(element), base, lang, children: element.children.map(view) };
}

function outcome(result: XmlResult): TreeView | string {
  return result.ok ? view(result.root) : result.message;
}

function wholeText(body: Buffer): string[] {
  const decoded = decodeBodyChunks(body, null, Number.POSITIVE_INFINITY);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.chunks;
}

describe('a document decoded and parsed in pieces', () => {
  it('cuts bytes only before a "<", and every piece holds at least the size asked for but the last', () => {
    const bytes = Buffer.from('<a>héllo</a><b x="1"/>text with no tag at all<c>end</c>');
    const pieces = splitAtTags(bytes, 5);
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
    expect(pieces.map((piece) => piece.toString())).toEqual(['<a>héllo', '</a><b x="1"/>text with no tag at all', '<c>end', '</c>']);
    expect(splitAtTags(bytes, 1000)).toHaveLength(1);
    expect(CHUNK_BYTES).toBeLessThanOrEqual(64 * 1024);
  });

  it('decodes to the same text in pieces as whole, each piece after the first starting at "<"', () => {
    const files = corpusInputFiles();
    const differences: string[] = [];
    for (const file of files) {
      const body = readFileSync(join(CORPUS_DIR, file));
      const decoded = decodeBodyChunks(body, null, 700);
      if (!decoded.ok) continue;
      const whole = wholeText(body).join('');
      if (decoded.chunks.join('') !== whole) differences.push(`${file}: text differs`);
      if (decoded.chunks.slice(1).some((chunk) => !chunk.startsWith('<'))) differences.push(`${file}: a piece starts elsewhere`);
    }
    expect(differences).toEqual([]);
  }, 60_000);

  it('gives the element tree of the whole text, for every XML document of the corpus', () => {
    const files = corpusInputFiles();
    const differences: string[] = [];
    let split = 0;
    for (const file of files) {
      const body = readFileSync(join(CORPUS_DIR, file));
      const whole = wholeText(body);
      if (/^\s*[[{]/.test(whole[0] ?? '')) continue; // JSON Feed: parsed whole
      const expected = outcome(parseXml(whole, CORPUS_BASE_URL + file));
      for (const size of PIECE_SIZES) {
        const decoded = decodeBodyChunks(body, null, size);
        if (!decoded.ok) continue;
        if (decoded.chunks.length > 1) split++;
        const actual = outcome(parseXml(decoded.chunks, CORPUS_BASE_URL + file));
        if (JSON.stringify(actual) !== JSON.stringify(expected)) differences.push(`${file} in pieces of ${size} bytes`);
      }
    }
    expect(differences).toEqual([]);
    // The check means something only if most documents were really cut.
    expect(split).toBeGreaterThan(files.length);
  }, 120_000);
});
