import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, timeBoxed } from './context.js';
import { type PassFigures, startCoreProcess } from './core-process.js';
import { measureFloor, type ParseDocument, type ParseRunPlan } from './parse.js';
import { median } from './stats.js';

export interface IngestFigures {
  feeds: number;
  items: number;
  bytes: number;
  topics: number;
  concurrency: number;
  origin: string;
  runs: number;
  first: {
    ms: number; itemsPerSec: number; mbPerSec: number; peakRssMB: number;
    /**
     * CPU per item, µs: every thread of the process (workers, the checkpointer, V8's), the main thread
     * alone, the busiest other thread (the parser worker), and the time the threads, and the main
     * thread alone, were ready to run but waited for a CPU. All but `all` null without /proc.
     */
    cpuUsPerItem: CpuPerItem;
    /**
     * The raw XML parser's one-core items/s taken before each first load and after the last (parse.ts,
     * measureFloor), and the median over runs of each run's items/s ÷ the mean of the floors beside it.
     */
    floor: { itemsPerSec: number[]; ratio: number } | null;
  };
  /** Every feed again, the origin answering 304. */
  reload304: { ms: number; runs: number };
  /** Every feed again, full bodies without validators: the content hash must skip the work. */
  reloadFull: { ms: number; runs: number };
  /**
   * Every feed again as a later poll finds it, `newEntries` newer entries on top of each and as many
   * of its oldest gone: the work of a running service's every poll. Once a run, after the reloads.
   * `cpuMs`: every thread of the process.
   */
  reloadChanged: { ms: number; runs: number; newEntries: number; itemsStored: number; cpuMs: number } | null;
  /** Topic matches stored per item: how selective the generated topic queries are. */
  matchesPerItem: number;
  /** Anything that makes the figures suspect: feeds that failed, passes that stored items again. */
  problems: string[];
  /** The database of the last run, kept for the serve section. */
  database: string;
}

