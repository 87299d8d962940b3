import { parentPort } from 'node:worker_threads';
import { type PrepareJob, prepareFeed } from './prepare.js';

// A worker of prepare-pool.ts: jobs in, results out, in order of arrival.
parentPort!.on('message', (message: { id: number; job: PrepareJob }) => {
  parentPort!.postMessage({ id: message.id, result: prepareFeed(message.job) });
});
