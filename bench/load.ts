import autocannon from 'autocannon';

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
