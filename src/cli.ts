#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=8 --heap-growing-percent=150
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, findConfigPath, loadConfig } from './config.js';
import { mirroredChanges, settingsNeedingRestart } from './config-changes.js';
import type { RefreshReport } from './ingest/refresh.js';
import { createLogger } from './log.js';
import { feedStatusLines } from './feed-status.js';
import { type Core, openCore, startService } from './main.js';
import type { FeedRecord } from './model.js';
import { feedsOpml, parseOpml } from './opml.js';
import { importOpmlFeeds } from './opml-import.js';
import { redactUrl } from './redact-url.js';
import { startProgress } from './progress.js';
import { searchItems } from './search.js';
import { startHistoryIfRestored } from './store/database-history.js';
import { migrate, openDatabase } from './store/db.js';
import { highlight } from './topics/highlight.js';

const USAGE = `usage: feedsieve <command> [--config path]

commands:
  serve                 migrate, ingest once, then ingest on the schedule and serve HTTP
  ingest [ID...]        fetch every enabled feed once, or the feeds given, and print one line per feed
  feeds                 list every feed with its state, item count, last and next fetch, and last error
  feeds enable ID       fetch a disabled feed again (a 410 disables one), its failures forgotten
  feeds disable ID      stop fetching a feed; its items stay
  migrate               apply pending database migrations
  topics check QUERY    parse a topic query and show what it matches among stored items
  opml import FILE      add the feeds of an OPML file
  opml export           print every feed as OPML
  backup FILE           write an online, consistent copy of the database to FILE

The config is --config, else $FEEDSIEVE_CONFIG, else ./config.json, else ./config.example.json.`;

/** Exit codes: 0 done, 1 cannot run (config, database), 2 usage, 3 another process is ingesting. */
const EXIT = { ok: 0, failed: 1, usage: 2, busy: 3 } as const;

function describe(report: RefreshReport): string {
  if (report.error) return `error ${report.error.kind}: ${report.error.message}`;
  if (report.status === 'deleted') return 'deleted while it was fetched: nothing stored';
  const what = report.status === 'not-modified' ? 'not modified (304)' : report.status === 'unchanged-body' ? 'unchanged body' : 'ok';
  return `${what}: ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged`;
}

// Commands other than serve print their results on stdout; logs go to stderr and only when worth it.
const quietCore = (config: Config) =>
  openCore(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr), { progress: startProgress });

/** The feed an id on the command line names, or what to say when it names none. */
async function feedNamed(store: Core['store'], raw: string): Promise<FeedRecord | string> {
  const feed = /^[1-9]\d*$/.test(raw) ? await store.getFeed(Number(raw)) : null;
  return feed ?? `no feed ${raw}: \`feedsieve feeds\` lists their ids`;
}

/** The feeds named by id on the command line, or why they cannot be fetched. */
async function namedFeeds(store: Core['store'], ids: string[]): Promise<{ ok: true; feeds: FeedRecord[] } | { ok: false; error: string }> {
  const feeds: FeedRecord[] = [];
  for (const raw of ids) {
    const feed = await feedNamed(store, raw);
    if (typeof feed === 'string') return { ok: false, error: feed };
    if (feed.disabled) return { ok: false, error: `feed ${raw} is disabled: \`feedsieve feeds enable ${raw}\` fetches it again` };
    feeds.push(feed);
  }
  return { ok: true, feeds };
}

