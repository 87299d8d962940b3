import { describe, expect, it } from 'vitest';
import { createLimiter, type Limiter } from '../../src/ingest/limiter.js';

/** A task the test finishes by hand, recording when it started. */
interface Gate {
  label: string;
  /** Says its fetch is over, with the body's bytes: its slots free, it runs on. */
  fetched(bytes: number): void;
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
    let fetched!: (bytes: number) => void;
    const result = limiter.run(host, (done) => {
      fetched = done;
      started.push(label);
      return new Promise<string>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    });
    const gate: Gate = {
      label,
      fetched: (bytes) => fetched(bytes),
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

  it('frees a task\'s slots once its fetch is over, while it goes on; a second call changes nothing', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 1, perHost: 1, backlog: { tasks: 3, bytes: 1_000 } }));
    for (let i = 1; i <= 5; i++) enqueue('one.example', `t${i}`);
    await settle();
    expect(started).toEqual(['t1']);
    gate('t1').fetched(10);
    gate('t1').fetched(10);
    await settle();
    expect(started).toEqual(['t1', 't2']);
    gate('t2').fetched(10);
    await settle();
    expect(started).toEqual(['t1', 't2', 't3']);
    // Three started and none settled: the backlog is full, fetch slot free or not.
    gate('t3').fetched(10);
    await settle();
    expect(started).toEqual(['t1', 't2', 't3']);
    gate('t1').finish();
    await settle();
    expect(started).toEqual(['t1', 't2', 't3', 't4']);
    await expect(gate('t1').result).resolves.toBe('t1');
  });

  it('starts no fetch while the bodies fetched and not yet settled reach the backlog\'s bytes', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 2, perHost: 2, backlog: { tasks: 10, bytes: 100 } }));
    for (let i = 1; i <= 5; i++) enqueue('big.example', `t${i}`);
    await settle();
    expect(started).toEqual(['t1', 't2']);
    gate('t1').fetched(60);
    await settle();
    expect(started).toEqual(['t1', 't2', 't3']);
    gate('t2').fetched(60);
    await settle();
    // 120 bytes waiting: two fetch slots are free, yet nothing starts.
    expect(started).toEqual(['t1', 't2', 't3']);
    gate('t2').finish();
    await settle();
    expect(started).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('without a backlog, lets no more tasks start than fetch at once, as before', async () => {
    const { started, enqueue, gate } = harness(createLimiter({ concurrency: 2, perHost: 2 }));
    for (let i = 1; i <= 4; i++) enqueue('a.example', `t${i}`);
    await settle();
    gate('t1').fetched(1);
    await settle();
    expect(started).toEqual(['t1', 't2']);
  });

  it.each([
    { concurrency: 0, perHost: 2 },
    { concurrency: 4, perHost: 0 },
    { concurrency: Number.NaN, perHost: 2 },
    { concurrency: 4, perHost: 2, backlog: { tasks: 3, bytes: 1_000 } },
    { concurrency: 4, perHost: 2, backlog: { tasks: 8, bytes: 0 } },
  ])('refuses %o', (opts) => {
    expect(() => createLimiter(opts)).toThrow(RangeError);
  });
});
