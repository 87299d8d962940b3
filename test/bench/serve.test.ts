import { describe, expect, it } from 'vitest';
import { MIN_SEARCH_MS, searchTimeMs, type SlicePair, summarizePairs } from '../../bench/serve.js';
import type { LoadFigures } from '../../bench/load.js';

const load = (requestsPerSec: number, serverCpuUsPerRequest: number | null, p99Ms = 2): LoadFigures => ({
  requests: requestsPerSec, requestsPerSec, p50Ms: 1, p99Ms, errors: 0, non2xx: 0, clientCpuPercent: 90,
  serverRequests: requestsPerSec, serverCpuUsPerRequest,
});

describe('the serve section\'s slices, summarized', () => {
  it('compares each pair of adjacent slices, so that a slow spell over one side\'s slice moves one ratio, not the median', () => {
    const pairs: SlicePair[] = [
      { topic: load(9000, 60), bare: load(10000, 50) },
      // A slow spell over both slices of a pair: each server at half its rate.
      { topic: load(4500, 120), bare: load(5000, 100) },
      { topic: load(4500, 120), bare: load(10000, 50) }, // over the topic feed's slice only
      { topic: load(9000, 60), bare: load(10000, 50) },
    ];
    const summary = summarizePairs(pairs);
    expect(summary.slices).toBe(4);
    expect(summary.pairRatios).toEqual([0.9, 0.9, 0.45, 0.9]);
    expect(summary.ratio).toBeCloseTo(0.9, 9);
    // The sides' own medians, divided, would read 6,750 ÷ 10,000.
    expect(summary.topicFeed.requestsPerSec / summary.bareHttp.requestsPerSec).toBeCloseTo(0.675, 9);
    expect(summary.pairCpuRatios.map((r) => Number(r.toFixed(6)))).toEqual([0.833333, 0.833333, 0.416667, 0.833333]);
    expect(summary.cpuRatio).toBeCloseTo(50 / 60, 9);
  });

  it('gives each side the medians of its slices', () => {
    const summary = summarizePairs([
      { topic: load(100, 10, 3), bare: load(200, 5, 1) },
      { topic: load(300, 30, 9), bare: load(400, 7, 2) },
      { topic: load(200, 20, 4), bare: load(300, 6, 8) },
    ]);
    expect(summary.topicFeed.requestsPerSec).toBe(200);
    expect(summary.topicFeed.p99Ms).toBe(4);
    expect(summary.topicFeed.serverCpuUsPerRequest).toBe(20);
    expect(summary.bareHttp.requestsPerSec).toBe(300);
    expect(summary.bareHttp.p99Ms).toBe(2);
    expect(summary.bareHttp.serverCpuUsPerRequest).toBe(6);
  });

  it('takes CPU ratios from the pairs where both servers have a figure, and none without any', () => {
    const some = summarizePairs([
      { topic: load(100, null), bare: load(100, 5) },
      { topic: load(100, 10), bare: load(100, 5) },
    ]);
    expect(some.pairCpuRatios).toEqual([0.5]);
    expect(some.cpuRatio).toBe(0.5);
    const none = summarizePairs([{ topic: load(100, null), bare: load(100, null) }]);
    expect(none.pairCpuRatios).toEqual([]);
    expect(none.cpuRatio).toBeNull();
  });

  it('refuses to summarize no slices', () => {
    expect(() => summarizePairs([])).toThrow(/no slices/);
  });
});

describe('the serve section\'s search timing', () => {
  it('takes twice the load\'s duration while the section\'s budget has it left', () => {
    expect(searchTimeMs(5, 48_000)).toBe(10_000);
    expect(searchTimeMs(2, 60_000)).toBe(4_000);
  });

  it('takes what is left of the budget in a late run, and never less than its least', () => {
    expect(searchTimeMs(5, 6_500)).toBe(6_500);
    expect(MIN_SEARCH_MS).toBe(3_000);
    expect(searchTimeMs(5, 0)).toBe(MIN_SEARCH_MS);
    // A load that overran the budget leaves less than nothing.
    expect(searchTimeMs(5, -12_000)).toBe(MIN_SEARCH_MS);
  });
});
