import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../src/one-at-a-time.js';

/** Work that runs until its test lets it end, counting its runs. */
function heldWork(outcome: () => Error | null = () => null) {
  const ends: (() => void)[] = [];
  let runs = 0;
  const work = async (): Promise<void> => {
    runs++;
    await new Promise<void>((end) => ends.push(end));
    const error = outcome();
    if (error) throw error;
  };
  return { work, runs: () => runs, endRun: () => ends.shift()?.() };
}

describe('oneAtATime', () => {
  it('has a call made while the work runs join that run, and a call after it start the next', async () => {
    const held = heldWork();
    const runner = oneAtATime(held.work, () => {});
    expect(runner.busy()).toBe(false);
    const first = runner.run();
    const joined = runner.run();
    expect(joined).toBe(first);
    expect([held.runs(), runner.busy()]).toEqual([1, true]);
    held.endRun();
    await first;
    expect(runner.busy()).toBe(false);
    const next = runner.run();
    expect(next).not.toBe(first);
    expect(held.runs()).toBe(2);
    held.endRun();
    await next;
  });

  it('gives a failure to its handler, resolves the run, and starts afresh at the next call', async () => {
    const failures: unknown[] = [];
    let failing = true;
    const held = heldWork(() => (failing ? new Error('locked') : null));
    const runner = oneAtATime(held.work, (error) => failures.push(error));
    const failed = runner.run();
    held.endRun();
    await expect(failed).resolves.toBeUndefined();
    expect(failures.map((error) => (error as Error).message)).toEqual(['locked']);
    failing = false;
    const again = runner.run();
    held.endRun();
    await again;
    expect([held.runs(), failures.length]).toEqual([2, 1]);
  });

  it('is idle only once no run is under way, counting one started as the last ended', async () => {
    const held = heldWork();
    const runner = oneAtATime(held.work, () => {});
    await runner.idle();
    const first = runner.run();
    // Told of the first run's end before the wait below is: the next run starts before it looks again.
    void first.then(() => void runner.run());
    let idle = false;
    const waited = runner.idle().then(() => {
      idle = true;
    });
    held.endRun();
    await first;
    await new Promise((tick) => setTimeout(tick, 10));
    expect([held.runs(), idle]).toEqual([2, false]);
    held.endRun();
    await waited;
    expect(idle).toBe(true);
  });
});
