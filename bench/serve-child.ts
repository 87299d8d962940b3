// An HTTP server in its own process for the serve and scale sections, driven over IPC:
//   node serve-child.js app SETUP_JSON [nocache|scratch]  the feedsieve app over the setup's database
//   node serve-child.js bare BODY_FILE CONTENT_TYPE  bare node:http answering those bytes
// Sends { type: 'listening', port } once it accepts connections. Answers { type: 'times' } with
// { type: 'times', times, requests, cpuMs }: the server's own milliseconds for each request since
// the last ask (up to MAX_TIMES of them), how many it answered, and the CPU the process used
// meanwhile, every thread's.
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../src/config.js';
import { createEntryCache } from '../src/http/entry-cache.js';
import { createFeedCache, type FeedCache } from '../src/http/feed-cache.js';
import { createLogger } from '../src/log.js';
import { buildListener, openCore } from '../src/main.js';
import type { ChildSetup } from './ingest-child.js';

/**
 * `cached`: as the service runs. `nocache`: every request renders its page, from the entries kept
 * from earlier renders (entry-cache.ts), as the first request after an ingest pass dropped the page
 * does. `scratch`: nothing kept, every entry rendered from its item, as after a start.
 */
export type AppMode = 'cached' | 'nocache' | 'scratch';

async function appListener(setup: ChildSetup, mode: AppMode): Promise<RequestListener> {
  const config = parseConfig({
    database: setup.database,
    logLevel: 'silent',
    // Searches may take the whole thread: the bench times them one after another, not their share.
    server: { host: '127.0.0.1', port: 0, searchMsPerSecond: 1000 },
    ingest: { allowPrivateAddresses: true },
    feeds: setup.feedUrls.map((url) => ({ url })),
    topics: setup.topics,
  }, setup.database.replace(/[^/]*$/, 'config.json'), {});
  const core = await openCore(config, createLogger('silent'));
  const cache: FeedCache = createFeedCache(mode === 'scratch' ? createEntryCache(0) : createEntryCache());
  const served: FeedCache = mode === 'cached' ? cache : { ...cache, get: () => null };
  return buildListener(core, served);
}

// Enough for any section's timed requests; the serve section's load reads only their count.
const MAX_TIMES = 100_000;

/**
 * Times each request from its arrival to its last byte handed to the kernel: what the server
 * spends, apart from what reaches the client late (the latency client's own figures hold both).
 */
function timed(listener: RequestListener, times: number[], answered: { count: number }): RequestListener {
  return (req, res) => {
    const started = performance.now();
    res.once('finish', () => {
      answered.count++;
      if (times.length < MAX_TIMES) times.push(performance.now() - started);
    });
    listener(req, res);
  };
}

function bareListener(bodyFile: string, contentType: string): RequestListener {
  const body = readFileSync(bodyFile);
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
  };
}

async function main(): Promise<void> {
  const [kind, first = '', second] = process.argv.slice(2);
  const listener = kind === 'bare'
    ? bareListener(first, second ?? 'application/octet-stream')
    : await appListener(JSON.parse(readFileSync(first, 'utf8')) as ChildSetup, second === 'nocache' || second === 'scratch' ? second : 'cached');
  const times: number[] = [];
  const answered = { count: 0 };
  let cpuAtAsk = process.cpuUsage();
  const server = createServer(timed(listener, times, answered));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port }));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'times') {
      const cpu = process.cpuUsage(cpuAtAsk);
      cpuAtAsk = process.cpuUsage();
      process.send?.({ type: 'times', times: times.splice(0), requests: answered.count, cpuMs: (cpu.user + cpu.system) / 1000 });
      answered.count = 0;
    } else if (message.type === 'close') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

// Never outlive the bench that forked this process.
process.on('disconnect', () => process.exit(0));

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
