import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { topicIndexData, type TopicSnapshot } from '../topics/topic-index.js';
import { type PrepareJob, type PrepareResult, prepareFeed } from './prepare.js';
import type { WorkerMessage } from './prepare-worker.js';
import { decodePrepared, type PreparedWire } from './prepared-wire.js';

/**
 * A result given up by whatever carried it. A job's promise waits behind the worker's queue, long
 * enough to be in V8's old generation when it is resolved, and an old object's references keep a
 * young one alive through every scavenge until the next full collection: a feed's result resolved
 * into it (~1.2 MB) was promoted every time, and the main thread ran a full collection every
 * ~180 ms of a first load. The promise holds this instead, and `take` leaves it empty.
 */
export class Handoff<T> {
  #value: T | null;
  constructor(value: T) {
    this.#value = value;
  }
  /** The value, once. */
  take(): T {
    const value = this.#value;
    if (value === null) throw new Error('handoff: taken already');
    this.#value = null;
    return value;
  }
}

export interface Preparer {
  /**
   * Prepares one fetched body, matching its entries against the given topics. The body is handed
   * over: do not read it after. Take the result where no object that waited for it keeps it (see
   * Handoff), and drop it before the next await.
   */
  prepare(job: PrepareJob, topics: TopicSnapshot): Promise<Handoff<PrepareResult>>;
  close(): Promise<void>;
}

/** In the calling thread: for one core, and for code run from TypeScript sources (tests). */
export function inlinePreparer(): Preparer {
  return {
    prepare: async (job, topics) => new Handoff(prepareFeed(job, topics.index)),
    close: async () => {},
  };
}

/**
 * The body's memory, when the body is all of it: moved to the worker rather than copied, so the
 * main thread holds no second copy of each body in flight. A view into a shared or larger buffer
 * (Node's pool) is copied instead. The caller must not read a body after handing it over.
 */
function ownedBuffer(body: Uint8Array): ArrayBuffer[] {
  const { buffer } = body;
  return buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength ? [buffer] : [];
}

interface Slot {
  worker: Worker;
  pending: Map<number, (result: Handoff<PrepareResult>) => void>;
  /** The topic version this worker last received; -1 before any. */
  topicsVersion: number;
}

/**
 * Worker threads that parse, sanitize and match while the main thread fetches, fingerprints
 * stories and writes SQLite. Each worker is sent the snapshot's topic index (topicIndexData) ahead of the
 * first job that needs a newer version (a worker handles messages in order). Jobs go to the
 * worker with the fewest pending; a worker that dies fails its own jobs as 'internal' errors
 * (recorded on those feeds) and is replaced. Workers start with the first job: a process that
 * only serves never pays for loading them.
 */
export function createPreparePool(size: number, limits: { maxBodyBytes: number }): Preparer {
  const resourceLimits = workerHeapLimits(limits.maxBodyBytes);
  const url = new URL('./prepare-worker.js', import.meta.url);
  let nextId = 0;
  let closing = false;
  const slots: Slot[] = [];

  const spawn = (index: number): void => {
    sizeWorkerYoungGeneration();
    const worker = new Worker(url, { resourceLimits });
    const slot: Slot = { worker, pending: new Map(), topicsVersion: -1 };
    slot.worker.on('message', ({ id, result }: { id: number; result: PreparedWire }) => {
      const resolve = slot.pending.get(id);
      slot.pending.delete(id);
      resolve?.(new Handoff(decodePrepared(result)));
    });
    const fail = (reason: string) => {
      for (const resolve of slot.pending.values()) resolve(new Handoff({ ok: false, error: { kind: 'internal', message: `parser worker ${reason}` } }));
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
        const message: WorkerMessage = { type: 'topics', version: topics.version, index: topicIndexData(topics.index) };
        slot.worker.postMessage(message);
        slot.topicsVersion = topics.version;
      }
      return new Promise((resolve) => {
        slot.pending.set(id, resolve);
        const message: WorkerMessage = { type: 'job', id, job };
        slot.worker.postMessage(message, ownedBuffer(job.body));
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * Semi-space of a worker's young generation, in MB. A worker allocates ~140 KB an item, ~7 MB a
 * feed of 50 entries, nearly all of it garbage once the feed's result is sent. In the 4 MB the
 * main thread had then (runtime-flags.ts), a scavenge came every ~25 items, copied the feed's drafts
 * and entries so far, and the second one promoted them: the old generation then filled with that
 * garbage, and collecting it kept V8's helper threads busy for a fifth of ingest's CPU. At 16 MB
 * a feed's garbage dies young. 32 MB saved nothing more and took 30 MB more memory.
 */
export const WORKER_SEMI_SPACE_MB = 16;

/**
 * Makes the isolates created from now on, the workers, take WORKER_SEMI_SPACE_MB. V8 prefers the
 * process's --max-semi-space-size over a Worker's resourceLimits and reads it when it creates an
 * isolate, so setting it at run time leaves the main thread's heap as it was started.
 */
export function sizeWorkerYoungGeneration(): void {
  setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
}

/**
 * The heap a worker asks for. Its old generation limit leaves room for the largest body a fetch
 * may return (a 10.5 MB feed of 1,500 items needed between 32 and 48 MB, so 24 MB per MB of body
 * is a wide margin); the young generation is three semi-spaces, as V8 counts it. V8 prefers the
 * process's flags to these: under runtime-flags.ts a worker's old generation is the main thread's
 * 512 MB, and its semi-space what sizeWorkerYoungGeneration sets.
 */
export function workerHeapLimits(maxBodyBytes: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return {
    maxYoungGenerationSizeMb: 3 * WORKER_SEMI_SPACE_MB,
    maxOldGenerationSizeMb: Math.max(256, 24 * Math.ceil(maxBodyBytes / 2 ** 20)),
  };
}

/**
 * Parser workers for a machine with `cores` cores: one core is left to the main thread, which
 * fetches and writes SQLite, and to V8's helper threads, which collect every thread's garbage
 * (about as much CPU between them as a worker uses). On two cores one worker against two took
 * 8-12% less CPU per item and ingested 5-18% faster, in alternating runs: two workers time-sliced
 * with the main thread and evicted each other's topic index and word table from the caches.
 * Measured on two cores only; four workers at most, as before.
 */
export function workerCount(cores: number): number {
  return Math.max(1, Math.min(cores - 1, 4));
}

/**
 * Worker threads when the code runs compiled (a worker loads the .js file beside this one);
 * otherwise the same work inline.
 */
export function defaultPreparer(limits: { maxBodyBytes: number }): Preparer {
  const compiled = import.meta.url.endsWith('.js');
  return compiled ? createPreparePool(workerCount(availableParallelism()), limits) : inlinePreparer();
}
