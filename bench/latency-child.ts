// The latency client in a process of its own, driven over IPC:
//   node latency-child.js   then { type: 'measure', url, requests, warmup, deadlineMs }
// Answers { type: 'figures', figures } or { type: 'failed', message }, then exits.
import { measureLatency } from './latency.js';

interface MeasureMessage {
  type: 'measure';
  url: string;
  requests: number;
  warmup: number;
  deadlineMs: number | null;
}

process.once('message', (message: MeasureMessage) => {
  measureLatency(message.url, message.requests, message.warmup, message.deadlineMs ?? Number.POSITIVE_INFINITY)
    .then((figures) => process.send?.({ type: 'figures', figures }, () => process.exit(0)))
    .catch((error: unknown) => process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) }, () => process.exit(1)));
});

// Never outlive the bench that forked this process.
process.on('disconnect', () => process.exit(0));
