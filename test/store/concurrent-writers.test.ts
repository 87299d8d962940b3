// The store's operations that read, then write, in one transaction, while another process commits
// to the same file all the while (a `feedsieve ingest` run beside serve, another serve): each waits
// for the write lock, none fails with "database is locked". In WAL mode a transaction that began by
// reading cannot take the lock once another connection has committed since: it must begin by
// taking it. A real SQLite file, a real writer in a process of its own.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { entry, fetched } from '../support/hub-stand-in.js';
import { useTempStores } from '../support/temp-store.js';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** Commits a small write as fast as it can for `ms`, then exits; says when it has begun. */
const WRITER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.pragma('busy_timeout = 5000');
const write = db.prepare("INSERT INTO leases (name, holder, expires_at) VALUES ('other-writer', ?, '2000-01-01') ON CONFLICT (name) DO UPDATE SET holder = excluded.holder");
const end = Date.now() + Number(process.argv[3]);
let n = 0;
process.stdout.write('writing\\n');
while (Date.now() < end) write.run(String(n++));
`;

describe('the store while another process writes', () => {
  const temp = useTempStores('writers');
  let store: Store;

  beforeEach(() => {
    store = temp.open();
  });

  it('reads and then writes in one transaction without "database is locked"', async () => {
    const feed = (await store.addFeed({ url: 'https://wire.example/feed', title: null, origin: 'api' }, new Date())).id;
    const writer = spawn(process.execPath, ['-e', WRITER, BETTER_SQLITE3, temp.path, '2500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((done) => writer.once('exit', done));
    // Begun, or failed before it began.
    await Promise.race([new Promise<void>((begun) => writer.stdout!.once('data', () => begun())), exited]);
    const errors: string[] = [];
    let rounds = 0;
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      const now = new Date();
      const topics = [{ slug: 'nato', title: `NATO ${rounds}`, query: rounds % 2 === 0 ? 'NATO' : 'NATO OR alliance', pinned: false }];
      for (const step of [
        () => store.syncConfigTopics(topics, now),
        () => store.syncConfigFeeds([{ url: 'https://wire.example/feed', title: `Wire ${rounds}` }], now),
        () => store.saveFetchResult(feed, fetched([entry(`w-${rounds}`, ['nato'])])),
        () => store.expireItems(new Date(0)),
        () => store.rematchRenamedFeeds(() => []),
        () => store.editFeed(feed, { intervalMinutes: 30 + (rounds % 2) }, now),
        () => store.clearTopicMatches('nato'),
        () => store.keepHubSubscription({ topic: 'https://news.example/topics/nato.rss', callback: `https://cb.example/${rounds}`,
          secret: null, leaseExpiresAt: new Date(now.getTime() + 3_600_000) }, now, 5),
        () => store.planWebSubRequests(now, 'https://news.example/websub', () => ({ token: `t${rounds}`, secret: `s${rounds}` }), 10),
        () => store.webSubNotified('no-such-token', now, 0),
      ]) {
        try {
          await step();
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      rounds += 1;
      // The other process gets its turns between the rounds, as it would between requests.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await exited).toBe(0);
    expect(rounds).toBeGreaterThan(10);
    expect(errors).toEqual([]);
  });
});
