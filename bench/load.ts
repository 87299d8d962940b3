import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
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
