import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeed, type ParseResult } from '../../src/ingest/parse.js';
import { CORPUS_BASE_URL, CORPUS_DIR, corpusInputFiles, isWellFormedRealWorld, readManifest } from './support/corpus.js';

// Well-formed real-world files whose item count differs from the manifest's (feedparser's) on purpose.
const COUNT_DIFFERENCES: Record<string, string> = {
  'node-feedparser/illegally-nested.xml':
    'each <item> holds an empty <item/>; feedparser counts those as 10 extra entries, we read the 10 real ones',
};

describe('the shared corpus through parseFeed', () => {
  it('every input file yields a ParseResult without throwing, and real-world feeds yield their items', () => {
    const files = corpusInputFiles();
    const manifest = readManifest();
    expect(files.length).toBeGreaterThan(2700);

    const countMismatches: string[] = [];
    let parsed = 0;
    for (const file of files) {
      let result: ParseResult | undefined;
      expect(() => {
        result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url: CORPUS_BASE_URL + file, contentType: null });
      }, file).not.toThrow();
      expect(typeof result?.ok, file).toBe('boolean');
      if (result?.ok) parsed++;
      else expect(result?.error.kind, file).toBe('parse');

      const row = manifest.get(file);
      if (!row || !isWellFormedRealWorld(row)) continue;
      expect(result?.ok ? result.feed.items.length : 0, `${file} yields items`).toBeGreaterThan(0);
      const count = result?.ok ? result.feed.items.length : 0;
      if (row.items !== null && count !== row.items && !COUNT_DIFFERENCES[file]) {
        countMismatches.push(`${file}: ${count} items, manifest says ${row.items}`);
      }
    }
    expect(countMismatches).toEqual([]);
    // Most of the corpus is feeds; the rest are fragments, CDF, non-feed XML and broken files.
    expect(parsed / files.length).toBeGreaterThan(0.95);
  }, 120_000);

  it('reads every well-formed real-world feed the manifest lists', () => {
    const rows = [...readManifest().values()].filter(isWellFormedRealWorld);
    expect(rows.length).toBeGreaterThan(100);
    const unread = rows.filter((row) => {
      const result = parseFeed(readFileSync(join(CORPUS_DIR, row.file)), { url: CORPUS_BASE_URL + row.file, contentType: null });
      return !result.ok;
    });
    expect(unread.map((row) => row.file)).toEqual([]);
  }, 60_000);
});
