import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_SEMI_SPACE_MB } from '../src/ingest/prepare-pool.js';
import { HEAP_GROWING_PERCENT, MAIN_SEMI_SPACE_MB, NODE_FLAGS } from '../src/runtime-flags.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('runtime flags', () => {
  it('npm start and the feedsieve command run node with the same heap settings the benchmark uses', () => {
    const { scripts } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toContain(`node ${NODE_FLAGS.join(' ')} dist/src/cli.js serve`);
    expect(readFileSync(resolve(ROOT, 'src/cli.ts'), 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });

  it('are accepted by this node and bound its heap', () => {
    const run = spawnSync(process.execPath, [...NODE_FLAGS, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const limitMb = Number(run.stdout.trim()) / 2 ** 20;
    expect(limitMb).toBeGreaterThan(500);
    expect(limitMb).toBeLessThan(700);
  });

  it('leave the old generation room for fetched bodies: buffers churned as fetching churns them start no run of full collections', () => {
    // ~20 MB kept alive, about what the main thread keeps during ingest; then 1,000 bodies' worth of
    // buffers, each six 60 KB reads and their concatenation, one event-loop turn apart.
    const script = `
      const { PerformanceObserver, constants } = require('node:perf_hooks');
      let major = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
      }).observe({ entryTypes: ['gc'] });
      const kept = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'x' + i, a: [i, i + 1] }));
      (async () => {
        for (let body = 0; body < 1000; body++) {
          const reads = [];
          for (let read = 0; read < 6; read++) reads.push(Buffer.alloc(60000, 1));
          Buffer.concat(reads);
          await new Promise((resolve) => setImmediate(resolve));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        console.log(JSON.stringify({ major, kept: kept.length }));
      })();`;
    const majorCollections = (flags: readonly string[]) => {
      const run = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { major: number }).major;
    };
    const growing = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
    expect(NODE_FLAGS).toContain(growing);
    // 1 here in every run; 6-9 with V8's own growing factor, and 6-8 with a factor of 2.
    expect(majorCollections(NODE_FLAGS)).toBeLessThanOrEqual(2);
    expect(majorCollections(NODE_FLAGS.filter((flag) => flag !== growing))).toBeGreaterThanOrEqual(4);
  });

  it('leave the main thread its young generation while parser workers get theirs', () => {
    // A real process under the service's flags: the built pool sizes the young generation of the
    // worker it starts next; each thread then fills its own young generation and reports its size.
    const built = join(ROOT, 'dist/src/ingest/prepare-pool.js');
    expect(existsSync(built), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
    const churn = "let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 2e5) keep = []; }";
    const young = "require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size";
    const script = `
      const { Worker } = require('node:worker_threads');
      import(${JSON.stringify(built)}).then(({ sizeWorkerYoungGeneration, workerHeapLimits }) => {
        sizeWorkerYoungGeneration();
        const worker = new Worker(${JSON.stringify(`${churn} require('node:worker_threads').parentPort.postMessage(${young});`)},
          { eval: true, resourceLimits: workerHeapLimits(10_000_000) });
        worker.once('message', (workerYoung) => { ${churn} console.log(JSON.stringify({ main: ${young}, worker: workerYoung })); });
      });`;
    const run = spawnSync(process.execPath, [...NODE_FLAGS, '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const sizes = JSON.parse(run.stdout) as { main: number; worker: number };
    // new_space is two semi-spaces.
    expect(sizes.worker / 2 ** 20).toBe(2 * WORKER_SEMI_SPACE_MB);
    expect(sizes.main / 2 ** 20).toBe(2 * MAIN_SEMI_SPACE_MB);
    expect(WORKER_SEMI_SPACE_MB).not.toBe(MAIN_SEMI_SPACE_MB);
  });
});
