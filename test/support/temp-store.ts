// A folder of its own for each test of a file, with a SQLite file in it that the test's stores
// share as separate processes would: made before each test, and after it every store opened
// through it closed and the folder removed, whether the test passed or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.js';

export interface TempStores {
  /** The running test's folder. */
  readonly dir: string;
  /** The database file in it. */
  readonly path: string;
  /** A store over the database file, closed after the test (closing it before is fine). */
  open(options?: OpenStoreOptions): Store;
}

/**
 * Registers the set-up and clean-up with the enclosing `describe` (or the file). Call it before
 * the hooks that open stores: vitest runs `beforeEach` hooks in the order they are registered
 * and `afterEach` hooks in the reverse, so a file's own clean-up still sees its stores open.
 */
export function useTempStores(name: string): TempStores {
  let current: { dir: string; path: string; stores: Store[] } | null = null;
  const running = () => {
    if (!current) throw new Error('useTempStores: read outside a test');
    return current;
  };
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), `feedsieve-${name}-`));
    current = { dir, path: join(dir, 'db.sqlite'), stores: [] };
  });
  afterEach(async () => {
    const ended = current;
    current = null;
    if (!ended) return;
    const closed = await Promise.allSettled(ended.stores.map((store) => store.close()));
    rmSync(ended.dir, { recursive: true, force: true });
    const failed = closed.find((each) => each.status === 'rejected');
    if (failed) throw failed.reason;
  });
  return {
    get dir() {
      return running().dir;
    },
    get path() {
      return running().path;
    },
    open(options) {
      const { path, stores } = running();
      const store = openStore(path, options);
      stores.push(store);
      return store;
    },
  };
}
