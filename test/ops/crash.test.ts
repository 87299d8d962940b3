// A process killed outright (SIGKILL: the OOM killer, a power cut, `kill -9`). Mid-ingest: every
// feed whose save it reported is stored whole, no feed in part, the database checks, its listings
// agree with its rows, and the next process on the machine ingests at once instead of waiting
// for the dead one's lease to expire. Mid-backfill of a topic: the next start goes on from where
// it was. Mid-backup: the backup there was stays. Real child processes, a real origin, real SQLite files.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { listedInPages } from '../store/listing-helpers.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { freePort } from '../support/net.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const NOW = Date.now();
const FEEDS = 60;
const ITEMS = 25;

const path = (f: number) => `/feed-${f}.rss`;

const WORDS = ['harbour', 'grain', 'tariff', 'border', 'pipeline', 'election', 'drought', 'summit', 'court', 'strike', 'budget',
  'satellite', 'vaccine', 'railway', 'ceasefire', 'refinery', 'currency', 'glacier', 'festival', 'mine', 'treaty', 'census'];

/** Words of their own for entry i of feed f, so that no two entries read as one story. */
function text(f: number, i: number): string {
  let seed = f * 7_919 + i * 104_729 + 1;
  return Array.from({ length: 40 }, () => {
    seed = (seed * 48_271) % 2_147_483_647;
    return WORDS[seed % WORDS.length];
  }).join(' ');
}

/** Feed f's entries: every other one about NATO. */
const entries = (f: number) => Array.from({ length: ITEMS }, (_, i) => ({
  guid: `f${f}-${i}`, title: `Desk ${f} story ${i}${i % 2 === 0 ? ' on NATO' : ''}`,
  publishedAt: new Date(NOW - (i * FEEDS + f) * 60_000),
  description: `Report ${f}.${i}: ${text(f, i)}.`,
}));

/** A child process and everything it wrote, stdout and stderr. */
function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // 'close', not 'exit': a killed child's last lines may still be in the pipe when it has exited.
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once('close', (code, signal) => r(signal ?? code)));
  return { child, output: () => output, exited };
}

