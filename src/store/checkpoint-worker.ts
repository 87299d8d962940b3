import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

export type CheckpointWorkerMessage = { type: 'close' };

// A thread of checkpointer.ts: every interval, copy what the log holds into the database file.
const { path, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(path, { fileMustExist: true });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.run();
  } catch {
    // The writer's own checkpoint holds the log just now: the next round copies what is left.
  }
}, intervalMs);
parentPort!.once('message', (_message: CheckpointWorkerMessage) => {
  clearInterval(timer);
  db.close();
  parentPort!.postMessage({ type: 'closed' });
  parentPort!.close();
});
