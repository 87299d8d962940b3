import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SANITIZE_POLICY } from '../src/html/sanitize.js';
import { PAGE_SIZE, readMigrations } from '../src/store/db.js';
import type { BenchContext } from './context.js';
import { type ChildSetup, startCoreProcess } from './core-process.js';
import { type LatencyFigures, type LatencyRequest, measureLatencyApart } from './latency.js';
import { fillDatabase, type FillFigures } from './scale-fill.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { percentile } from './stats.js';
import { SERVED_TOPIC } from './topic-queries.js';

export interface ScaleFigures {
  items: number;
  databaseMB: number;
  fill: FillFigures & { reused: boolean };
  /** The rendered feed from the cache: what a feed reader polling it gets. */
  topicFeedWarm: LatencyFigures;
  /** Bare node:http answering the same bytes, timed the same way: the floor for the two above. */
  bareFeed: LatencyFigures;
  /**
   * The page rendered on every request (its cache bypassed), from the entries kept from earlier
   * renders: what the first reader after an ingest pass that touched the topic waits for.
   */
  topicFeedCold: LatencyFigures;
  /** Rendered from the items read whole on every request, nothing kept: the first request after a start. */
  topicFeedScratch: LatencyFigures;
  /**
   * The two rows feed readers meet most, asked as they ask (`Accept-Encoding: gzip`): the page's
   * compressed body kept with it, and the page rendered and compressed on every request, as the
   * first reader after an ingest pass that changed the page waits for it.
   */
  gzip: { topicFeedWarm: LatencyFigures; topicFeedCold: LatencyFigures };
  apiItemsByTopic: LatencyFigures;
  /** A program polling for what is new, and finding one item: `/api/items?since=` the newest item's time. */
  apiItemsSince: LatencyFigures;
  /** New feeds ingested into the full database, and the same feeds into an empty one. */
  ingest: { feeds: number; items: number; ms: number; itemsPerSec: number; emptyDatabaseItemsPerSec: number };
}

const WARMUP = 5;

const GZIP: LatencyRequest = { headers: { 'Accept-Encoding': 'gzip' } };

/**
 * The warm-up of a row asked with gzip, which follows the same request's row without it on the same
 * server: the rendering code is warm by then, and zlib is native code, with nothing to optimize.
 * A short one still lets the page's first compression and the lane's path for it go by unmeasured.
 */
const GZIP_WARMUP_MS = 500;

/**
 * The most requests a server answers unmeasured before a row, within the run's warm-up time. Fresh
 * servers rendering their page on every request at 1,000,000 items, by the thousand requests: V8
 * optimized 300, 104, 68, 24 and 12 functions in one (`--trace-opt`); in another, its helper
 * threads took 0.22, 0.16, 0.12, 0.09 and 0.02 ms a request of the other core, and a request met a
 * stall over 3 ms 2.7, 2.2, 2.2, 1.2 and 0.6% of the time. The row's p99 over 1,000 requests read
 * 4.72-5.87 ms after 5 requests and 2.18-2.70 ms after 4,000, in three alternating rounds.
 */
export const LATENCY_WARMUP_REQUESTS = 4000;

/**
 * measureLatencyApart against `server`, with the server's own time over the same requests: what
 * the client waited for beyond it is the machine's (scheduling, the client itself), not the service's.
 * The service runs for days: what a row measures is a server past its first thousands of requests,
 * so each row is preceded by up to LATENCY_WARMUP_REQUESTS of the same request, for up to `warmupMs`.
 */
async function latencyOf(server: ServerProcess, path: string, requests: number, warmupMs: number,
  request: LatencyRequest = {}): Promise<LatencyFigures> {
  const url = `${server.baseUrl}${path}`;
  const warmup = warmupMs > 0 ? (await measureLatencyApart(url, LATENCY_WARMUP_REQUESTS, 0, warmupMs, request)).requests : 0;
  await server.serverTimes(); // the requests before these
  const figures = await measureLatencyApart(url, requests, WARMUP, Number.POSITIVE_INFINITY, request);
  const { times, cpuMs } = await server.serverTimes();
  // The CPU covers the measured call's own first WARMUP requests too: the same request, the same work.
  const cpuMsPerRequest = cpuMs / Math.max(1, times.length);
  const measured = times.slice(WARMUP);
  return { ...figures, warmupRequests: warmup, server: { p50Ms: percentile(measured, 50), p99Ms: percentile(measured, 99), cpuMsPerRequest } };
}

