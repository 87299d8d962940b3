import { describe, expect, it } from 'vitest';
import type { LatencyFigures } from '../../bench/latency.js';
import { checkScaleAnswers } from '../../bench/scale.js';

const answered = (status: number, coding: string | null): LatencyFigures =>
  ({ requests: 100, p50Ms: 0.2, p99Ms: 2, meanMs: 0.3, status, coding, bytes: coding ? 30_000 : 129_000 });

describe("the scale section's check of what its rows timed", () => {
  it('passes rows that answered 200, and gzip rows that came compressed', () => {
    const plain = answered(200, null);
    const gzipped = answered(200, 'gzip');
    expect(() => checkScaleAnswers([['topic feed', plain], ['topic feed asked with gzip', gzipped]], [gzipped])).not.toThrow();
  });

  it('stops at a row that answered anything but 200, naming the row and the status', () => {
    const rows = [['topic feed', answered(200, null)], ['api items', answered(503, null)]] as const;
    expect(() => checkScaleAnswers(rows, [])).toThrow('scale: api items answered HTTP 503');
  });

  it('stops when a row asked with gzip came plain or in another coding', () => {
    const plain = answered(200, null);
    expect(() => checkScaleAnswers([['topic feed asked with gzip', plain]], [plain])).toThrow('came as identity');
    const brotli = answered(200, 'br');
    expect(() => checkScaleAnswers([['topic feed asked with gzip', brotli]], [brotli])).toThrow('came as br');
  });
});
