import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { measureLatency } from '../../bench/latency.js';

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

describe('measureLatency', () => {
  it('fails on an answer of 5xx rather than timing refusals as answers', async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked++;
      res.writeHead(asked > 8 ? 503 : 200, { 'Content-Length': 2 }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const figures = await measureLatency(url, 3, 2);
      expect(figures).toMatchObject({ requests: 3, status: 200, coding: null, bytes: 2 });
      await expect(measureLatency(url, 10, 1)).rejects.toThrow(/HTTP 503 at request 3$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('measureLatency asked as a feed reader asks', () => {
  it('sends the request\'s headers every time and reports the coding and size of what came', async () => {
    const codings: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      codings.push(req.headers['accept-encoding']);
      const body = req.headers['accept-encoding'] === 'gzip' ? gzipSync('ok ok ok ok') : Buffer.from('ok ok ok ok');
      res.writeHead(200, { 'Content-Length': body.length, ...(req.headers['accept-encoding'] === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}) }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const figures = await measureLatency(url, 3, 2, Number.POSITIVE_INFINITY, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(figures).toMatchObject({ requests: 3, status: 200, coding: 'gzip', bytes: gzipSync('ok ok ok ok').length });
      expect(codings).toEqual(Array(5).fill('gzip'));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
