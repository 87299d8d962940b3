import Database from 'better-sqlite3';
import { join } from 'node:path';
import { type BenchContext, timeBoxed } from './context.js';
import { newsboatAvailable, type NewsboatRun, prepareNewsboat } from './newsboat.js';
import { median } from './stats.js';

export interface PeerFigures {
  peer: 'newsboat';
  version: string;
  reloadThreads: number;
  runs: number;
  itemsStored: number;
  first: { ms: number; itemsPerSec: number };
  /** Its third run: the first one that sends conditional requests (2.21 stores no validators on its first run). */
  reload304: { ms: number };
  /**
   * Its second run: no validators stored yet, so every body comes in full and is parsed and
   * compared with the cache. Measured beside a run against the validator-less origin it was the
   * same work (152.2 s and 152.9 s at 1,000 feeds; 1.23 s and 1.18 s at 60), so that run, which
   * took a sixth of the default bench, is no longer made.
   */
  reloadFull: { ms: number };
  problems: string[];
}

export type PeerResult = PeerFigures | { skipped: string };

function countItems(cache: string): number {
  const db = new Database(cache, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM rss_item').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function checkRun(problems: string[], label: string, run: NewsboatRun): number {
  if (run.exitCode !== 0) problems.push(`${label}: newsboat exited with ${run.exitCode}: ${run.stderr}`);
  return run.ms;
}

/** newsboat on the same origin and feeds: a fresh cache per run, three loads each (see PeerFigures). */
export async function benchPeer(context: BenchContext, version: string, budgetMs: number): Promise<PeerResult> {
  if (!newsboatAvailable()) return { skipped: 'newsboat is not installed (apt-get install newsboat): peer comparison skipped' };
  const { feeds, origin, concurrency, repeat } = context;
  const problems: string[] = [];
  let itemsStored = 0;
  const runs = await timeBoxed(repeat, budgetMs, async (run) => {
    await origin.use('conditional');
    const dir = join(context.workDir, 'newsboat');
    const newsboat = prepareNewsboat(dir, origin.urls(feeds.files), concurrency);
    const first = checkRun(problems, `run ${run + 1} first`, await newsboat.run());
    itemsStored = countItems(join(dir, 'cache.db'));
    if (itemsStored !== feeds.items) problems.push(`run ${run + 1}: newsboat stored ${itemsStored} items, expected ${feeds.items}`);
    const second = checkRun(problems, `run ${run + 1} second`, await newsboat.run());
    const third = checkRun(problems, `run ${run + 1} third`, await newsboat.run());
    context.log(`  newsboat run ${run + 1}: first ${(first / 1000).toFixed(1)} s, 2nd (full bodies) ${(second / 1000).toFixed(1)} s, 3rd (304) ${(third / 1000).toFixed(1)} s`);
    return { first, second, third };
  });
  const firstMs = median(runs.map((r) => r.first));
  return {
    peer: 'newsboat', version, reloadThreads: concurrency, runs: runs.length, itemsStored,
    first: { ms: firstMs, itemsPerSec: (feeds.items * 1000) / firstMs },
    reload304: { ms: median(runs.map((r) => r.third)) },
    reloadFull: { ms: median(runs.map((r) => r.second)) },
    problems,
  };
}
