// The load generator in a process of its own, driven over IPC:
//   node load-child.js   then { type: 'load', url, connections, durationSec }
// Answers { type: 'figures', figures } or { type: 'failed', message }, then exits.
import { answerOnce } from './apart.js';
import { runLoad } from './load.js';

interface LoadMessage {
  type: 'load';
  url: string;
  connections: number;
  durationSec: number;
}

answerOnce((message: LoadMessage) => runLoad(message.url, message.connections, message.durationSec));
