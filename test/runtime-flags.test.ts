import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../src/runtime-flags.js';

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
});
