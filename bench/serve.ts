import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, timeBoxed } from './context.js';
import type { ChildSetup } from './ingest-child.js';
import { type LatencyFigures, measureLatencyApart } from './latency.js';
import { type LoadFigures, loadTest } from './load.js';
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
  topicFeed: LoadFigures;
  bareHttp: LoadFigures;
  /** topic feed requests/s ÷ bare node:http requests/s, same bytes, connections and duration. */
  ratio: number;
  /**
   * bare node:http's server CPU a request ÷ the topic feed's: the same comparison, free of the load
   * generator's limit (null where a side has no figure).
   */
  cpuRatio: number | null;
  search: LatencyFigures & { query: string };
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

/** The warm topic feed against bare node:http answering its exact bytes, interleaved; then search latency. */
export async function benchServe(context: BenchContext, setup: ChildSetup, options: ServeOptions): Promise<ServeFigures> {
  const setupPath = join(context.workDir, 'serve-setup.json');
  writeFileSync(setupPath, JSON.stringify(setup));
  const load = await topicFeedAgainstBare(context, setupPath, options);
  // Search runs in a process of its own, so that a profile of the feed-serving one shows only that.
  const app = await startServerProcess(['app', setupPath]);
  try {
    const query = 'NATO AND summit';
    // A search scans stored items until it has a page of matches: slow enough to need a time cap.
    const search = await measureLatencyApart(`${app.baseUrl}/api/items?q=${encodeURIComponent(query)}`, options.latencyRequests, 1,
      options.durationSec * 2000);
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
    try {
      const runs = await timeBoxed(context.repeat, options.budgetMs, async (run) => {
        const topic = () => loadTest(`${app.baseUrl}${path}`, options.connections, options.durationSec, app);
        const plain = () => loadTest(`${bare.baseUrl}/`, options.connections, options.durationSec, bare);
        // Alternate the order so that neither side always runs on a warmer machine.
        if (run % 2 === 0) {
          const t = await topic();
          return { topic: t, bare: await plain() };
        }
        const b = await plain();
        return { topic: await topic(), bare: b };
      });
      const topicFeed = medianLoad(runs.map((r) => r.topic));
      const bareHttp = medianLoad(runs.map((r) => r.bare));
      return {
        path, bodyBytes: body.length, items, connections: options.connections, durationSec: options.durationSec, runs: runs.length,
        topicFeed, bareHttp, ratio: topicFeed.requestsPerSec / bareHttp.requestsPerSec,
        cpuRatio: topicFeed.serverCpuUsPerRequest && bareHttp.serverCpuUsPerRequest
          ? bareHttp.serverCpuUsPerRequest / topicFeed.serverCpuUsPerRequest : null,
      };
    } finally {
      await bare.stop();
    }
  } finally {
    await app.stop();
  }
}