function matchesPerItem(database: string): number {
  const db = new Database(database, { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return count('SELECT count(*) AS n FROM item_topics m, json_each(m.terms)') / Math.max(1, count('SELECT count(*) AS n FROM items'));
  } finally {
    db.close();
  }
}

function check(problems: string[], label: string, pass: PassFigures, expected: { status: string; inserted: number }): void {
  const matching = pass.statuses[expected.status] ?? 0;
  if (matching !== pass.feeds) problems.push(`${label}: ${matching}/${pass.feeds} feeds ${expected.status} (${JSON.stringify(pass.statuses)})`);
  if (pass.inserted !== expected.inserted) problems.push(`${label}: inserted ${pass.inserted} items, expected ${expected.inserted}`);
  for (const error of pass.errors) problems.push(`${label}: ${error}`);
}

/** Entries a feed gains between two polls in the bench's later version of the feeds. */
export const NEW_ENTRIES_A_POLL = 2;

export interface CpuPerItem {
  all: number;
  mainThread: number | null;
  busiestOtherThread: number | null;
  waitingForCore: { all: number; mainThread: number } | null;
  /**
   * How the busiest other thread (the parser worker) spent the first load, as shares of the load's
   * wall time: running, ready but waiting for a core, and idle (nothing to do, or not started yet:
   * the worker starts with the first body to parse).
   */
  busiestOtherThreadShares: { running: number; waiting: number; idle: number } | null;
}

/** CPU per item of the median first load, µs (see IngestFigures). */
function cpuPerItem(firsts: PassFigures[], items: number): CpuPerItem {
  const sorted = [...firsts].sort((a, b) => a.ms - b.ms);
  const { cpuMs, ms } = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const perItem = (ms: number | null) => (ms === null ? null : (ms * 1000) / items);
  const waiting = cpuMs.waitingForCore;
  return {
    all: (cpuMs.process * 1000) / items,
    mainThread: perItem(cpuMs.mainThread),
    busiestOtherThread: perItem(cpuMs.busiestOtherThread),
    waitingForCore: waiting === null ? null : { all: (waiting.all * 1000) / items, mainThread: (waiting.mainThread * 1000) / items },
    busiestOtherThreadShares: cpuMs.busiestOtherThread === null || waiting === null || ms <= 0 ? null : {
      running: cpuMs.busiestOtherThread / ms,
      waiting: waiting.busiestOtherThread / ms,
      idle: Math.max(0, 1 - (cpuMs.busiestOtherThread + waiting.busiestOtherThread) / ms),
    },
  };
}

export interface FloorSetup {
  documents: ParseDocument[];
  /** Items the documents hold. */
  items: number;
  plan: ParseRunPlan;
}

/** Each run's items/s over the mean of the floors taken before and after it. */
function floorRatio(firsts: PassFigures[], floors: number[], items: number): number {
  return median(firsts.map((pass, run) => (items * 1000) / pass.ms / ((floors[run]! + floors[run + 1]!) / 2)));
}

/**
 * One first load into a database of its own, in a process profiled from its start to its end, so
 * that the profile holds that load and nothing after it (the reloads and the later poll read stored
 * entries that a first load never reads). None of its figures is reported: a profiled process runs
 * slower than one left alone.
 */
async function profileFirstLoad(context: BenchContext, cpuProfileDir: string, problems: string[]): Promise<void> {
  const { feeds, topics, origin, concurrency } = context;
  const dir = join(context.workDir, 'ingest-profiled');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await origin.use('conditional');
  const core = await startCoreProcess(
    { database: join(dir, 'feedsieve.db'), feedUrls: origin.urls(feeds.files), topics, concurrency }, join(dir, 'setup.json'), cpuProfileDir,
  );
  try {
    check(problems, 'profiled first ingest', await core.ingest(), { status: 'stored', inserted: feeds.items });
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * First ingest of every feed into a fresh database, then unchanged re-ingests against a 304-answering
 * origin and a validator-less one, then one of the feeds' later version. Each run is its own child
 * process, so peak RSS is the ingest's own.
 */
export async function benchIngest(context: BenchContext, budgetMs: number, floor: FloorSetup | null, cpuProfileDir?: string): Promise<IngestFigures> {
  const { feeds, topics, origin, concurrency, repeat } = context;
  const firsts: PassFigures[] = [];
  const reloads304: number[] = [];
  const reloadsFull: number[] = [];
  const reloadsChanged: PassFigures[] = [];
  const problems: string[] = [];
  const floors: number[] = [];
  const takeFloor = async () => {
    if (floor) floors.push(await measureFloor(floor.documents, floor.items, floor.plan));
  };
  let database = '';
  let originKind = '';
  const started = Date.now();
  for (let run = 0; run < repeat; run++) {
    const runStarted = Date.now();
    const dir = join(context.workDir, `ingest-${run}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (database) rmSync(join(database, '..'), { recursive: true, force: true });
    database = join(dir, 'feedsieve.db');
    originKind = (await origin.use('conditional')).kind;
    const core = await startCoreProcess({ database, feedUrls: origin.urls(feeds.files), topics, concurrency }, join(dir, 'setup.json'));
    try {
      await takeFloor();
      const first = await core.ingest();
      check(problems, `first ingest, run ${run + 1}`, first, { status: 'stored', inserted: feeds.items });
      firsts.push(first);
      context.log(`  ingest run ${run + 1}: first ${(first.ms / 1000).toFixed(1)} s, ${Math.round((feeds.items * 1000) / first.ms)} items/s`);
      // Each reload as often as the section's budget allows, once at least: after a slow peer the
      // budget may hold one first load and no more, and then its reloads repeated are time the
      // run does not have.
      const budgetLeft = () => budgetMs - (Date.now() - started);
      await timeBoxed(repeat, budgetLeft(), async () => {
        const pass = await core.ingest();
        check(problems, `304 reload, run ${run + 1}`, pass, { status: 'not-modified', inserted: 0 });
        reloads304.push(pass.ms);
      });
      await origin.use('full');
      await timeBoxed(repeat, budgetLeft(), async () => {
        const pass = await core.ingest();
        check(problems, `full-body reload, run ${run + 1}`, pass, { status: 'unchanged-body', inserted: 0 });
        reloadsFull.push(pass.ms);
      });
      if (context.laterFeeds) {
        await origin.use('conditional', 'later');
        const pass = await core.ingest();
        const label = `reload with new entries, run ${run + 1}`;
        check(problems, label, pass, { status: 'stored', inserted: feeds.files.length * context.laterFeeds.newEntries });
        // The entries both versions hold are the same bytes: none may count as edited.
        if (pass.updated !== 0) problems.push(`${label}: updated ${pass.updated} items, expected 0`);
        reloadsChanged.push(pass);
      }
    } finally {
      await core.close();
      await origin.use('conditional');
    }
    const took = Date.now() - runStarted;
    if (Date.now() - started + took > budgetMs) break;
  }
  await takeFloor();
  if (cpuProfileDir) await profileFirstLoad(context, cpuProfileDir, problems);
  const firstMs = median(firsts.map((pass) => pass.ms));
  return {
    feeds: feeds.files.length, items: feeds.items, bytes: feeds.bytes, topics: topics.length, concurrency,
    origin: originKind, runs: firsts.length,
    first: {
      ms: firstMs,
      itemsPerSec: (feeds.items * 1000) / firstMs,
      mbPerSec: feeds.bytes / 1e6 / (firstMs / 1000),
      peakRssMB: median(firsts.map((pass) => pass.maxRssBytes)) / 2 ** 20,
      cpuUsPerItem: cpuPerItem(firsts, feeds.items),
      floor: floor ? { itemsPerSec: floors, ratio: floorRatio(firsts, floors, feeds.items) } : null,
    },
    reload304: { ms: median(reloads304), runs: reloads304.length },
    reloadFull: { ms: median(reloadsFull), runs: reloadsFull.length },
    reloadChanged: context.laterFeeds && reloadsChanged.length > 0 ? {
      ms: median(reloadsChanged.map((pass) => pass.ms)), runs: reloadsChanged.length, newEntries: context.laterFeeds.newEntries,
      itemsStored: median(reloadsChanged.map((pass) => pass.inserted)),
      cpuMs: median(reloadsChanged.map((pass) => pass.cpuMs.process)),
    } : null,
    matchesPerItem: matchesPerItem(database),
    problems,
    database,
  };
}
