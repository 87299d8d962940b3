import { parentPort } from 'node:worker_threads';
import { buildTopicIndex, topicIndexFrom, type TopicIndexData } from '../topics/topic-index.js';
import { type PrepareJob, prepareFeed } from './prepare.js';
import { encodePrepared } from './prepared-wire.js';

export type WorkerMessage =
  | { type: 'topics'; version: number; index: TopicIndexData }
  | { type: 'job'; id: number; job: PrepareJob };

// A worker of prepare-pool.ts: topic indexes and jobs in, results out, in order of arrival.
let topics = buildTopicIndex([]);
parentPort!.on('message', (message: WorkerMessage) => {
  if (message.type === 'topics') topics = topicIndexFrom(message.index);
  else parentPort!.postMessage({ id: message.id, result: encodePrepared(prepareFeed(message.job, topics)) });
});
