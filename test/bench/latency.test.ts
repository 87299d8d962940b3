import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Every package a module loads, following its relative imports through the sources. */
function packagesLoadedBy(entry: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(entry)) return packages;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
    if (specifier!.startsWith('.')) packagesLoadedBy(join(dirname(entry), specifier!.replace(/\.js$/, '.ts')), seen, packages);
    else packages.add(specifier!);
  }
  return packages;
}

describe('the latency client process', () => {
  it('loads no load generator: autocannon slowed every read of the client that had loaded it', () => {
    const packages = packagesLoadedBy(join(ROOT, 'bench', 'latency-child.ts'));
    expect(packages).toContain('node:net');
    expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual([]);
  });
});
