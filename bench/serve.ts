import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, timeBoxed } from './context.js';
import type { ChildSetup } from './ingest-child.js';
import { type LatencyFigures, measureLatencyApart } from './latency.js';
import { type LoadFigures, loadTest, startLoadGenerator } from './load.js';
import { startServerProcess } from './server-process.js';
import { median } from './stats.js';
import { SERVED_TOPIC } from './topic-queries.js';

export interface ServeFigures {
  path: string;
  bodyBytes: number;
  items: number;
  connections: number;
  durationSec: number;
  runs: number;
  /** Slices of SLICE_SEC a side, in all runs: each side's figures are the medians over its slices. */
  slices: number;
  topicFeed: LoadFigures;
  bareHttp: LoadFigures;
  /** Each pair's topic feed requests/s ÷ bare node:http requests/s (a slice of each, one after the other). */
  pairRatios: number[];
  /** The median of pairRatios: same bytes, connections and time on each side. */
  ratio: number;
  /** Each pair's bare node:http server CPU a request ÷ the topic feed's (pairs where both have one). */
  pairCpuRatios: number[];
  /** The median of pairCpuRatios: the same comparison, free of the load generator's limit (null without one). */
  cpuRatio: number | null;
  search: LatencyFigures & { query: string };
}

/**
 * Each side's load is cut into slices of this many seconds, taken in turn with the other's. This
 * machine has slow spells of seconds to minutes, in which a request costs the server twice the CPU:
 * with one load of 5 s a side, one after the other, a spell over one side alone read the topic feed
 * at 22% and 55% of the bare server in two default runs, and the bare server at 39% of the topic
 * feed in a serve-only run. Adjacent slices share a spell, and the median of the pairs' ratios
 * leaves out a pair split by one's edge.
 */
export const SLICE_SEC = 1;

/** One slice of each server, run one right after the other. */
export interface SlicePair {
  topic: LoadFigures;
  bare: LoadFigures;
}

/** Each side's medians over its slices, and the ratios pair by pair with their medians. */
export function summarizePairs(pairs: SlicePair[]): Pick<ServeFigures, 'slices' | 'topicFeed' | 'bareHttp' | 'pairRatios' | 'ratio' | 'pairCpuRatios' | 'cpuRatio'> {
  if (pairs.length === 0) throw new Error('no slices to summarize');
  const pairRatios = pairs.map(({ topic, bare }) => topic.requestsPerSec / bare.requestsPerSec);
  const pairCpuRatios = pairs.flatMap(({ topic, bare }) =>
    topic.serverCpuUsPerRequest && bare.serverCpuUsPerRequest ? [bare.serverCpuUsPerRequest / topic.serverCpuUsPerRequest] : []);
  return {
    slices: pairs.length,
    topicFeed: medianLoad(pairs.map((pair) => pair.topic)),
    bareHttp: medianLoad(pairs.map((pair) => pair.bare)),
    pairRatios,
    ratio: median(pairRatios),
    pairCpuRatios,
    cpuRatio: pairCpuRatios.length > 0 ? median(pairCpuRatios) : null,
  };
}

/** The least time the search is timed for: 30-60 requests at the 52-94 ms a search took at 1,000 feeds. */
export const MIN_SEARCH_MS = 3_000;

/**
 * How long `/api/items?q=` is timed (it stops sooner at `latencyRequests`): twice the load's
 * duration, or what is left of the section's budget when that is less, as in a late run (a search
 * at 1,000 feeds takes ~60 ms: 10 s of it was a twelfth of what a run spent after newsboat's passes).
 */
export function searchTimeMs(durationSec: number, leftMs: number): number {
  return Math.max(MIN_SEARCH_MS, Math.min(durationSec * 2000, leftMs));
}

export interface ServeOptions {
  connections: number;
  durationSec: number;
  latencyRequests: number;
  budgetMs: number;
  /** Profile the app process (written when it exits). */
  cpuProfileDir?: string | undefined;
}

const medianLoad = (runs: LoadFigures[]): LoadFigures => {
  const cpu = runs.flatMap((r) => (r.serverCpuUsPerRequest === null ? [] : [r.serverCpuUsPerRequest]));
  return {
    requestsPerSec: median(runs.map((r) => r.requestsPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    requests: median(runs.map((r) => r.requests)),
    serverRequests: runs.every((r) => r.serverRequests !== null) ? median(runs.map((r) => r.serverRequests as number)) : null,
    serverCpuUsPerRequest: cpu.length > 0 ? median(cpu) : null,
    clientCpuPercent: median(runs.map((r) => r.clientCpuPercent)),
  };
};

/** The warm topic feed against bare node:http answering its exact bytes, in slices taken in turn; then search latency. */
export async function benchServe(context: BenchContext, setup: ChildSetup, options: ServeOptions): Promise<ServeFigures> {
  const setupPath = join(context.workDir, 'serve-setup.json');
  writeFileSync(setupPath, JSON.stringify(setup));
  const started = Date.now();
  const load = await topicFeedAgainstBare(context, setupPath, options);
  const searchMs = searchTimeMs(options.durationSec, options.budgetMs - (Date.now() - started));
  // Search runs in a process of its own, so that a profile of the feed-serving one shows only that.
  const app = await startServerProcess(['app', setupPath]);
  try {
    const query = 'NATO AND summit';
    // A search scans stored items until it has a page of matches: slow enough to need a time cap.
    const search = await measureLatencyApart(`${app.baseUrl}/api/items?q=${encodeURIComponent(query)}`, options.latencyRequests, 1, searchMs);
    return { ...load, search: { ...search, query } };
  } finally {
    await app.stop();
  }
}

async function topicFeedAgainstBare(context: BenchContext, setupPath: string, options: ServeOptions): Promise<Omit<ServeFigures, 'search'>> {
  const app = await startServerProcess(['app', setupPath], options.cpuProfileDir);
  const path = `/topics/${SERVED_TOPIC.slug}.rss`;
  try {
    const response = await fetch(`${app.baseUrl}${path}`);
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}: ${body.toString().slice(0, 200)}`);
    const items = body.toString('utf8').split('<item>').length - 1;
    if (items === 0) throw new Error(`GET ${path}: the topic feed has no items`);
    const bodyFile = join(context.workDir, 'served-body');
    writeFileSync(bodyFile, body);
    const bare = await startServerProcess(['bare', bodyFile, response.headers.get('content-type') ?? 'application/rss+xml']);
    const generator = startLoadGenerator();
    try {
      const topic = () => loadTest(generator, `${app.baseUrl}${path}`, options.connections, SLICE_SEC, app);
      const plain = () => loadTest(generator, `${bare.baseUrl}/`, options.connections, SLICE_SEC, bare);
      const slicesPerRun = Math.max(1, Math.round(options.durationSec / SLICE_SEC));
      let taken = 0;
      const runs = await timeBoxed(context.repeat, options.budgetMs, async () => {
        const pairs: SlicePair[] = [];
        for (let slice = 0; slice < slicesPerRun; slice++) {
          // In turn, A B B A A B …: neither side always runs first, on a machine the other has warmed.
          if (taken++ % 2 === 0) {
            const t = await topic();
            pairs.push({ topic: t, bare: await plain() });
          } else {
            const b = await plain();
            pairs.push({ topic: await topic(), bare: b });
          }
        }
        return pairs;
      });
      return {
        path, bodyBytes: body.length, items, connections: options.connections, durationSec: options.durationSec, runs: runs.length,
        ...summarizePairs(runs.flat()),
      };
    } finally {
      await generator.stop();
      await bare.stop();
    }
  } finally {
    await app.stop();
  }
}
