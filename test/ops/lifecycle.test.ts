import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { openCore } from '../../src/main.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const NOW = Date.now();

const entries = (feed: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ guid: `${feed}-${i}`, title: `${feed} story ${i}`, publishedAt: new Date(NOW - i * 60_000) }));


describe('lifecycle', () => {
  let origin: FaultServer;
  let dir: string;
  const FAST = ['a', 'b', 'c', 'd', 'e', 'f'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-life-'));
    const routes: Record<string, { body: string; drip?: { intervalMs: number; bytes: number } }> = {};
    for (const name of FAST) routes[`/${name}.rss`] = { body: rssDocument(name, entries(name, 20)) };
    // A slow feed keeps the ingest pass in flight for the whole test.
    routes['/slow.rss'] = { body: rssDocument('slow', entries('slow', 20)), drip: { intervalMs: 200, bytes: 1 } };
    origin = await startFaultServer(routes);
  });
  afterAll(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM during an ingest exits 0 within seconds, with every item of the finished feeds stored', async () => {
    const port = await freePort();
    const db = join(dir, 'sigterm.db');
    const config = join(dir, 'sigterm.json');
    writeFileSync(config, JSON.stringify({
      database: db, logLevel: 'info',
      ingest: { allowPrivateAddresses: true, timeoutMs: 60_000 },
      feeds: [...FAST, 'slow'].map((name) => ({ url: origin.url(`/${name}.rss`) })),
    }));
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--config', config], {
      env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Wait until the fast feeds are stored while the slow one is still dripping.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const fetched = (output.match(/"msg":"feed fetched"/g) ?? []).length;
      if (fetched >= FAST.length) break;
      if (Date.now() > deadline) throw new Error(`feeds not fetched in time:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(output).not.toMatch(/slow\.rss.*feed fetched/);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, output).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);

    const sqlite = new Database(db, { readonly: true });
    const counts = sqlite.prepare(`SELECT f.url, count(i.id) AS n, f.last_error_kind AS error FROM feeds f
      LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.id`).all() as { url: string; n: number; error: string | null }[];
    sqlite.close();
    for (const name of FAST) expect(counts.find((c) => c.url.endsWith(`/${name}.rss`))).toMatchObject({ n: 20, error: null });
    // The interrupted feed is not blamed for the shutdown: no error recorded, nothing half-stored.
    expect(counts.find((c) => c.url.endsWith('/slow.rss'))).toMatchObject({ n: 0, error: null });
  });

  it('only one process ingests a database at a time', async () => {
    const db = join(dir, 'lease.db');
    const raw = {
      database: db, logLevel: 'silent', ingest: { allowPrivateAddresses: true, timeoutMs: 60_000 },
      feeds: [{ url: origin.url('/slow.rss') }, { url: origin.url('/a.rss') }],
    };
    const log = createLogger('silent');
    const first = await openCore(parseConfig(raw, join(dir, 'lease.json')), log);
    const second = await openCore(parseConfig(raw, join(dir, 'lease.json')), log);
    const abort = new AbortController();
    try {
      const running = first.ingest(undefined, undefined, abort.signal);
      await new Promise((r) => setTimeout(r, 300));
      const refused = await second.ingest();
      expect(refused.status).toBe('busy');
      // The CLI says so and exits 3 instead of fetching the same feeds.
      writeFileSync(join(dir, 'lease.json'), JSON.stringify(raw));
      const cli = spawnSync(process.execPath, [CLI, 'ingest', '--config', join(dir, 'lease.json')], { encoding: 'utf8', timeout: 30_000 });
      expect(cli.status).toBe(3);
      expect(cli.stderr).toMatch(/another process is ingesting/);
      abort.abort();
      expect((await running).status).toBe('done');
      const after = await second.ingest([await second.store.getFeed(2) ?? (await second.store.listFeeds())[1]!]);
      expect(after.status).toBe('done');
    } finally {
      abort.abort();
      await first.close();
      await second.close();
    }
  });

  it('retention deletes old items in batches unless a pinned topic holds them', async () => {
    const raw = {
      database: join(dir, 'retention.db'), logLevel: 'silent', retention: { maxAgeDays: 30 },
      ingest: { allowPrivateAddresses: true },
      feeds: [{ url: origin.url('/b.rss') }, { url: origin.url('/c.rss') }],
      topics: [{ slug: 'keep', title: 'Keep', query: 'c', pinned: true }],
    };
    const config = parseConfig(raw, join(dir, 'retention.json'));
    const stored = await openCore(config, createLogger('silent'));
    await stored.ingest(await stored.store.listFeeds());
    await stored.close();
    // Forty days on, everything is past retention; only the pinned topic's items stay.
    const later = await openCore(config, createLogger('silent'), { now: () => new Date(NOW + 40 * 86_400_000) });
    try {
      expect(await later.expire()).toBe(20);
      const left = await later.store.listItems({ limit: 100 });
      expect(left).toHaveLength(20);
      expect(left.every((i) => i.title.startsWith('c story'))).toBe(true);
    } finally {
      await later.close();
    }
  });

  it('backup makes a consistent copy that opens and holds every item', async () => {
    const raw = {
      database: join(dir, 'live.db'), logLevel: 'silent', ingest: { allowPrivateAddresses: true },
      feeds: [{ url: origin.url('/d.rss') }, { url: origin.url('/e.rss') }],
    };
    writeFileSync(join(dir, 'backup.json'), JSON.stringify(raw));
    const core = await openCore(parseConfig(raw, join(dir, 'backup.json')), createLogger('silent'));
    await core.ingest(await core.store.listFeeds());
    // The source stays open (as under `serve`) while the CLI copies it.
    const result = spawnSync(process.execPath, [CLI, 'backup', join(dir, 'copy.db'), '--config', join(dir, 'backup.json')], { encoding: 'utf8' });
    await core.close();
    expect(result.status, result.stderr).toBe(0);
    const copy = new Database(join(dir, 'copy.db'), { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 40 });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
