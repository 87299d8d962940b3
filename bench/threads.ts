import { readdirSync, readFileSync } from 'node:fs';

/** One thread's scheduler times, ms: running on a CPU, and ready to run but waiting for one. */
export interface ThreadTimes {
  runMs: number;
  waitMs: number;
}

/** `/proc/<pid>/task/<tid>/schedstat`: nanoseconds on a CPU, nanoseconds waiting on a run queue, time slices. */
export function parseSchedstat(text: string): ThreadTimes | null {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait)) return null;
  return { runMs: run / 1e6, waitMs: wait / 1e6 };
}

/** Every thread of the process by id; null where /proc has no scheduler times (not Linux). */
export function readThreadTimes(pid = process.pid): Map<number, ThreadTimes> | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const times = new Map<number, ThreadTimes>();
  for (const tid of tids) {
    try {
      const parsed = parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
      if (parsed) times.set(Number(tid), parsed);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return times.size > 0 ? times : null;
}

/** What the threads did over a pass, ms. */
export interface PassThreads {
  mainRunMs: number;
  /** The other thread that ran most: the parser worker, where there is one. */
  busiestOtherRunMs: number;
  /** The time that thread was ready to run and waited for a CPU. */
  busiestOtherWaitMs: number;
  /** Time the threads were ready to run and waited for a CPU: the process wanted more cores than it got. */
  waitMs: number;
  mainWaitMs: number;
}

/**
 * Each thread's times after a pass less those before it; a thread started during the pass counts
 * from zero. A thread that ended during it is missing from `after`, and its time with it.
 */
export function passThreads(before: Map<number, ThreadTimes>, after: Map<number, ThreadTimes>, mainTid: number): PassThreads {
  const figures: PassThreads = { mainRunMs: 0, busiestOtherRunMs: 0, busiestOtherWaitMs: 0, waitMs: 0, mainWaitMs: 0 };
  for (const [tid, end] of after) {
    const start = before.get(tid) ?? { runMs: 0, waitMs: 0 };
    const runMs = end.runMs - start.runMs;
    const waitMs = end.waitMs - start.waitMs;
    figures.waitMs += waitMs;
    if (tid === mainTid) {
      figures.mainRunMs = runMs;
      figures.mainWaitMs = waitMs;
    } else if (runMs > figures.busiestOtherRunMs) {
      figures.busiestOtherRunMs = runMs;
      figures.busiestOtherWaitMs = waitMs;
    }
  }
  return figures;
}
