import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preparer } from '../../src/ingest/prepare-pool.js';
import { prepareFeed } from '../../src/ingest/prepare.js';

// Worker threads load compiled JavaScript, so this drives the built pool (`npm test` builds first)
// and compares it with the same work done inline from the sources.
const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'dist/src/ingest/prepare-pool.js');
const FIXTURES = join(ROOT, 'test/fixtures/feeds');
const job = (file: string, stored = new Map<string, string>()) => ({
  body: readFileSync(join(FIXTURES, file)), url: `https://feeds.example/${file}`, contentType: null, storedHashes: stored,
});

// A Buffer crosses threads as a plain Uint8Array: compare bytes, not classes.
function bytesAsArrays(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(bytesAsArrays);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytesAsArrays(v)]));
  return value;
}

describe('the prepare pool on worker threads', () => {
  let pool: Preparer;
  beforeAll(async () => {
    expect(existsSync(BUILT), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
    const { createPreparePool } = (await import(BUILT)) as typeof import('../../src/ingest/prepare-pool.js');
    pool = createPreparePool(2);
  });
  afterAll(async () => pool?.close());

  it('gives exactly what the inline preparation gives, for every fixture, many at once', async () => {
    const files = ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json', 'broken.rss'];
    const results = await Promise.all([...files, ...files].map((file) => pool.prepare(job(file))));
    results.forEach((result, i) => {
      const inline = prepareFeed(job(files[i % files.length]!));
      expect(bytesAsArrays(result)).toEqual(bytesAsArrays(inline));
    });
    expect(results[0]!.ok && results[0]!.entries.map((e) => e.item.title)).toContain('NATO, Russia consider joint missile defence plan');
    expect(results[4]!.ok).toBe(false);
  });

  it('skips entries whose stored hash matches, before sanitizing them', async () => {
    const first = await pool.prepare(job('world-wire.rss'));
    if (!first.ok) throw new Error('fixture did not parse');
    const stored = new Map(first.entries.map((e) => [e.item.identity, e.contentHash]));
    stored.delete(first.entries[0]!.item.identity);
    const again = await pool.prepare(job('world-wire.rss', stored));
    expect(again.ok && again.entries.map((e) => e.item.identity)).toEqual([first.entries[0]!.item.identity]);
    expect(again.ok && again.unchanged).toBe(first.entries.length - 1);
  });
});
