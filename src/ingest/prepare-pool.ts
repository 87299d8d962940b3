import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TopicSnapshot } from '../topics/topic-index.js';
import { type PrepareJob, type PrepareResult, prepareFeed } from './prepare.js';
import type { WorkerMessage } from './prepare-worker.js';

export interface Preparer {
  /** Prepares one fetched body, matching its entries against the given topics. */
  prepare(job: PrepareJob, topics: TopicSnapshot): Promise<PrepareResult>;
  close(): Promise<void>;
}

/** In the calling thread: for one core, and for code run from TypeScript sources (tests). */
export function inlinePreparer(): Preparer {
  return {
    prepare: async (job, topics) => prepareFeed(job, topics.index),
    close: async () => {},
  };
}

interface Slot {
  worker: Worker;
  pending: Map<number, (result: PrepareResult) => void>;
  /** The topic version this worker last received; -1 before any. */
  topicsVersion: number;
}

/**
 * Worker threads that parse, sanitize, match and fingerprint while the main thread fetches and
 * writes SQLite. Each worker builds its own topic index from the definitions, sent ahead of the
 * first job that needs a newer version (a worker handles messages in order). Jobs go to the
 * worker with the fewest pending; a worker that dies fails its own jobs as 'internal' errors
 * (recorded on those feeds) and is replaced. Workers start with the first job: a process that
 * only serves never pays for loading them.
 */
export function createPreparePool(size: number): Preparer {
  const url = new URL('./prepare-worker.js', import.meta.url);
  let nextId = 0;
  let closing = false;
  const slots: Slot[] = [];

  const spawn = (index: number): void => {
    // A worker's garbage is one feed at a time: a small young generation holds it and keeps each
    // worker about 30 MB smaller than V8's default sizing, at no measured cost in speed.
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const slot: Slot = { worker, pending: new Map(), topicsVersion: -1 };
    slot.worker.on('message', ({ id, result }: { id: number; result: PrepareResult }) => {
      slot.pending.get(id)?.(result);
      slot.pending.delete(id);
    });
    const fail = (reason: string) => {
      for (const resolve of slot.pending.values()) resolve({ ok: false, error: { kind: 'internal', message: `parser worker ${reason}` } });
      slot.pending.clear();
      if (!closing) spawn(index);
    };
    slot.worker.on('error', (error) => fail(`failed: ${error.message}`));
    slot.worker.on('exit', (code) => {
      if (slots[index] === slot && slot.pending.size > 0) fail(`exited with code ${code}`);
    });
    // Idle workers must not keep a finished CLI command alive.
    slot.worker.unref();
    slots[index] = slot;
  };

  return {
    prepare(job, topics) {
      if (slots.length === 0) for (let i = 0; i < size; i++) spawn(i);
      const slot = slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
      const id = nextId++;
      if (slot.topicsVersion !== topics.version) {
        const message: WorkerMessage = { type: 'topics', version: topics.version, definitions: topics.definitions };
        slot.worker.postMessage(message);
        slot.topicsVersion = topics.version;
      }
      return new Promise((resolve) => {
        slot.pending.set(id, resolve);
        const message: WorkerMessage = { type: 'job', id, job };
        slot.worker.postMessage(message);
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * One worker thread per core when the code runs compiled (a worker loads the .js file beside
 * this one); otherwise the same work inline. The main thread only fetches and writes, about a
 * third of a core at full speed, so it shares a core with a worker rather than keeping one idle.
 */
export function defaultPreparer(): Preparer {
  const compiled = import.meta.url.endsWith('.js');
  return compiled ? createPreparePool(Math.min(availableParallelism(), 4)) : inlinePreparer();
}
