import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from './origin.js';

export interface NewsboatRun {
  ms: number;
  exitCode: number | null;
  stderr: string;
}

/** A newsboat with its own URL list, config and cache, reloading every feed on each run(). */
export interface Newsboat {
  run(): Promise<NewsboatRun>;
}

export function newsboatAvailable(): boolean {
  return hasCommand('newsboat');
}

/** A fresh newsboat cache in `dir`, with reload-threads matching feedsieve's concurrency. */
export function prepareNewsboat(dir: string, feedUrls: string[], reloadThreads: number): Newsboat {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const urls = join(dir, 'urls');
  const config = join(dir, 'config');
  const cache = join(dir, 'cache.db');
  writeFileSync(urls, `${feedUrls.join('\n')}\n`);
  writeFileSync(config, `reload-threads ${reloadThreads}\n`);
  return {
    run: () =>
      new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        // HOME points into the work dir so that newsboat never reads or writes the user's own files.
        const child = spawn('newsboat', ['-u', urls, '-c', cache, '-C', config, '-x', 'reload'], {
          env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('exit', (exitCode) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, exitCode, stderr: stderr.slice(0, 2000) }));
      }),
  };
}
