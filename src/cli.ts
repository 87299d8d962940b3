#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=8 --heap-growing-percent=150
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, findConfigPath, loadConfig } from './config.js';
import { mirroredChanges, settingsNeedingRestart } from './config-changes.js';
import type { RefreshReport } from './ingest/refresh.js';
import { createLogger } from './log.js';
import { openCore, startService } from './main.js';
import { feedsOpml, parseOpml } from './opml.js';
import { startProgress } from './progress.js';
import { searchItems } from './search.js';
import { migrate, openDatabase } from './store/db.js';
import { DuplicateFeedError } from './store/index.js';
import { highlight } from './topics/highlight.js';

const USAGE = `usage: feedsieve <command> [--config path]

commands:
  serve                 migrate, ingest once, then ingest on the schedule and serve HTTP
  ingest                fetch every feed once and print one line per feed
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
  const what = report.status === 'not-modified' ? 'not modified (304)' : report.status === 'unchanged-body' ? 'unchanged body' : 'ok';
  return `${what}: ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged`;
}

// Commands other than serve print their results on stdout; logs go to stderr and only when worth it.
const quietCore = (config: Config) =>
  openCore(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr), { progress: startProgress });

async function ingest(config: Config): Promise<number> {
  const core = await quietCore(config);
  try {
    const feeds = (await core.store.listFeeds()).filter((feed) => !feed.disabled);
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
    console.log(`${pass.reports.length} feeds, ${failed} failed, ${pass.reports.reduce((n, r) => n + r.inserted, 0)} new items`);
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
    let added = 0;
    let skipped = 0;
    for (const [n, feed] of parsed.feeds.entries()) {
      const url = URL.canParse(feed.url) ? new URL(feed.url) : null;
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        console.error(`skipped ${feed.url}: not an http(s) URL`);
        skipped++;
      } else {
        try {
          await core.store.addFeed({ url: url.href, title: feed.title, origin: 'api' }, new Date());
          added++;
        } catch (error) {
          if (!(error instanceof DuplicateFeedError)) throw error;
          skipped++;
        }
      }
      progress.update(n + 1, feed.url);
    }
    progress.stop();
    console.log(`${added} feeds added, ${skipped} skipped (already present or not http)`);
    return EXIT.ok;
  } finally {
    await core.close();
  }
}

async function backup(config: Config, file: string | undefined): Promise<number> {
  if (!file) return usage('backup needs a FILE');
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
    service.reloadConfig(next).then(() => {
      log.info({ config: config.path, ...mirroredChanges(applied, next) }, 'config reloaded: feeds and topics');
      applied = next;
      const restart = settingsNeedingRestart(config, next);
      if (restart.length > 0) log.warn({ config: config.path, settings: restart }, 'these settings take effect at the next start');
    }, (error: unknown) => log.error({ config: config.path, err: error }, 'config reload failed'));
  });
  return -1; // keeps running until a signal
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
  const known = ['serve', 'ingest', 'migrate', 'topics', 'opml', 'backup'];
  if (!known.includes(command)) return usage(`unknown command "${command}"`);
  const config = loadConfig(findConfigPath(values.config, process.env, process.cwd()));

  switch (command) {
    case 'migrate': {
      const db = openDatabase(config.database);
      const applied = migrate(db);
      db.close();
      console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'database is up to date');
      return EXIT.ok;
    }
    case 'ingest':
      return ingest(config);
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