export interface ScaleOptions {
  items: number;
  contentBytes: number;
  latencyRequests: number;
  /** How long each latency row's unmeasured warm-up may take (LATENCY_WARMUP_REQUESTS at most); 0 for none. */
  latencyWarmupMs: number;
  ingestFeeds: number;
  /** Build a new database even when one with the same parameters is on disk. */
  fresh: boolean;
  /** Profile the app process that renders the topic feed on every request. */
  cpuProfileDir?: string | undefined;
}

async function ingestOnce(setup: ChildSetup, setupPath: string): Promise<number> {
  const core = await startCoreProcess(setup, setupPath);
  try {
    const pass = await core.ingest();
    const stored = pass.statuses.stored ?? 0;
    if (stored !== setup.feedUrls.length) throw new Error(`scale: ingest stored ${stored}/${setup.feedUrls.length} feeds (${pass.errors.join('; ')})`);
    return pass.ms;
  } finally {
    await core.close();
  }
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

function newestSortAt(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT max(sort_at) FROM items').pluck().get() as string | null) ?? new Date().toISOString();
  } finally {
    db.close();
  }
}

/**
 * Stops the section when a row timed something other than what it names: an answer other than
 * 200 (a slow error page would pass for a fast feed), or a row asked with gzip that came plain.
 */
export function checkScaleAnswers(rows: ReadonlyArray<readonly [string, LatencyFigures]>, askedWithGzip: readonly LatencyFigures[]): void {
  for (const [label, figures] of rows) {
    if (figures.status !== 200) throw new Error(`scale: ${label} answered HTTP ${figures.status}`);
  }
  for (const figures of askedWithGzip) {
    if (figures.coding !== 'gzip') throw new Error(`scale: the topic feed asked with gzip came as ${figures.coding ?? 'identity'}`);
  }
}

/**
 * A database of `items` items, reused across runs while its parameters (page size and schema
 * included) stay the same (it takes minutes to build); topic feed and /api/items latency over it;
 * then ingest of new feeds into it.
 */
