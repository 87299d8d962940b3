// Fetch limits for tests against servers on 127.0.0.1: loopback allowed, timeouts of seconds.
import type { FetchLimits } from '../../src/ingest/fetch.js';

export function testFetchLimits(overrides: Partial<FetchLimits> = {}): FetchLimits {
  return {
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    maxBytes: 1024 * 1024,
    maxRedirects: 5,
    allowPrivateAddresses: true,
    allowFileUrls: false,
    userAgent: 'feedsieve-test/0.1',
    ...overrides,
  };
}
