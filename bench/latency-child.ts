// The latency client in a process of its own, driven over IPC:
//   node latency-child.js   then { type: 'measure', url, requests, warmup, deadlineMs, request }
// Answers { type: 'figures', figures } or { type: 'failed', message }; exits when disconnected.
import { answerEach } from './apart.js';
import { type LatencyRequest, measureLatency } from './latency.js';

interface MeasureMessage {
  type: 'measure';
  url: string;
  requests: number;
  warmup: number;
  deadlineMs: number | null;
  request: LatencyRequest;
}

answerEach((message: MeasureMessage) =>
  measureLatency(message.url, message.requests, message.warmup, message.deadlineMs ?? Number.POSITIVE_INFINITY, message.request));
