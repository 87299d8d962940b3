// A feedsieve core in its own process, driven over IPC by bench/ingest.ts, so that its peak
// memory is its own and the origin and load generator never share its event loop.
// Messages in: { type: 'ingest' } | { type: 'close' }; out: 'ready', 'ingested', 'failed'.
// argv[2] is the path of a JSON ChildSetup.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { openCore, type Core } from '../src/main.js';
import type { RefreshReport } from '../src/ingest/refresh.js';
import { passThreads, readThreadTimes } from './threads.js';

export interface ChildSetup {
  database: string;
  feedUrls: string[];
  topics: { slug: string; title: string; query: string }[];
  concurrency: number;
}

export interface PassFigures {
  ms: number;
  feeds: number;
  inserted: number;
  updated: number;
  unchanged: number;
  statuses: Record<string, number>;
  errors: string[];
  maxRssBytes: number;
  /**
   * CPU time the pass took, ms: the whole process; from /proc (null elsewhere), the main thread, the
   * busiest other thread (the parser worker), and the time every thread, the main thread and that
   * other thread were ready to run but waited for a CPU.
   */
  cpuMs: {
    process: number;
    mainThread: number | null;
    busiestOtherThread: number | null;
    waitingForCore: { all: number; mainThread: number; busiestOtherThread: number } | null;
  };
}

function send(message: unknown): void {
  process.send?.(message);
}

// core.ingest returns the reports, or a pass outcome wrapping them when it runs under a lease.
function reportsOf(outcome: unknown): RefreshReport[] {
  if (Array.isArray(outcome)) return outcome as RefreshReport[];
  const pass = outcome as { status?: string; reports?: RefreshReport[]; holder?: string };
  if (pass.status === 'done' && pass.reports) return pass.reports;
  throw new Error(`ingest did not run: ${pass.status ?? 'unknown outcome'}${pass.holder ? ` (held by ${pass.holder})` : ''}`);
}

async function runPass(core: Core, urls: Set<string>): Promise<PassFigures> {
  // Only the setup's feeds: a database may hold others (the scale section's) that must not be fetched.
  const feeds = (await core.store.listFeeds()).filter((feed) => urls.has(feed.url));
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const threadsBefore = readThreadTimes();
  const reports = reportsOf(await core.ingest(feeds));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = readThreadTimes();
  const threads = threadsBefore && threadsAfter ? passThreads(threadsBefore, threadsAfter, process.pid) : null;
  const cpuMs: PassFigures['cpuMs'] = {
    process: (cpu.user + cpu.system) / 1000,
    mainThread: threads?.mainRunMs ?? null,
    busiestOtherThread: threads?.busiestOtherRunMs ?? null,
    waitingForCore: threads ? { all: threads.waitMs, mainThread: threads.mainWaitMs, busiestOtherThread: threads.busiestOtherWaitMs } : null,
  };
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  for (const report of reports) {
    statuses[report.status] = (statuses[report.status] ?? 0) + 1;
    inserted += report.inserted;
    updated += report.updated;
    unchanged += report.unchanged;
    if (report.error && errors.length < 5) errors.push(`${report.url}: ${report.error.kind} ${report.error.message}`);
  }
  // resourceUsage().maxRSS is in kilobytes: the peak of the whole process so far.
  return { ms, feeds: reports.length, inserted, updated, unchanged, statuses, errors, maxRssBytes: process.resourceUsage().maxRSS * 1024, cpuMs };
}

async function main(setup: ChildSetup): Promise<void> {
  const config = parseConfig({
    database: setup.database,
    logLevel: 'silent',
    ingest: {
      allowPrivateAddresses: true,
      concurrency: setup.concurrency,
      perHostConcurrency: Math.min(16, setup.concurrency),
      timeoutMs: 120_000,
    },
    feeds: setup.feedUrls.map((url) => ({ url })),
    topics: setup.topics,
  }, setup.database.replace(/[^/]*$/, 'config.json'), {});
  const core = await openCore(config, createLogger('silent'));
  const urls = new Set(config.feeds.map((feed) => feed.url));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'ingest') {
      runPass(core, urls).then((pass) => send({ type: 'ingested', pass }), (error: unknown) => send({ type: 'failed', message: String(error) }));
    } else if (message.type === 'close') {
      void core.close().then(() => process.exit(0));
    }
  });
  send({ type: 'ready' });
}

const setup = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ChildSetup;
// Never outlive the bench that forked this process.
process.on('disconnect', () => process.exit(0));

main(setup).catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
