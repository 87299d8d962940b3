import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, timeBoxed } from './context.js';
import { startCoreProcess } from './core-process.js';
import { median } from './stats.js';
import { SERVED_TOPIC } from './topic-queries.js';

export interface TopicsFigures {
  feeds: number;
  items: number;
  topics: number;
  runs: number;
  oneTopic: { ms: number; itemsPerSec: number };
  manyTopics: { ms: number; itemsPerSec: number };
  /** Each run's items/s with all topics ÷ its items/s with one, in run order. */
  runRatios: number[];
  /** The median of runRatios. */
  ratio: number;
}

async function firstIngest(context: BenchContext, label: string, files: string[], topicCount: number): Promise<number> {
  const dir = join(context.workDir, `topics-${label}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const topics = topicCount === 1 ? [SERVED_TOPIC] : context.topics.slice(0, topicCount);
  const core = await startCoreProcess({ database: join(dir, 'feedsieve.db'), feedUrls: context.origin.urls(files), topics,
    concurrency: context.concurrency }, join(dir, 'setup.json'));
  try {
    const pass = await core.ingest();
    if (pass.feeds !== files.length || (pass.statuses.stored ?? 0) !== files.length) {
      throw new Error(`topics section: ingest stored ${pass.statuses.stored ?? 0}/${files.length} feeds (${pass.errors.join('; ')})`);
    }
    return pass.ms;
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * First ingest with one topic and with all of them, interleaved run by run, on the same feeds.
 * The ratio is taken run by run, each from two loads back to back, and the median of those
 * reported: a pair shares the machine's moment, where the medians of each side need not.
 */
export async function benchTopics(context: BenchContext, feedCount: number, budgetMs: number): Promise<TopicsFigures> {
  const files = context.feeds.files.slice(0, feedCount);
  const items = (context.feeds.items / context.feeds.files.length) * files.length;
  await context.origin.use('conditional');
  // Twice the figures' repeats: a run is two loads of ~1 s at the default sizes, and the machine
  // moves by more between runs than the two sides differ (73-84% in four default runs of the same
  // code with three runs each).
  const runs = await timeBoxed(2 * context.repeat, budgetMs, async (run) => {
    // Alternate which goes first, so that neither always meets a warmer page cache.
    const order = run % 2 === 0 ? [1, context.topics.length] : [context.topics.length, 1];
    const ms: Record<number, number> = {};
    for (const count of order) ms[count] = await firstIngest(context, String(count), files, count);
    context.log(`  topics run ${run + 1}: 1 topic ${(ms[1]! / 1000).toFixed(1)} s, ${context.topics.length} topics ${(ms[context.topics.length]! / 1000).toFixed(1)} s`);
    return { one: ms[1]!, many: ms[context.topics.length]! };
  });
  const one = median(runs.map((r) => r.one));
  const many = median(runs.map((r) => r.many));
  const runRatios = runs.map((r) => r.one / r.many);
  return {
    feeds: files.length, items, topics: context.topics.length, runs: runs.length,
    oneTopic: { ms: one, itemsPerSec: (items * 1000) / one },
    manyTopics: { ms: many, itemsPerSec: (items * 1000) / many },
    runRatios,
    ratio: median(runRatios),
  };
}
