import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceNewerThanBuild } from './built.js';

describe('the bench tests\' build check', () => {
  let root: string;
  const write = (path: string, secondsAgo: number) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    const at = Date.now() / 1000 - secondsAgo;
    utimesSync(file, at, at);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'feedsieve-built-'));
    write('bench/run.ts', 300);
    write('src/store/fetch-results.ts', 300);
    write('scripts/wasm.ts', 300);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the build current when every compiled source is older than it', () => {
    write('dist/bench/run.js', 100);
    expect(sourceNewerThanBuild(root)).toBeNull();
  });

  it('names a source under src/ written after the build, however deep, not only the bench\'s own', () => {
    write('dist/bench/run.js', 100);
    write('src/store/deep/band-index.ts', 10);
    expect(sourceNewerThanBuild(root)).toBe(join(root, 'src/store/deep/band-index.ts'));
  });

  it('counts JSON the sources import, and not files the compiler leaves alone', () => {
    write('dist/bench/run.js', 100);
    write('src/README.md', 10);
    expect(sourceNewerThanBuild(root)).toBeNull();
    write('src/topics/spelling-variants.json', 10);
    expect(sourceNewerThanBuild(root)).toBe(join(root, 'src/topics/spelling-variants.json'));
  });

  it('names the missing build when there is none', () => {
    expect(sourceNewerThanBuild(root)).toBe(join(root, 'dist/bench/run.js'));
  });
});
