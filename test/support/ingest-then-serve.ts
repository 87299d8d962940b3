import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openCore, startService } from '../../src/main.js';
import { ROOT } from './built.js';
import { freePort } from './net.js';

const CLI = join(ROOT, 'dist/src/cli.js');

/** Runs the built `feedsieve` command in a child process. Asynchronously: a feed's origin in this process must answer it meanwhile. */
export const feedsieve = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args]);

/**
 * Writes a config at `config` for one feed and the topic "nato" over `feedsieve.db` beside it,
 * fetches the feed with `feedsieve ingest`, then serves the database in this process while `use`
 * asks it, at the base URL it is given.
 */
export async function ingestThenServe<T>(config: string, feedUrl: string, use: (baseUrl: string) => Promise<T>): Promise<T> {
  // A port of its own each time: a client's kept connection to the last one would meet a closed server.
  writeFileSync(config, JSON.stringify({
    database: 'feedsieve.db', logLevel: 'silent', server: { host: '127.0.0.1', port: await freePort() },
    ingest: { allowPrivateAddresses: true }, feeds: [{ url: feedUrl }], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
  }));
  await feedsieve('ingest', '--config', config);
  const loaded = loadConfig(config, {});
  const service = await startService(await openCore(loaded, createLogger('silent')));
  try {
    await service.firstIngest;
    return await use(loaded.server.baseUrl);
  } finally {
    await service.stop();
  }
}
