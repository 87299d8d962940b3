import { describe, expect, it } from 'vitest';
import { cpuLine } from '../../bench/report.js';
import { parseSchedstat, passThreads, readThreadTimes } from '../../bench/threads.js';

describe('thread times over an ingest pass', () => {
  it('reads /proc schedstat: nanoseconds on a CPU, then waiting for one', () => {
    expect(parseSchedstat('1500000000 250000000 4096\n')).toEqual({ runMs: 1500, waitMs: 250 });
    expect(parseSchedstat('')).toBeNull();
    expect(parseSchedstat('x y z')).toBeNull();
  });

  it('takes each thread\'s times less those before, a new thread from zero, and the busiest other thread apart from the main one', () => {
    const before = new Map([
      [100, { runMs: 1000, waitMs: 100 }],
      [101, { runMs: 50, waitMs: 5 }],
      [102, { runMs: 400, waitMs: 40 }],
    ]);
    const after = new Map([
      [100, { runMs: 9000, waitMs: 1600 }],
      [101, { runMs: 650, waitMs: 105 }],
      [102, { runMs: 700, waitMs: 90 }],
      // Started during the pass, a parser worker.
      [103, { runMs: 8500, waitMs: 1400 }],
    ]);
    expect(passThreads(before, after, 100)).toEqual({
      mainRunMs: 8000,
      mainWaitMs: 1500,
      busiestOtherRunMs: 8500,
      busiestOtherWaitMs: 1400,
      waitMs: 1500 + 100 + 50 + 1400,
    });
    // The main thread is never taken for the busiest other one, however much it ran; the wait is that thread's.
    expect(passThreads(before, after, 103)).toMatchObject({ busiestOtherRunMs: 8000, busiestOtherWaitMs: 1500 });
  });

  it('finds this process\'s threads on Linux, the main thread among them, with times that only grow', () => {
    const first = readThreadTimes();
    if (process.platform !== 'linux') {
      expect(first).toBeNull();
      return;
    }
    expect(first!.has(process.pid)).toBe(true);
    // The kernel adds a running thread's time at its scheduler's ticks and switches, not at each
    // read: spin until a read shows more, for up to a second.
    const before = first!.get(process.pid)!.runMs;
    let after = before;
    let spin = 0;
    for (const deadline = Date.now() + 1000; after <= before && Date.now() < deadline;) {
      for (let i = 0; i < 2_000_000; i++) spin += i % 7;
      after = readThreadTimes()!.get(process.pid)!.runMs;
    }
    expect(spin).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(before);
  });

  it('prints the threads, the wait for a core and how the busiest other thread spent the load when /proc gave them, the process total alone otherwise', () => {
    expect(cpuLine({
      all: 387.2, mainThread: 162.4, busiestOtherThread: 175.1, waitingForCore: { all: 61.3, mainThread: 30.2 },
      busiestOtherThreadShares: { running: 0.72, waiting: 0.12, idle: 0.16 },
    })).toBe('387 µs per item (main thread 162 µs, busiest other thread 175 µs); waiting for a core 61 µs per item (main thread 30 µs); '
      + 'the busiest other thread ran 72% of the load, waited for a core 12%, idle 16%');
    expect(cpuLine({ all: 400, mainThread: null, busiestOtherThread: null, waitingForCore: null, busiestOtherThreadShares: null })).toBe('400 µs per item');
  });
});
