import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import vitestConfig from '../vitest.config.js';
import { ensureBuilt, ROOT, sourceNewerThanBuild } from './support/built.js';

describe('the tests\' build check', () => {
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

  it('compiles a stale tree, and leaves a current one alone', () => {
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { outDir: 'dist', rootDir: '.', module: 'NodeNext', target: 'ES2022', skipLibCheck: true },
      include: ['bench/**/*.ts', 'src/**/*.ts', 'scripts/**/*.ts'],
    }));
    writeFileSync(join(root, 'bench/run.ts'), 'export const made = 1;\n');
    ensureBuilt(root);
    expect(readFileSync(join(root, 'dist/bench/run.js'), 'utf8')).toContain('made = 1');
    expect(sourceNewerThanBuild(root)).toBeNull();

    const builtMs = statSync(join(root, 'dist/bench/run.js')).mtimeMs;
    ensureBuilt(root);
    expect(statSync(join(root, 'dist/bench/run.js')).mtimeMs).toBe(builtMs);
  }, 60_000);
});

describe('the suite\'s build', () => {
  it('is made once, before any test file runs, and no test file builds while others run dist/', () => {
    const setup = vitestConfig.test?.globalSetup;
    expect(setup).toEqual(['test/support/global-setup.ts']);
    expect(readFileSync(join(ROOT, 'test/support/global-setup.ts'), 'utf8')).toMatch(/ensureBuilt\(\)/);

    const testFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : []);
    const files = testFiles(join(ROOT, 'test'));
    expect(files.length).toBeGreaterThan(100);
    const building = files.filter((file) => /\bensureBuilt\b|['"]tsc['"]|['"]run['"], ['"]build['"]/.test(readFileSync(file, 'utf8')));
    expect(building.map((file) => file.slice(ROOT.length + 1))).toEqual(['test/built.test.ts']);
    expect(existsSync(join(ROOT, 'dist/src/cli.js'))).toBe(true);
  });
});
