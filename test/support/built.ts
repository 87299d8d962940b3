import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The bench's compiled modules: those that start child processes find their scripts beside them. */
export const BENCH_DIST = join(ROOT, 'dist', 'bench');

// What tsconfig.json compiles: the bench runs src/'s modules as well as its own.
const COMPILED_DIRS = ['src', 'bench', 'scripts'];
const COMPILED = /\.(ts|json)$/;

function newestIn(dir: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newestIn(path) : COMPILED.test(entry.name) ? { path, mtimeMs: statSync(path).mtimeMs } : null;
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** A compiled source under `root` written after dist/bench/run.js, or null when the build is current. */
export function sourceNewerThanBuild(root: string): string | null {
  const run = join(root, 'dist', 'bench', 'run.js');
  if (!existsSync(run)) return run;
  const builtMs = statSync(run).mtimeMs;
  for (const dir of COMPILED_DIRS) {
    const newest = existsSync(join(root, dir)) ? newestIn(join(root, dir)) : null;
    if (newest && newest.mtimeMs > builtMs) return newest.path;
  }
  return null;
}

/**
 * Compiles `root` when a source is newer than its build. `npm test` builds first (pretest); a bare
 * `vitest run` after an edit finds dist/ stale, and the suite's global setup (global-setup.ts) calls
 * this once, before any test file runs.
 */
export function ensureBuilt(root: string = ROOT): void {
  if (sourceNewerThanBuild(root) === null) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'ignore' });
  } catch {
    // Type errors still emit JavaScript; a test that runs a module that did not compile fails on it clearly.
  }
}
