// One range of the generated feeds, written on a thread of its own (writeFeedVersionsApart).
import { parentPort, workerData } from 'node:worker_threads';
import { type FeedRangeJob, writeFeedRange } from './generate.js';

const job = workerData as FeedRangeJob;
parentPort!.postMessage(writeFeedRange(job.versions, job.from, job.to, job.itemsPerFeed, new Date(job.nowMs), job.style));