export async function benchScale(context: BenchContext, options: ScaleOptions): Promise<ScaleFigures> {
  const dir = join(context.workDir, `scale-${options.items}`);
  const database = join(dir, 'feedsieve.db');
  const metaPath = join(dir, 'meta.json');
  // The schema is part of the key: a database migrated in place keeps the old layout's pages (and
  // its size) until VACUUM, so it would not measure what a fresh one does. So is the sanitizer's
  // policy: content stored under an older one is sanitized again at every render.
  const schema = readMigrations().map((migration) => migration.name);
  const wanted = JSON.stringify({
    items: options.items, contentBytes: options.contentBytes, topics: context.topics, schema, pageSize: PAGE_SIZE,
    sanitizePolicy: SANITIZE_POLICY, version: 3,
  });
  let fill: ScaleFigures['fill'];
  if (!options.fresh && existsSync(database) && existsSync(metaPath) && JSON.parse(readFileSync(metaPath, 'utf8')).key === wanted) {
    fill = { ...(JSON.parse(readFileSync(metaPath, 'utf8')).fill as FillFigures), reused: true };
    context.log(`  reusing the ${options.items}-item database in ${dir} (built at ${Math.round(fill.itemsPerSec)} items/s; --fresh-scale rebuilds it)`);
  } else {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let reported = 0;
    const figures = await fillDatabase(database, options.items, 1000, context.topics, options.contentBytes, (done) => {
      if (done - reported >= options.items / 10) {
        reported = done;
        context.log(`  filled ${done} items`);
      }
    });
    writeFileSync(metaPath, JSON.stringify({ key: wanted, fill: figures }));
    fill = { ...figures, reused: false };
  }

  // No config feeds: opening the database drops the feeds a previous run's ingest added.
  const setup = { database, feedUrls: [], topics: context.topics, concurrency: context.concurrency };
  const setupPath = join(dir, 'serve-setup.json');
  writeFileSync(setupPath, JSON.stringify(setup));
  const topicPath = `/topics/${SERVED_TOPIC.slug}.rss`;
  const apiPath = `/api/items?topic=${SERVED_TOPIC.slug}`;
  const sincePath = `/api/items?since=${encodeURIComponent(newestSortAt(database))}`;
  const warmServer = await startServerProcess(['app', setupPath]);
  let topicFeedWarm: LatencyFigures;
  let bareFeed: LatencyFigures;
  // Cached answers take under a millisecond: ten times the requests of the rendered path cost
  // seconds, and a p99 of 2,000 samples rests on 20 of them, not on a few scheduler hiccups.
  const cachedRequests = options.latencyRequests * 10;
  let topicFeedWarmGzip: LatencyFigures;
  try {
    topicFeedWarm = await latencyOf(warmServer, topicPath, cachedRequests, options.latencyWarmupMs);
    topicFeedWarmGzip = await latencyOf(warmServer, topicPath, cachedRequests, Math.min(GZIP_WARMUP_MS, options.latencyWarmupMs), GZIP);
    const response = await fetch(`${warmServer.baseUrl}${topicPath}`);
    const bodyFile = join(dir, 'served-body');
    writeFileSync(bodyFile, Buffer.from(await response.arrayBuffer()));
    const bare = await startServerProcess(['bare', bodyFile, response.headers.get('content-type') ?? 'application/rss+xml']);
    try {
      bareFeed = await latencyOf(bare, '/', cachedRequests, options.latencyWarmupMs);
    } finally {
      await bare.stop();
    }
  } finally {
    await warmServer.stop();
  }
  const coldServer = await startServerProcess(['app', setupPath, 'nocache'], options.cpuProfileDir);
  let topicFeedCold: LatencyFigures;
  let topicFeedColdGzip: LatencyFigures;
  let apiItemsByTopic: LatencyFigures;
  let apiItemsSince: LatencyFigures;
  // Five times the requests for a few milliseconds each: of 200, a p99 was the second slowest,
  // and moved from 4 to 10 ms between runs of the same code.
  const renderedRequests = options.latencyRequests * 5;
  try {
    topicFeedCold = await latencyOf(coldServer, topicPath, renderedRequests, options.latencyWarmupMs);
    topicFeedColdGzip = await latencyOf(coldServer, topicPath, renderedRequests, Math.min(GZIP_WARMUP_MS, options.latencyWarmupMs), GZIP);
    apiItemsByTopic = await latencyOf(coldServer, apiPath, renderedRequests, options.latencyWarmupMs);
    apiItemsSince = await latencyOf(coldServer, sincePath, renderedRequests, options.latencyWarmupMs);
  } finally {
    await coldServer.stop();
  }
  const scratchServer = await startServerProcess(['app', setupPath, 'scratch']);
  let topicFeedScratch: LatencyFigures;
  try {
    topicFeedScratch = await latencyOf(scratchServer, topicPath, renderedRequests, options.latencyWarmupMs);
  } finally {
    await scratchServer.stop();
  }
  checkScaleAnswers([['topic feed', topicFeedWarm], ['cold topic feed', topicFeedCold], ['topic feed from scratch', topicFeedScratch],
    ['api items', apiItemsByTopic], ['api items since', apiItemsSince], ['topic feed asked with gzip', topicFeedWarmGzip],
    ['cold topic feed asked with gzip', topicFeedColdGzip]], [topicFeedWarmGzip, topicFeedColdGzip]);
  const databaseMB = (fileSize(database) + fileSize(`${database}-wal`)) / 1e6;

  await context.origin.use('conditional');
  const files = context.feeds.files.slice(0, options.ingestFeeds);
  const items = (context.feeds.items / context.feeds.files.length) * files.length;
  const ms = await ingestOnce({ ...setup, feedUrls: context.origin.urls(files) }, join(dir, 'ingest-setup.json'));
  const emptyDir = join(context.workDir, 'scale-empty');
  rmSync(emptyDir, { recursive: true, force: true });
  mkdirSync(emptyDir, { recursive: true });
  const emptyMs = await ingestOnce({ ...setup, database: join(emptyDir, 'feedsieve.db'), feedUrls: context.origin.urls(files) },
    join(emptyDir, 'setup.json'));
  rmSync(emptyDir, { recursive: true, force: true });
  return {
    items: fill.items, databaseMB, fill, topicFeedWarm, bareFeed, topicFeedCold, topicFeedScratch, apiItemsByTopic, apiItemsSince,
    gzip: { topicFeedWarm: topicFeedWarmGzip, topicFeedCold: topicFeedColdGzip },
    ingest: { feeds: files.length, items, ms, itemsPerSec: (items * 1000) / ms, emptyDatabaseItemsPerSec: (items * 1000) / emptyMs },
  };
}
