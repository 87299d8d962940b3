import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The bench's compiled modules: those that start child processes find their scripts beside them. */
export const BENCH_DIST = join(ROOT, 'dist', 'bench');

// `npm test` builds first (pretest); a bare `vitest run test/bench` may find dist/ missing or stale.
export function ensureBuilt(): void {
  const newestSource = Math.max(...readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(ROOT, 'bench', f)).mtimeMs));
  const run = join(BENCH_DIST, 'run.js');
  if (existsSync(run) && statSync(run).mtimeMs >= newestSource) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  } catch {
    // Type errors elsewhere still emit JavaScript; the run below fails clearly if the bench's own did not.
  }
}
