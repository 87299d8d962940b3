// The load generator in a process of its own, driven over IPC:
//   node load-child.js   then { type: 'load', url, connections, durationSec }, one at a time
// Answers each with { type: 'figures', figures } or { type: 'failed', message }; exits when disconnected.
import { answerEach } from './apart.js';
import { runLoad } from './load.js';

interface LoadMessage {
  type: 'load';
  url: string;
  connections: number;
  durationSec: number;
}

answerEach((message: LoadMessage) => runLoad(message.url, message.connections, message.durationSec));
