import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

/**
 * A transaction that writes, begun with BEGIN IMMEDIATE. In WAL mode a transaction begun by a read
 * that then writes is refused the write lock at once ("database is locked", whatever busy_timeout
 * says) when another connection committed since its read: another process writing to the database
 * (a `feedsieve ingest` run beside serve, another serve) would make such saves fail now and then.
 * Begun by taking the lock, it waits its turn instead (test/store/concurrent-writers.test.ts).
 */
export function writeTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A) => transaction.immediate(...args);
}

// The same code runs from src/ (tests) and dist/src/ (built), so find migrations/ by walking up.
function findMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('migrations/ folder not found next to package.json');
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = findMigrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file, sql: readFileSync(join(dir, file), 'utf8') }));
}

export const PAGE_SIZE = 16_384;
export const WAL_CHECKPOINT_BYTES = 40 * 1024 * 1024;
/** SQLite's page cache per connection, in KiB (the pragma's negative form). */
const PAGE_CACHE_KIB = 16_000;

export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  // Items carry 5-7 KB of content: on SQLite's 4 KB pages each one spills into an overflow page
  // that is mostly empty. 16 KB pages hold two items and their overflow together: a 200,000-item
  // database took 32% less disk and store saves 15-18% less time. Only a new database takes the
  // size (WAL fixes it at creation); an existing one keeps its own.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  // A checkpoint copies every page changed since the last one back into the database. An ingest
  // commit changes index pages all over the file, and the same ones again in the next commit:
  // checkpointing every 40 MB of log instead of SQLite's 4 MB copies each hot page once, not ten
  // times (store saves took 25% less time over 300 feeds). Counted in pages of the file's own size.
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / pageSize)}`);
  // better-sqlite3 builds SQLite with this cache; SQLite's own default is 2 MB. Set here so that
  // another build cannot shrink it unseen: at 1,000,000 items a topic's page of refs took 0.39-0.60
  // ms with 2 MB, its pages read again from the system at each request, and 0.21-0.42 ms with 8,
  // 16 or 32 MB (three alternating rounds in one process, 2 MB the slowest in each).
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}

/** Applies each pending migration in its own transaction; returns the names applied. */
export function migrate(db: Db, migrations: Migration[] = readMigrations()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((row) => (row as { version: number }).version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const appliedSince = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const done: string[] = [];
  // A migration that rebuilds a table drops the old one, and with foreign keys on that drop would
  // cascade into every referencing table. So they are off while migrations run (SQLite cannot
  // switch them inside a transaction) and checked before each migration commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      const ran = writeTransaction(db, (): boolean => {
        // Another process starting on the same database at the same moment applied it first.
        if (appliedSince.get(migration.version) !== undefined) return false;
        db.exec(migration.sql);
        const broken = db.pragma('foreign_key_check') as { table: string }[];
        if (broken.length > 0) {
          throw new Error(`${migration.name} leaves ${broken.length} rows with a broken reference (first in ${broken[0]!.table})`);
        }
        record.run(migration.version, migration.name, new Date().toISOString());
        return true;
      })();
      if (ran) done.push(migration.name);
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return done;
}
