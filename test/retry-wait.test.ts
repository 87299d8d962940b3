import { describe, expect, it } from 'vitest';
import { retryWaitMs } from '../src/retry-wait.js';

describe('retryWaitMs', () => {
  it('waits the first wait, then four times as long each time, never past an hour', () => {
    expect([1, 2, 3, 4, 5, 6].map((failures) => retryWaitMs(60_000, failures))).toEqual([60_000, 240_000, 960_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(retryWaitMs(30_000, 1)).toBe(30_000);
    expect(retryWaitMs(30_000, 3)).toBe(480_000);
  });
});
