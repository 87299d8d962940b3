// Latency one request at a time, apart from autocannon (load.ts): loading autocannon instantiates
// its histograms' WebAssembly, and a client process that had loaded it took 0.50-0.56 ms to read a
// bare server's 129 KB answer off a raw socket, against 0.09-0.18 ms without (medians of 2,000).
import { askApart } from './apart.js';
import { type RawResponse, rawGetter } from './raw-get.js';
import { percentile } from './stats.js';

export interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  status: number;
  /** The last answer's Content-Encoding (null without one) and body bytes, as sent. */
  coding: string | null;
  bytes: number;
  /**
   * The server's own time over the same requests, where it was asked (scale.ts), and its process's
   * CPU per request: the work a request costs, which the machine's scheduling does not stretch.
   */
  server?: { p50Ms: number; p99Ms: number; cpuMsPerRequest: number };
  /** Requests answered unmeasured before these, on a connection of their own (scale.ts). */
  warmupRequests?: number;
}

/** What a latency client asks, besides the URL. */
export interface LatencyRequest {
  /** Sent with each request: a feed reader's `Accept-Encoding`, say. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * One request at a time over one keep-alive connection (raw-get.ts), each timed from its write to
 * its last byte, after a few warm-up requests; stops early (after at least one) once `deadlineMs`
 * has passed.
 */
export async function measureLatency(url: string, requests: number, warmup = 5, deadlineMs = Number.POSITIVE_INFINITY,
  { headers = {} }: LatencyRequest = {}): Promise<LatencyFigures> {
  const client = await rawGetter(url, headers);
  try {
    let last: RawResponse = { status: 0, bytes: 0, coding: null };
    for (let i = 0; i < warmup; i++) last = await client.get();
    const samples: number[] = [];
    const started = Date.now();
    for (let i = 0; i < requests && (i === 0 || Date.now() - started < deadlineMs); i++) {
      const sentAt = process.hrtime.bigint();
      last = await client.get();
      samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      // A refusal (a search past its share, 503) answers fast: timed, it would flatter the figures.
      if (last.status >= 500) throw new Error(`GET ${url}: HTTP ${last.status} at request ${i + 1}`);
    }
    const { status, coding, bytes } = last;
    return {
      requests: samples.length, status, coding, bytes,
      p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99),
      meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    };
  } finally {
    client.close();
  }
}

/**
 * measureLatency from a process of its own. The bench process is a poor client for tail
 * latencies: after generating the default 1,000 feeds its heap is large, and its own collections
 * land in the samples. The same rendered feed read p99 9.1-10.6 ms from it, 5.3-5.9 ms from a
 * bench that had generated 40 feeds; a bare server 4.0-5.9 ms against 2.7-5.0 ms.
 */
export async function measureLatencyApart(url: string, requests: number, warmup = 5, deadlineMs = Number.POSITIVE_INFINITY,
  request: LatencyRequest = {}): Promise<LatencyFigures> {
  return askApart<LatencyFigures>(new URL('./latency-child.js', import.meta.url),
    { type: 'measure', url, requests, warmup, deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : null, request }, 'latency client');
}
