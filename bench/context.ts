import type { BenchOptions } from './args.js';
import type { GeneratedFeedSet } from './generate.js';
import { type Origin, type OriginMode, startOrigin } from './origin.js';
import type { BenchTopic } from './topic-queries.js';

/** What every section shares: the feeds on disk, the origin serving them, the topics, where to write. */
export interface BenchContext {
  workDir: string;
  feeds: GeneratedFeedSet;
  /** The same feeds as a later poll finds them (the origin's 'later' version), with how many entries each gained. */
  laterFeeds: { set: GeneratedFeedSet; newEntries: number } | null;
  topics: BenchTopic[];
  origin: OriginControl;
  concurrency: number;
  repeat: number;
  log(line: string): void;
}

/** Which files the origin serves under the feeds' URLs: as first generated, or as a later poll finds them. */
export type FeedVersion = 'first' | 'later';

/** One origin at a time on a fixed port, so stored feed URLs stay valid when the mode or the version changes. */
export interface OriginControl {
  use(mode: OriginMode, version?: FeedVersion): Promise<Origin>;
  urls(files: string[]): string[];
  stop(): Promise<void>;
}

export async function createOriginControl(roots: { first: string; later: string | null }, workDir: string, probeFile: string,
  prefer: 'nginx' | 'node' | undefined): Promise<OriginControl> {
  let current = await startOrigin({ root: roots.first, workDir, mode: 'conditional', probeFile, prefer });
  let currentVersion: FeedVersion = 'first';
  const port = Number(new URL(current.baseUrl).port);
  return {
    async use(mode, version = 'first') {
      if (current.mode === mode && currentVersion === version) return current;
      const root = roots[version];
      if (root === null) throw new Error(`no ${version} version of the feeds was generated`);
      await current.stop();
      current = await startOrigin({ root, workDir, mode, port, probeFile, prefer });
      currentVersion = version;
      return current;
    },
    urls: (files) => files.map((file) => `${current.baseUrl}/${file}`),
    stop: () => current.stop(),
  };
}

/**
 * Runs `once` up to `repeat` times, but stops early (after at least one run) when another run
 * would overrun `budgetMs`: the section reports how many runs its medians cover.
 */
export async function timeBoxed<T>(repeat: number, budgetMs: number, once: (run: number) => Promise<T>): Promise<T[]> {
  const started = Date.now();
  const results: T[] = [];
  for (let run = 0; run < repeat; run++) {
    const before = Date.now();
    results.push(await once(run));
    const took = Date.now() - before;
    if (Date.now() - started + took > budgetMs) break;
  }
  return results;
}

/**
 * What the scale section takes of a run's total when its database is reused (reading it, timing
 * three app servers and the bare one, and two small ingests: 19-23 s in a default run, and up to
 * 3 s of warm-up before each of its four rendered rows; 29-33 s in all in runs 51-52), and its two
 * rows asked with gzip (~6 s more: 36.9 s in a scale-only run).
 */
const SCALE_SECTION_MS = 42_000;
/**
 * One run of the serve section, about: five slices of a second a side, starting the servers and
 * the load generator, and timing `/api/items?q=` (23.4 s in a default run; 23.5-23.8 s with two
 * loads of 5 s before).
 */
const SERVE_RUN_MS = 25_000;
/** One run of the topics section, with room: two first loads, each a core's start and ~20 ms a feed (100 feeds: 8 s). */
const topicsRunMs = (feeds: number): number => 4_000 + 40 * feeds;

/**
 * What the parse section takes a pass of its parser processes, one untimed pass included, at the
 * default preset's sizes: it took 27.2 s with 5 timed passes, 16.2 s with 3 and 14.0 s with 2
 * (with --quick's sizes, 15.8 s with 3: the corpus and the processes' starts weigh the same).
 */
export const PARSE_MS_A_PASS = 4_500;
/** The fewest timed passes the parse section makes: a median of three, however late the run. */
export const MIN_PARSE_PASSES = 3;
/** What the parse section, run last, is kept of the run's total at its fewest passes. */
const PARSE_SECTION_MS = (MIN_PARSE_PASSES + 1) * PARSE_MS_A_PASS;

/**
 * A section's time budget at `nowMs`, for a run started at `startedMs`. Newsboat's three passes
 * take 3.5 to 8 minutes by machine and nothing can shorten them, so they come first: the sections
 * after them share what is left of the run's total, the scale section's part and the parse
 * section's at its fewest passes kept aside. Ingest (~27 s a run) takes what one run of topics
 * and one of serve leave of it, topics (~5 s a run) what serve's one run leaves, serve the rest.
 * A section runs at least once.
 */
export function sectionBudgetMs(options: Pick<BenchOptions, 'budgetSec' | 'totalBudgetSec' | 'topicFeeds'>, section: keyof BenchOptions['budgetSec'],
  startedMs: number, nowMs: number): number {
  const own = options.budgetSec[section] * 1000;
  if (section === 'peer') return own;
  const left = Math.max(0, startedMs + options.totalBudgetSec * 1000 - SCALE_SECTION_MS - PARSE_SECTION_MS - nowMs);
  const after = { ingest: topicsRunMs(options.topicFeeds) + SERVE_RUN_MS, topics: SERVE_RUN_MS, serve: 0 }[section];
  return Math.min(own, Math.max(0, left - after));
}

/**
 * The timed passes of the parse section, which runs last: the preset's while what is left of the
 * run's total allows them, fewer in a late run, MIN_PARSE_PASSES at least (or the preset's, if
 * fewer). Its figures are not targets; a late run gives up two of their passes, not its limit.
 */
export function parsePassesFor(options: Pick<BenchOptions, 'parsePasses' | 'totalBudgetSec'>, startedMs: number, nowMs: number): number {
  const left = startedMs + options.totalBudgetSec * 1000 - nowMs;
  const fits = Math.floor(left / PARSE_MS_A_PASS) - 1;
  return Math.min(options.parsePasses, Math.max(MIN_PARSE_PASSES, fits));
}
