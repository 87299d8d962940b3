import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handoff, Preparer } from '../../src/ingest/prepare-pool.js';
import { workerCount } from '../../src/ingest/prepare-pool.js';
import { matchEntriesAgain, prepareFeed, type PrepareResult } from '../../src/ingest/prepare.js';
import { buildTopicIndex, type TopicDefinition, type TopicSnapshot } from '../../src/topics/topic-index.js';

// Worker threads load compiled JavaScript, so this drives the built pool (`npm test` builds first)
// and compares it with the same work done inline from the sources.
const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'dist/src/ingest/prepare-pool.js');
const FIXTURES = join(ROOT, 'test/fixtures/feeds');
const job = (file: string, stored = new Map<string, string>(), storedMarkup = new Map<string, string>()) => ({
  body: readFileSync(join(FIXTURES, file)), url: `https://feeds.example/${file}`, contentType: null, storedHashes: stored,
  storedMarkup, feed: { id: 7, title: null },
});
const snapshot = (version: number, definitions: TopicDefinition[]): TopicSnapshot =>
  ({ version, definitions, index: buildTopicIndex(definitions) });
const TOPICS = snapshot(1, [{ slug: 'nato', query: 'NATO' }, { slug: 'defence', query: '"missile defense"' }, { slug: 'gas', query: 'gas' }]);

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
    pool = createPreparePool(2, { maxBodyBytes: 10_000_000 });
  });
  afterAll(async () => pool?.close());

  it('gives exactly what the inline preparation gives, for every fixture, many at once', async () => {
    const files = ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json', 'broken.rss'];
    const results = (await Promise.all([...files, ...files].map((file) => pool.prepare(job(file), TOPICS)))).map((h) => h.take());
    results.forEach((result, i) => {
      const inline = prepareFeed(job(files[i % files.length]!), TOPICS.index);
      expect(bytesAsArrays(result)).toEqual(bytesAsArrays(inline));
    });
    expect(results[0]!.ok && results[0]!.entries.map((e) => e.item.title)).toContain('NATO, Russia consider joint missile defence plan');
    expect(results[4]!.ok).toBe(false);
    const seed = results[0]!.ok ? results[0]!.entries.find((e) => e.item.title.startsWith('NATO, Russia')) : undefined;
    expect(seed?.matches.map((m) => m.slug)).toEqual(['nato', 'defence']);
  });

  it('matches against the topics of the version it is given, changed between jobs', async () => {
    const slugsOf = async (topics: TopicSnapshot) => {
      const result = (await pool.prepare(job('world-wire.rss'), topics)).take();
      if (!result.ok) throw new Error('fixture did not parse');
      return result.entries.find((e) => e.item.title.startsWith('NATO, Russia'))!.matches.map((m) => m.slug);
    };
    // Both workers see each version: jobs go to the least busy one.
    const before = await Promise.all([slugsOf(TOPICS), slugsOf(TOPICS)]);
    const changed = snapshot(2, [{ slug: 'russia', query: 'Russia' }, { slug: 'by-feed', query: 'feed:7 AND missile' }]);
    const after = await Promise.all([slugsOf(changed), slugsOf(changed)]);
    expect(before).toEqual([['nato', 'defence'], ['nato', 'defence']]);
    expect(after).toEqual([['russia', 'by-feed'], ['russia', 'by-feed']]);
  });

  it('skips entries whose stored hash matches, before sanitizing them', async () => {
    const first = (await pool.prepare(job('world-wire.rss'), TOPICS)).take();
    if (!first.ok) throw new Error('fixture did not parse');
    const stored = new Map(first.entries.map((e) => [e.item.identity, e.contentHash]));
    stored.delete(first.entries[0]!.item.identity);
    const again = (await pool.prepare(job('world-wire.rss', stored), TOPICS)).take();
    expect(again.ok && again.entries.map((e) => e.item.identity)).toEqual([first.entries[0]!.item.identity]);
    expect(again.ok && again.unchanged).toBe(first.entries.length - 1);
  });

  it('prepares a feed as large as the default body limit within the workers\' heap limit', async () => {
    // 1,400 distinct ~7 KB entries: just under the 10 MB a fetch may return by default.
    const paragraph = `<p>${'NATO allies discussed missile defence and the budget for the coming years. '.repeat(90)}</p>`;
    const items = Array.from({ length: 1400 }, (_, i) => `<item><title>Entry ${i}</title><guid>urn:big:${i}</guid>
      <description><![CDATA[<p>Entry ${i} of a large feed.</p>${paragraph}]]></description></item>`);
    const body = Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>${items.join('')}</channel></rss>`);
    expect(body.length).toBeGreaterThan(9_500_000);
    expect(body.length).toBeLessThan(10_000_000);
    const result = (await pool.prepare({ ...job('world-wire.rss'), body }, TOPICS)).take();
    expect(result.ok && result.entries.length).toBe(1400);
    expect(result.ok && result.entries[1399]!.matches.map((m) => m.slug)).toEqual(['nato', 'defence']);
  }, 60_000);

  it('lets go of a result once it is taken: the promise that carried it holds only an empty handoff', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Taken in a function of its own, so that no register of this test holds the result.
    const takeWeakly = (handoff: Handoff<PrepareResult>) => new WeakRef(handoff.take());
    const carried = pool.prepare(job('world-wire.rss'), TOPICS);
    const handoff = await carried;
    const result = takeWeakly(handoff);
    expect(() => handoff.take()).toThrow(/taken already/);
    // A WeakRef keeps its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(result.deref()).toBeUndefined();
    expect(await carried).toBe(handoff);
  });

  it('moves a body that owns its memory to the worker, and copies a view into a shared buffer', async () => {
    const bytes = readFileSync(join(FIXTURES, 'world-wire.rss'));
    const owned = Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const larger = Buffer.concat([bytes, Buffer.from('<!-- trailing -->')]).subarray(0, bytes.length);
    const [a, b] = (await Promise.all([pool.prepare({ ...job('world-wire.rss'), body: owned }, TOPICS),
      pool.prepare({ ...job('world-wire.rss'), body: larger }, TOPICS)])).map((h) => h.take()) as [PrepareResult, PrepareResult];
    expect(a.ok && b.ok).toBe(true);
    expect(owned.byteLength).toBe(0);
    expect(larger.byteLength).toBe(bytes.length);
  });
});

describe('the number of parser workers', () => {
  it.each([[1, 1], [2, 1], [3, 2], [4, 3], [5, 4], [64, 4]])('on %i cores is %i: a core is left to the main thread and the collector', (cores, workers) => {
    expect(workerCount(cores)).toBe(workers);
  });
});

describe('matchEntriesAgain, for a result prepared against topics changed since', () => {
  it('gives, from the stored item alone, the matches preparing against those topics gives, for every fixture', () => {
    const later = snapshot(2, [{ slug: 'nato', query: 'Nato -Afghanistan' }, { slug: 'lisbon', query: 'Lisbon OR feed:wire' }, { slug: 'gas', query: 'gas' }]);
    for (const file of ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'briefs.json']) {
      const before = prepareFeed(job(file), TOPICS.index);
      const after = prepareFeed(job(file), later.index);
      if (!before.ok || !after.ok) throw new Error(`${file} did not prepare`);
      expect(before.entries.map((e) => e.matches)).not.toEqual(after.entries.map((e) => e.matches));
      matchEntriesAgain(before.entries, { id: 7, title: before.feed.title }, later.index);
      expect(before.entries.map((e) => e.matches), file).toEqual(after.entries.map((e) => e.matches));
    }
  });
});
