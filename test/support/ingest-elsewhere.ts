// `feedsieve ingest` in a process of its own, over a database a service in the test's process
// uses: another writer, as a run by hand or by cron beside `serve` is.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/src/cli.js');

/**
 * Runs `feedsieve ingest --config config` and returns what it printed, retried while serve's own
 * pass holds the lease (exit 3). Not spawnSync: the feeds' server runs in this process and must
 * answer meanwhile.
 */
export async function ingestElsewhere(config: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [CLI, 'ingest', '--config', config], { encoding: 'utf8', timeout: 30_000 },
        (error, stdout, stderr) => done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
    });
    if (run.status === 0) return run.stdout;
    if (run.status !== 3) throw new Error(`feedsieve ingest exited ${run.status}: ${run.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the ingest lease was never free');
}
