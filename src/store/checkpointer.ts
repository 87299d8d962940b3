import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { CheckpointWorkerData, CheckpointWorkerMessage } from './checkpoint-worker.js';

/**
 * Copies the write-ahead log into the database file from a thread of its own. A checkpoint ends in
 * two fsync calls: when the writer ran them itself (db.ts: every 40 MB of log), they took about a
 * sixth of a save's time. The writer keeps that checkpoint: it still bounds the log and lets the
 * next write start it afresh, but by then this thread has copied and synced nearly all of it.
 * Passive: it never waits for or blocks the writer or readers.
 */
export interface Checkpointer {
  close(): Promise<void>;
}

export const CHECKPOINT_INTERVAL_MS = 200;

/** null when the code runs from TypeScript sources (a worker loads the compiled file). */
export function startCheckpointer(path: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer | null {
  if (!import.meta.url.endsWith('.js') || path === ':memory:') return null;
  const workerData: CheckpointWorkerData = { path, intervalMs };
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData });
  // Checkpoints are an optimization: a failed thread leaves them all to the writer.
  worker.on('error', () => {});
  worker.unref();
  const exited = once(worker, 'exit');
  return {
    async close() {
      // Unreferenced, the thread would let a process whose last task is this close exit before it does.
      worker.ref();
      const message: CheckpointWorkerMessage = { type: 'close' };
      worker.postMessage(message);
      await exited;
    },
  };
}
