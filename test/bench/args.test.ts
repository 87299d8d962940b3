import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

describe('bench arguments', () => {
  it('warm each scale latency row up for 3 s by default, 1 s in --quick, or as given', () => {
    expect(parseBenchArgs([]).latencyWarmupSec).toBe(3);
    expect(parseBenchArgs(['--quick']).latencyWarmupSec).toBe(1);
    expect(parseBenchArgs(['--latency-warmup', '0.5']).latencyWarmupSec).toBe(0.5);
    expect(parseBenchArgs(['--latency-warmup', '0']).latencyWarmupSec).toBe(0);
  });

  it.each(['-1', 'soon', ''])('refuses --latency-warmup %j', (value) => {
    expect(() => parseBenchArgs([`--latency-warmup=${value}`])).toThrow(/--latency-warmup must be a number of seconds/);
  });
});
