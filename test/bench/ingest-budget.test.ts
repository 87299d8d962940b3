import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_DIST } from '../support/built.js';

type ContextModule = typeof import('../../bench/context.js');
type GenerateModule = typeof import('../../bench/generate.js');
type IngestModule = typeof import('../../bench/ingest.js');
type TopicsModule = typeof import('../../bench/topic-queries.js');

const NOW = new Date('2026-03-01T12:00:00Z');

// The compiled modules: the ingest section forks its core and the origin from scripts beside them.
const load = async <T>(name: string): Promise<T> => (await import(join(BENCH_DIST, name))) as T;

describe('the ingest section\'s runs and reloads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-bench-ingest-'));
  let context: import('../../bench/context.js').BenchContext;
  let benchIngest: IngestModule['benchIngest'];

  beforeAll(async () => {
    const { createOriginControl } = await load<ContextModule>('context.js');
    const { writeFeeds } = await load<GenerateModule>('generate.js');
    const { generateTopics } = await load<TopicsModule>('topic-queries.js');
    ({ benchIngest } = await load<IngestModule>('ingest.js'));
    const feeds = writeFeeds(join(dir, 'feeds'), 3, 4, NOW);
    const origin = await createOriginControl({ first: feeds.dir, later: null }, dir, feeds.files[0]!, 'node');
    context = { workDir: dir, feeds, laterFeeds: null, topics: generateTopics(5), origin, concurrency: 2, repeat: 3, log: () => {} };
  }, 120_000);

  afterAll(async () => {
    await context?.origin.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('repeats each reload --repeat times a run while the section\'s budget lasts', async () => {
    const figures = await benchIngest({ ...context, repeat: 2 }, 600_000, null);
    expect(figures.problems).toEqual([]);
    expect(figures.runs).toBe(2);
    expect(figures.reload304.runs).toBe(4);
    expect(figures.reloadFull.runs).toBe(4);
  }, 120_000);

  it('makes one first load and each reload once when the budget is spent, as after a slow peer', async () => {
    const figures = await benchIngest(context, 0, null);
    expect(figures.problems).toEqual([]);
    expect(figures.runs).toBe(1);
    expect(figures.reload304).toMatchObject({ runs: 1 });
    expect(figures.reloadFull).toMatchObject({ runs: 1 });
    expect(figures.reload304.ms).toBeGreaterThan(0);
    expect(figures.reloadFull.ms).toBeGreaterThan(0);
  }, 120_000);
});
