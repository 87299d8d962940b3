// The load generator in a process of its own, driven over IPC:
//   node load-child.js   then { type: 'load', url, connections, durationSec }
// Answers { type: 'figures', figures } or { type: 'failed', message }, then exits.
import { type ClientLoad, runLoad } from './load.js';

interface LoadMessage {
  type: 'load';
  url: string;
  connections: number;
  durationSec: number;
}

process.once('message', (message: LoadMessage) => {
  runLoad(message.url, message.connections, message.durationSec)
    .then((figures: ClientLoad) => process.send?.({ type: 'figures', figures }, () => process.exit(0)))
    .catch((error: unknown) => process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) }, () => process.exit(1)));
});

// Never outlive the bench that forked this process.
process.on('disconnect', () => process.exit(0));
