import { createRequire } from 'node:module';
import { type ApartProcess, startApart } from './apart.js';
import type { ServerProcess } from './server-process.js';

/** What the load generator measures of a run, in its own process. */
export interface ClientLoad {
  /** Responses the run received. */
  requests: number;
  requestsPerSec: number;
  /** autocannon's latencies, whole milliseconds. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** The load generator's CPU over the run, in % of one core: near 100, requests/s are its limit. */
  clientCpuPercent: number;
}

export interface LoadFigures extends ClientLoad {
  /** Requests the server answered over the run (a few more than `requests`: those cut off at its end); null without one. */
  serverRequests: number | null;
  /** The server process's CPU (every thread) over the run, per request it answered; null without one. */
  serverCpuUsPerRequest: number | null;
}

/**
 * autocannon appends every response's body to a string (`req.body += data`), which it reads only
 * to check a body that was asked for. A Buffer added to a string is decoded as UTF-8, and V8
 * decodes a piece holding any non-ASCII byte one byte at a time: on the topic feed of typographic
 * text (360 KB) the client held both servers to ~1,700 requests/s, its core full. A ~300 KB body of
 * such text, bare node:http: 2,514-2,610 requests/s with the bodies kept (the server at 27-32% of
 * a core), 15,977 without (74%); an ASCII one, 13,176-13,559 and 17,166 (66-73% and 79%). The
 * bench never asks for a body check, so the bodies are not kept.
 */
function dropResponseBodies(): void {
  const require = createRequire(import.meta.url);
  const queue = require('autocannon/lib/pipelinedRequestsQueue.js') as { prototype: { addBody: (data: Buffer) => void } };
  queue.prototype.addBody = () => {};
}

/**
 * autocannon against `url` for `durationSec` with `connections` keep-alive connections, in this
 * process. autocannon is loaded here only: its histograms' WebAssembly slows a process that reads
 * latencies (latency.ts).
 */
export async function runLoad(url: string, connections: number, durationSec: number): Promise<ClientLoad> {
  const { default: autocannon } = await import('autocannon');
  dropResponseBodies();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({ url, connections, duration: durationSec });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: result.requests.total,
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
  };
}

/**
 * runLoad asked of `generator`, a process of its own (load-child.ts), as latency.ts measures apart,
 * and for the same reason: after generating the default 1,000 feeds the bench process's heap is
 * large. With autocannon in it, dropping the bodies made each response cheaper and the process's
 * collections dearer: 3,645-6,120 requests/s for either server, the process at 117-130% of a core,
 * against 10,092-11,746 with the bodies kept. With the server's process, the CPU it spent a request too.
 */
export async function loadTest(generator: LoadGenerator, url: string, connections: number, durationSec: number,
  server?: ServerProcess): Promise<LoadFigures> {
  // Asked before the run, so that the run's figures start from zero.
  if (server) await server.serverTimes();
  const client = await generator.ask({ type: 'load', url, connections, durationSec });
  const answered = server ? await server.serverTimes() : null;
  return {
    ...client,
    serverRequests: answered ? answered.requests : null,
    serverCpuUsPerRequest: answered && answered.requests > 0 ? (answered.cpuMs * 1000) / answered.requests : null,
  };
}

export type LoadGenerator = ApartProcess<{ type: 'load'; url: string; connections: number; durationSec: number }, ClientLoad>;

/**
 * load-child.ts started once for several runs, asked one at a time. A slice of a second took
 * 1.30-1.34 s with a process started for it (its start, then autocannon's modules) and 1.01-1.03 s
 * asked of one kept process: ~3 s of a serve run's ten slices.
 */
export function startLoadGenerator(): LoadGenerator {
  return startApart(new URL('./load-child.js', import.meta.url), 'load generator');
}
