import { describe, expect, it } from 'vitest';
import { createLimiter, type Limiter } from '../../src/ingest/limiter.js';

/** A task the test finishes by hand, recording when it started. */
interface Gate {
  label: string;
  finish(value?: string): void;
  fail(error: Error): void;
  result: Promise<string>;
}

function harness(limiter: Limiter) {
  const started: string[] = [];
  const gates = new Map<string, Gate>();
  const enqueue = (host: string, label: string): Gate => {
    let finish!: (value: string) => void;
    let fail!: (error: Error) => void;
    const result = limiter.run(host, () => {
      started.push(label);
      return new Promise<string>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    });
    const gate: Gate = {
      label,
      finish: (value = label) => finish(value),
      fail: (error) => fail(error),
      result,
    };
    gates.set(label, gate);
    return gate;
  };
  const gate = (label: string): Gate => {
    const found = gates.get(label);
    if (!found) throw new Error(`no task ${label}`);
    return found;
  };
  return { started, enqueue, gate };
}

/** Let every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 3, perHost: 2 }));
    for (let i = 1; i <= 6; i++) enqueue(`host${i}`, `t${i}`);
    await settle();
    expect(started).toEqual(['t1', 't2', 't3']);

    gate('t2').finish();
    await settle();
    expect(started).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('runs at most `perHost` tasks for one host, in the order they came', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 10, perHost: 2 }));
    for (let i = 1; i <= 5; i++) enqueue('slow.example', `a${i}`);
    await settle();
    expect(started).toEqual(['a1', 'a2']);

    gate('a1').finish();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
  });

  it('lets other hosts pass a slow host that is at its limit', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 3, perHost: 2 }));
    for (let i = 1; i <= 6; i++) enqueue('slow.example', `a${i}`);
    enqueue('fast.example', 'b1');
    enqueue('fast.example', 'b2');
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1']);

    // b1's slot goes to b2, not to the slow host's older but still blocked tasks.
    gate('b1').finish();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2']);

    // Once the slow host frees a slot, its queue moves again, oldest first.
    gate('a1').finish();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2', 'a3']);
  });

  it('settles with the task: values and errors pass through, and a failure frees its slot', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 1, perHost: 1 }));
    const first = enqueue('a.example', 'first');
    const second = enqueue('b.example', 'second');
    await settle();
    first.fail(new Error('connection reset'));
    await expect(first.result).rejects.toThrow('connection reset');
    await settle();
    expect(started).toEqual(['first', 'second']);
    gate('second').finish('parsed');
    await expect(second.result).resolves.toBe('parsed');
  });

  it('turns a task that throws synchronously into a rejection and keeps going', async () => {
    const limiter = createLimiter({ concurrency: 1, perHost: 1 });
    const broken = limiter.run('a.example', () => {
      throw new Error('bug');
    });
    await expect(broken).rejects.toThrow('bug');
    await expect(limiter.run('a.example', async () => 'next')).resolves.toBe('next');
  });

  it.each([
    { concurrency: 0, perHost: 2 },
    { concurrency: 4, perHost: 0 },
    { concurrency: Number.NaN, perHost: 2 },
  ])('refuses %o', (opts) => {
    expect(() => createLimiter(opts)).toThrow(RangeError);
  });
});
