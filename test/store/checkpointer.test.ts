import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import { startCheckpointer } from '../../src/store/checkpointer.js';
import { openDatabase } from '../../src/store/db.js';

// The checkpointer's thread loads compiled JavaScript, so these drive the built modules (`npm test`
// builds first). Each writer turns its own checkpoints off: only the thread can then move pages
// from the log into the database file.
const ROOT = resolve(import.meta.dirname, '../..');
const built = async <T>(path: string): Promise<T> => {
  const file = join(ROOT, 'dist/src/store', path);
  expect(existsSync(file), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
  return (await import(file)) as T;
};

const fileSize = (path: string) => statSync(path).size;

async function waitFor(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('background checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('run only from the compiled code, where a thread can load them', () => {
    expect(startCheckpointer(join(dir, 'db.sqlite'))).toBeNull();
  });

  it('copy what a writer commits into the database file while the writer goes on, and stop on close', async () => {
    const { startCheckpointer: start } = await built<typeof import('../../src/store/checkpointer.js')>('checkpointer.js');
    const path = join(dir, 'db.sqlite');
    const writer = openDatabase(path);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = writer.prepare('INSERT INTO t (body) VALUES (?)');
    const checkpointer = start(path, 20)!;
    expect(checkpointer).not.toBeNull();
    const before = fileSize(path);
    for (let i = 0; i < 200; i++) writer.transaction(() => insert.run('x'.repeat(20_000)))();
    // 4 MB committed: the log holds it, and the thread copies it over.
    expect(await waitFor(() => fileSize(path) > before + 3_000_000)).toBe(true);
    await checkpointer.close();
    writer.close();
    // The writer was the last connection: closing it removes the log, which the thread's open connection would have kept.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT count(*) FROM t').pluck().get()).toBe(200);
    reader.close();
  });

  it('start with a store\'s first save and stop when the store closes', async () => {
    const { openStore } = await built<typeof import('../../src/store/index.js')>('index.js');
    const path = join(dir, 'db.sqlite');
    const store = openStore(path, { backgroundCheckpoints: true });
    store.db.pragma('wal_autocheckpoint = 0');
    const feed = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, new Date());
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fileSize(path);
    const item = (n: number): Item => ({
      identity: `i${n}`, guid: `i${n}`, url: `https://a.example/${n}`, title: `Item ${n}`, summary: '', contentHtml: `<p>${'word '.repeat(4000)}</p>`,
      authors: [], categories: [], publishedAt: new Date().toISOString(), updatedAt: null, language: null, enclosures: [],
    });
    await store.saveFetchResult(feed.id, {
      fetchedAt: new Date(), httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
      items: Array.from({ length: 100 }, (_, n) => ({ item: item(n), contentHash: `h${n}`, markupHash: null, matches: [], story: null })),
      next: { nextFetchAt: new Date(), consecutiveFailures: 0, disabled: false },
    });
    expect(await waitFor(() => fileSize(path) > before + 1_500_000)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

describe('a process with background checkpoints', () => {
  it('closes its store and exits when that is the last thing it does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-checkpoint-'));
    try {
      const script = `
        const { openStore } = await import(${JSON.stringify(join(ROOT, 'dist/src/store/index.js'))});
        const store = openStore(${JSON.stringify(join(dir, 'db.sqlite'))}, { backgroundCheckpoints: true });
        const feed = await store.addFeed({ url: 'https://a.example/feed', title: null, origin: 'api' }, new Date());
        await store.saveFetchResult(feed.id, { fetchedAt: new Date(), httpStatus: 304, newUrl: null, validators: null,
          feedInfo: null, error: null, items: [], next: { nextFetchAt: new Date(), consecutiveFailures: 0, disabled: false }, fetchedAs: null });
        await store.close();
        console.log('closed');`;
      writeFileSync(join(dir, 'close.mjs'), script);
      const child = spawnSync(process.execPath, [join(dir, 'close.mjs')], { encoding: 'utf8', timeout: 30_000 });
      expect(child.stderr).toBe('');
      expect(child.stdout.trim()).toBe('closed');
      expect(child.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