async function ingest(config: Config, ids: string[]): Promise<number> {
  const core = await quietCore(config);
  try {
    const named = ids.length > 0 ? await namedFeeds(core.store, ids) : null;
    if (named && !named.ok) return refuse(named.error);
    const feeds = named?.feeds ?? (await core.store.listFeeds()).filter((feed) => !feed.disabled);
    const progress = startProgress('ingest', feeds.length);
    let done = 0;
    const pass = await core.ingest(feeds, (report) => {
      progress.update(++done, report.url);
      console.log(`${report.url}  ${describe(report)}`);
    });
    progress.stop();
    if (pass.status === 'busy') {
      console.error(`another process is ingesting this database (${pass.holder}); try again when it is done`);
      return EXIT.busy;
    }
    const failed = pass.reports.filter((r) => r.error).length;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    console.log(`${count(pass.reports.length, 'feed')}, ${failed} failed, ${count(pass.reports.reduce((n, r) => n + r.inserted, 0), 'new item')}`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function topicsCheck(config: Config, query: string | undefined): Promise<number> {
  if (!query) return usage('topics check needs a QUERY');
  const core = await quietCore(config);
  try {
    const result = await searchItems(core.store, query, {}, 20, 5000);
    if (!result.ok) {
      console.error(`invalid query: ${result.error.message}\n  ${query}\n  ${' '.repeat(result.error.position)}^`);
      return EXIT.usage;
    }
    console.log(`query: ${result.normalized}`);
    for (const { item, terms } of result.hits) {
      console.log(`- ${highlight(item.title, terms)}  [${item.feedTitle ?? item.feedId}, ${item.sortAt.slice(0, 10)}]  matched: ${terms.join(', ')}`);
    }
    console.log(`${result.hits.length} matching of ${result.scanned} recent items`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function opml(config: Config, action: string | undefined, file: string | undefined): Promise<number> {
  const core = await quietCore(config);
  try {
    if (action === 'export') {
      process.stdout.write(feedsOpml(await core.store.feedAddresses(), new Date()));
      return EXIT.ok;
    }
    if (action !== 'import' || !file) return usage('use: opml import FILE | opml export');
    const parsed = parseOpml(readFileSync(file, 'utf8'));
    if (!parsed.ok) {
      console.error(`${file}: ${parsed.error}`);
      return EXIT.failed;
    }
    const progress = startProgress('opml import', parsed.feeds.length);
    const { added, skipped } = await importOpmlFeeds(core.store, parsed.feeds, new Date(), (done) => progress.update(done, redactUrl(parsed.feeds[done - 1]!.url)));
    progress.stop();
    for (const { url, reason } of skipped) if (reason !== 'already subscribed') console.error(`skipped ${url}: ${reason}`);
    console.log(`${added.length} feeds added, ${skipped.length} skipped (already present or not http)`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function feeds(config: Config, action: string | undefined, id: string | undefined): Promise<number> {
  if (action !== undefined && action !== 'enable' && action !== 'disable') return usage('use: feeds | feeds enable ID | feeds disable ID');
  const core = await quietCore(config);
  try {
    if (action === undefined) {
      for (const line of feedStatusLines(await core.store.listFeeds())) console.log(line);
      return EXIT.ok;
    }
    if (id === undefined) return usage(`feeds ${action} needs a feed's ID`);
    const feed = await feedNamed(core.store, id);
    if (typeof feed === 'string') return refuse(feed);
    const edited = (await core.store.editFeed(feed.id, { disabled: action === 'disable' }, new Date()))!;
    const when = edited.disabled ? 'not fetched until enabled' : 'due now: fetched by the next pass (`feedsieve ingest`, or serve\'s next tick)';
    console.log(`feed ${edited.id} ${action}d, ${when}: ${redactUrl(edited.url)}`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function backup(config: Config, file: string | undefined): Promise<number> {
  if (!file) return usage('backup needs a FILE');
  if (sameFile(file, config.database)) return refuse(`${file} is the database itself: name another file to copy it to`);
  const core = await quietCore(config);
  try {
    await core.store.backupTo(file);
    console.log(`backed up ${config.database} to ${file}`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function serve(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  const core = await openCore(config, log);
  const service = await startService(core);
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    service.stop().then(() => process.exit(EXIT.ok), (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exit(EXIT.failed);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // The config as last applied, for what the next reload changes; the settings in effect stay the started ones.
  let applied = config;
  process.on('SIGHUP', () => {
    let next: Config;
    try {
      next = loadConfig(config.path);
    } catch (error) {
      log.error({ config: config.path, error: (error as Error).message }, 'config not reloaded: the running one stays');
      return;
    }
    service.reloadConfig(next).then((moves) => {
      log.info({ config: config.path, ...mirroredChanges(applied, next, moves) }, 'config reloaded: feeds and topics');
      applied = next;
      const restart = settingsNeedingRestart(config, next);
      if (restart.length > 0) log.warn({ config: config.path, settings: restart }, 'these settings take effect at the next start');
    }, (error: unknown) => log.error({ config: config.path, err: error }, 'config reload failed'));
  });
  return -1; // keeps running until a signal
}

/** Whether `file` names the database or one of its companion files, through links and relative paths too. */
function sameFile(file: string, database: string): boolean {
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
  const target = real(file);
  return [database, `${database}-wal`, `${database}-shm`].some((path) => real(path) === target);
}

/** A command that names something wrong: the reason alone, without the whole usage. */
function refuse(message: string): number {
  console.error(message);
  return EXIT.usage;
}

function usage(message?: string): number {
  if (message) console.error(`${message}\n`);
  console.error(USAGE);
  return EXIT.usage;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (!command) return usage();
  const known = ['serve', 'ingest', 'feeds', 'migrate', 'topics', 'opml', 'backup'];
  if (!known.includes(command)) return usage(`unknown command "${command}"`);
  const config = loadConfig(findConfigPath(values.config, process.env, process.cwd()));

  switch (command) {
    case 'migrate': {
      const db = openDatabase(config.database);
      const applied = migrate(db);
      const restored = startHistoryIfRestored(db);
      db.close();
      console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'database is up to date');
      if (restored) console.log('the database is a backup, opened as a database for the first time: it starts a history of its own');
      return EXIT.ok;
    }
    case 'ingest':
      return ingest(config, rest);
    case 'feeds':
      return feeds(config, rest[0], rest[1]);
    case 'topics':
      return rest[0] === 'check' ? topicsCheck(config, rest.slice(1).join(' ')) : usage('use: topics check QUERY');
    case 'opml':
      return opml(config, rest[0], rest[1]);
    case 'backup':
      return backup(config, rest[0]);
    default:
      return serve(config);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `config error: ${error.message}` : `feedsieve: ${(error as Error).message}`);
    process.exitCode = EXIT.failed;
  },
);