async function until(what: string, output: () => string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time:\n${output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The feeds the CLI reported saved, new or unchanged, by the lines it prints as each save commits. */
const reportedUrls = (output: string) =>
  [...output.matchAll(/^(\S+\/feed-\d+\.rss) {2}(?:ok|unchanged body|not modified \(304\)): /gm)].map((m) => m[1]!);

/** What must hold of the database whatever moment the process died at. */
function checkAfterCrash(database: string, committed: string[]): { stored: number; feedsWhole: number } {
  const raw = new Database(database);
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    const perFeed = raw.prepare(`SELECT f.url, count(i.id) AS n FROM feeds f LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.id`)
      .all() as { url: string; n: number }[];
    // A feed's fetch is saved in one transaction: all of it or none.
    for (const { url, n } of perFeed) expect([0, ITEMS], url).toContain(n);
    for (const url of committed) expect(perFeed.find((row) => row.url === url)?.n, url).toBe(ITEMS);
    // Every item has its story member and its topic row as the save wrote them.
    expect(raw.prepare(`SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM story_members m WHERE m.item_id = i.id)`).pluck().get()).toBe(0);
    const natoItems = raw.prepare(`SELECT count(*) FROM items WHERE title LIKE '%on NATO'`).pluck().get() as number;
    expect(raw.prepare(`SELECT count(*) FROM item_topics`).pluck().get()).toBe(natoItems);
    return { stored: raw.prepare('SELECT count(*) FROM items').pluck().get() as number, feedsWhole: perFeed.filter((row) => row.n === ITEMS).length };
  } finally {
    raw.close();
  }
}

/** The listings, filed part and part past the filing mark, against the rows. */
async function checkListings(database: string): Promise<void> {
  const store = openStore(database);
  try {
    const byTime = store.db.prepare('SELECT id FROM items ORDER BY sort_at DESC, id DESC').pluck().all() as number[];
    expect(await listedInPages(store, {})).toEqual(byTime);
    const nato = store.db.prepare(`SELECT id FROM items WHERE title LIKE '%on NATO' ORDER BY sort_at DESC, id DESC`).pluck().all() as number[];
    expect(await listedInPages(store, { topicSlug: 'nato' })).toEqual(nato);
  } finally {
    await store.close();
  }
}

describe('a process killed with SIGKILL', () => {
  let origin: FaultServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-crash-'));
    const routes: Record<string, { body: string; delayMs: number }> = {};
    // Answers spread over tens of milliseconds, so that saves commit one by one through the run.
    for (let f = 0; f < FEEDS; f++) routes[path(f)] = { body: rssDocument(`Desk ${f}`, entries(f)), delayMs: 5 + ((f * 37) % 60) };
    origin = await startFaultServer(routes);
  });
  afterAll(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(name: string): { config: string; database: string } {
    const database = join(dir, `${name}.db`);
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({
      database, logLevel: 'info',
      ingest: { allowPrivateAddresses: true, concurrency: 4, timeoutMs: 30_000 },
      feeds: Array.from({ length: FEEDS }, (_, f) => ({ url: origin.url(path(f)) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    }));
    return { config, database };
  }

  it('mid-ingest, again and again, loses no committed feed and stores none in part; the next run takes the lease at once and finishes', async () => {
    const { config, database } = writeConfig('ingest');
    let stored = 0;
    // Each run but the first starts on the lease its killed predecessor left, a minute from expiring.
    // A run fetches every feed again, those stored before first: each kill comes later in its run.
    for (const killAfter of [3, 12, 25, 40]) {
      const ingest = run(['ingest', '--config', config]);
      await until(`${killAfter} feeds saved`, ingest.output, () => reportedUrls(ingest.output()).length >= killAfter);
      ingest.child.kill('SIGKILL');
      expect(await ingest.exited).toBe('SIGKILL');
      const after = checkAfterCrash(database, reportedUrls(ingest.output()));
      expect(after.stored).toBeGreaterThanOrEqual(stored);
      stored = after.stored;
      await checkListings(database);
    }
    // Killed before it had stored everything: the last run has work left.
    expect(stored).toBeLessThan(FEEDS * ITEMS);
    const started = Date.now();
    const last = run(['ingest', '--config', config]);
    expect(await last.exited, last.output()).toBe(0);
    expect(last.output()).toMatch(/took over the ingest lease from a process of this machine that is gone/);
    // Well inside the minute the lease would have lasted.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(last.output()).toMatch(new RegExp(`^${FEEDS} feeds, 0 failed, ${FEEDS * ITEMS - stored} new items$`, 'm'));
    const done = checkAfterCrash(database, []);
    expect(done).toEqual({ stored: FEEDS * ITEMS, feedsWhole: FEEDS });
    await checkListings(database);
  }, 120_000);

  it('while matching a new topic against the stored items: the next start goes on from where it was, and the topic holds every match', async () => {
    const database = join(dir, 'backfill.db');
    const config = join(dir, 'backfill.json');
    const items = 30_000;
    const store = openStore(database);
    try {
      const feed = await store.addFeed({ url: 'https://wire.example/feed', title: 'Wire', origin: 'api' }, new Date(NOW));
      for (let first = 0; first < items; first += 500) {
        await store.saveFetchResult(feed.id, {
          fetchedAt: new Date(NOW), httpStatus: 200, newUrl: null, validators: null, feedInfo: null, error: null, fetchedAs: null,
          next: { nextFetchAt: new Date(NOW + 86_400_000), consecutiveFailures: 0, disabled: false },
          items: Array.from({ length: 500 }, (_, k) => {
            const n = first + k;
            return {
              item: {
                identity: `n${n}`, guid: `n${n}`, url: null, title: `Dispatch ${n}${n % 3 === 0 ? ' from the NATO summit' : ''}`,
                summary: `${text(n % FEEDS, n)}.`, contentHtml: `<p>${text(n % FEEDS, n + 1)}</p>`, authors: [], categories: [],
                publishedAt: new Date(NOW - n * 1000).toISOString(), updatedAt: null, language: 'en', enclosures: [],
              },
              contentHash: `h${n}`, markupHash: null, story: null, matches: [],
            };
          }),
        });
      }
    } finally {
      await store.close();
    }
    writeFileSync(config, JSON.stringify({ database, logLevel: 'info', feeds: [], topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }] }));
    const expected = Math.ceil(items / 3);
    const doneOf = (output: string) => Math.max(0, ...[...output.matchAll(/^backfill nato (\d+)\//gm)].map((m) => Number(m[1])));

    const first = run(['feeds', '--config', config]);
    await until('a part of the backfill', first.output, () => doneOf(first.output()) >= 2_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const raw = new Database(database);
    const mark = raw.prepare(`SELECT backfilled_through FROM topics WHERE slug = 'nato'`).pluck().get() as number;
    const matchedSoFar = raw.prepare(`SELECT count(*) FROM item_topics`).pluck().get() as number;
    const matchingUpToMark = raw.prepare(`SELECT count(*) FROM items WHERE id <= ? AND title LIKE '%NATO summit'`).pluck().get(mark) as number;
    raw.close();
    // Cut short with its mark where its last batch committed, every item up to it matched.
    expect(mark).toBeGreaterThanOrEqual(2_000);
    expect(mark).toBeLessThan(items);
    expect(matchingUpToMark).toBeGreaterThan(0);
    expect(matchedSoFar).toBe(matchingUpToMark);

    const second = run(['feeds', '--config', config]);
    expect(await second.exited, second.output()).toBe(0);
    // It went on past the mark rather than starting over, and finished.
    expect(second.output()).toMatch(new RegExp(`^backfill nato 500/${items - mark} `, 'm'));
    const store2 = openStore(database);
    try {
      expect(await store2.topicBackfillMark('nato')).toBeNull();
      const listed = await listedInPages(store2, { topicSlug: 'nato' });
      expect(listed).toHaveLength(expected);
      const titles = store2.db.prepare(`SELECT count(*) FROM items WHERE title LIKE '%NATO summit'`).pluck().get();
      expect(titles).toBe(expected);
    } finally {
      await store2.close();
    }
  }, 120_000);

  it('while copying the database: the backup there was stays whole under its name; the next copy replaces it', async () => {
    const { config, database } = writeConfig('backup');
    const copy = join(dir, 'nightly.db');
    const first = run(['ingest', '--config', config]);
    expect(await first.exited, first.output()).toBe(0);
    const good = run(['backup', copy, '--config', config]);
    expect(await good.exited, good.output()).toBe(0);
    const before = readFileSync(copy);
    // Pages enough that the copy takes a while: 200 MB the backup reads 100 pages at a time.
    const raw = new Database(database);
    raw.exec(`CREATE TABLE ballast (b BLOB);
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
      INSERT INTO ballast SELECT randomblob(1000000) FROM n`);
    raw.close();

    const cut = run(['backup', copy, '--config', config]);
    await until('the copy under way', cut.output, () => existsSync(`${copy}.partial`) && statSync(`${copy}.partial`).size > 0);
    cut.child.kill('SIGKILL');
    expect(await cut.exited).toBe('SIGKILL');
    expect(readFileSync(copy).equals(before)).toBe(true);
    const kept = new Database(copy, { readonly: true });
    expect(kept.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(kept.prepare('SELECT count(*) FROM items').pluck().get()).toBe(FEEDS * ITEMS);
    kept.close();

    const next = run(['backup', copy, '--config', config]);
    expect(await next.exited, next.output()).toBe(0);
    expect(existsSync(`${copy}.partial`)).toBe(false);
    const replaced = new Database(copy, { readonly: true });
    expect(replaced.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(replaced.prepare('SELECT count(*) FROM ballast').pluck().get()).toBe(200);
    replaced.close();
  }, 120_000);

  it('while serving: a serve started again takes the lease at once, finishes the pass and serves every item', async () => {
    const { config, database } = writeConfig('serve');
    const port = await freePort();
    const first = run(['serve', '--config', config], { PORT: String(port) });
    const fetched = (output: string) => (output.match(/"msg":"feed fetched"/g) ?? []).length;
    await until('15 feeds fetched', first.output, () => fetched(first.output()) >= 15);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // A save logs its line after its commit, in the same turn of the event loop: the kill may fall
    // between the two, so one feed may be stored unreported, never the other way round.
    const savedFirst = fetched(first.output());
    const { stored, feedsWhole } = checkAfterCrash(database, []);
    expect(stored).toBe(feedsWhole * ITEMS);
    expect(feedsWhole).toBeGreaterThanOrEqual(savedFirst);
    expect(feedsWhole).toBeLessThanOrEqual(savedFirst + 1);
    expect(stored).toBeLessThan(FEEDS * ITEMS);

    const second = run(['serve', '--config', config], { PORT: String(port) });
    try {
      // Its first pass fetches the feeds due: those the killed pass had not saved.
      await until('the pass done', second.output, () => fetched(second.output()) >= FEEDS - feedsWhole);
      expect(second.output()).toMatch(/took over the ingest lease from a process of this machine that is gone/);
      expect(second.output()).not.toMatch(/another process is ingesting/);
      const feed = await fetch(`http://127.0.0.1:${port}/topics/nato.json`);
      expect(feed.status).toBe(200);
      expect(((await feed.json()) as { items: unknown[] }).items).toHaveLength(50);
      const titles: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await (await fetch(`http://127.0.0.1:${port}/api/items?topic=nato&limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json()) as
          { items: { title: string }[]; nextCursor: string | null };
        titles.push(...page.items.map((i) => i.title));
        cursor = page.nextCursor;
      } while (cursor);
      expect(titles).toHaveLength(FEEDS * Math.ceil(ITEMS / 2));
      expect(new Set(titles).size).toBe(titles.length);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    const done = checkAfterCrash(database, []);
    expect(done).toEqual({ stored: FEEDS * ITEMS, feedsWhole: FEEDS });
    await checkListings(database);
  }, 120_000);
});
