// The latency client in a process of its own, driven over IPC:
//   node latency-child.js   then { type: 'measure', url, requests, warmup, deadlineMs }
// Answers { type: 'figures', figures } or { type: 'failed', message }; exits when disconnected.
import { answerEach } from './apart.js';
import { measureLatency } from './latency.js';

interface MeasureMessage {
  type: 'measure';
  url: string;
  requests: number;
  warmup: number;
  deadlineMs: number | null;
}

answerEach((message: MeasureMessage) =>
  measureLatency(message.url, message.requests, message.warmup, message.deadlineMs ?? Number.POSITIVE_INFINITY));
