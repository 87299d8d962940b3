import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.js';

export interface LoadFigures {
  requestsPerSec: number;
  /** autocannon's latencies, whole milliseconds. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** autocannon against `url` for `durationSec` with `connections` keep-alive connections. */
export async function loadTest(url: string, connections: number, durationSec: number): Promise<LoadFigures> {
  const result = await autocannon({ url, connections, duration: durationSec });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  status: number;
  /**
   * The server's own time over the same requests, where it was asked (scale.ts), and its process's
   * CPU per request: the work a request costs, which the machine's scheduling does not stretch.
   */
  server?: { p50Ms: number; p99Ms: number; cpuMsPerRequest: number };
}

function timedGet(agent: Agent, url: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * One request at a time over one keep-alive connection, timed to the microsecond, after a few
 * warm-up requests; stops early (after at least one) once `deadlineMs` has passed.
 */
export async function measureLatency(url: string, requests: number, warmup = 5, deadlineMs = Number.POSITIVE_INFINITY): Promise<LatencyFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let status = 0;
    for (let i = 0; i < warmup; i++) status = (await timedGet(agent, url)).status;
    const samples: number[] = [];
    const started = Date.now();
    for (let i = 0; i < requests && (i === 0 || Date.now() - started < deadlineMs); i++) {
      const sample = await timedGet(agent, url);
      status = sample.status;
      samples.push(sample.ms);
    }
    return {
      requests: samples.length, status,
      p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99),
      meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    };
  } finally {
    agent.destroy();
  }
}

/**
 * measureLatency from a process of its own. The bench process is a poor client for tail
 * latencies: after generating the default 1,000 feeds its heap is large, and its own collections
 * land in the samples. The same rendered feed read p99 9.1-10.6 ms from it, 5.3-5.9 ms from a
 * bench that had generated 40 feeds; a bare server 4.0-5.9 ms against 2.7-5.0 ms.
 */
export async function measureLatencyApart(url: string, requests: number, warmup = 5, deadlineMs = Number.POSITIVE_INFINITY): Promise<LatencyFigures> {
  const child = fork(fileURLToPath(new URL('./latency-child.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LatencyFigures>((resolve, reject) => {
    child.once('message', (message: { type: string; figures?: LatencyFigures; message?: string }) => {
      if (message.type === 'figures' && message.figures) resolve(message.figures);
      else reject(new Error(`latency client failed: ${message.message ?? message.type}`));
    });
    child.once('exit', (code) => reject(new Error(`latency client exited with ${code} before answering`)));
    child.once('error', reject);
    child.send({ type: 'measure', url, requests, warmup, deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : null });
  });
}
