// npm run bench: feedsieve against same-run baselines (raw XML parse, newsboat, bare node:http).
// Prints tables and writes bench/results.json; see `npm run bench -- --help`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchOptions, parseBenchArgs, type Section } from './args.js';
import { type BenchContext, createOriginControl, parsePassesFor, sectionBudgetMs } from './context.js';
import { startCoreProcess } from './core-process.js';
import { type GeneratedFeedSet, writeFeedVersionsApart } from './generate.js';
import { benchIngest, NEW_ENTRIES_A_POLL } from './ingest.js';
import { oneCoreCpus } from './cpus.js';
import { benchParse, loadCorpusDocuments, loadGeneratedDocuments, type ParseRunPlan } from './parse.js';
import { benchPeer } from './peer.js';
import { busyShare, readProfiles, topInclusive, topSelf } from './profile.js';
import { type BenchResults, checkTargets, formatReport } from './report.js';
import { benchScale } from './scale.js';
import { benchServe } from './serve.js';
import { measureSfeed } from './sfeed.js';
import { generateTopics } from './topic-queries.js';
import { benchTopics } from './topics.js';

// dist/bench/run.js → the project root, two folders up.
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function firstLine(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0] ?? null;
}

/** The database the serve section reads: the ingest section's, else one ingest pass of its own. */
async function serveDatabase(context: BenchContext, results: BenchResults): Promise<string> {
  if (results.ingest) return results.ingest.database;
  const dir = join(context.workDir, 'serve-db');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const database = join(dir, 'feedsieve.db');
  await context.origin.use('conditional');
  const core = await startCoreProcess({ database, feedUrls: context.origin.urls(context.feeds.files), topics: context.topics,
    concurrency: context.concurrency }, join(dir, 'setup.json'));
  await core.ingest();
  await core.close();
  return database;
}

function addProfile(results: BenchResults, name: string, dir: string): void {
  readProfiles(dir).forEach((profile, thread) => {
    const summary = { busy: busyShare(profile), self: topSelf(profile, PROJECT_ROOT, 20), inclusive: topInclusive(profile, PROJECT_ROOT, 20) };
    results.profile = { ...results.profile, [thread === 0 ? name : `${name}, worker thread ${thread}`]: summary };
  });
}

async function runSection(results: BenchResults, section: Section, log: (line: string) => void, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  log(`${section}…`);
  try {
    await body();
  } catch (error) {
    results.errors[section] = error instanceof Error ? error.message : String(error);
    log(`  ${section} failed: ${results.errors[section]}`);
  }
  const tookSec = (Date.now() - started) / 1000;
  if (results.timeSec) results.timeSec.sections[section] = tookSec;
  log(`  ${section} took ${tookSec.toFixed(1)} s`);
}

async function main(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const workDir = resolve(options.workDir ?? join(PROJECT_ROOT, 'bench', '.work'));
  mkdirSync(workDir, { recursive: true });
  const wants = (section: Section) => options.only.includes(section) && (section !== 'peer' || options.peer);

  log(`generating ${options.feeds} feeds × ${options.items} items…`);
  const style = options.typographic ? 'typographic' : 'ascii';
  // Dated two hours back, so that the later poll's entries, 37 minutes apart, are in the past too.
  const generatedAt = new Date(Date.now() - 2 * 3_600_000);
  const newEntries = Math.min(NEW_ENTRIES_A_POLL, options.items);
  const versions = [{ dir: join(workDir, 'feeds'), newEntries: 0 }];
  if (wants('ingest')) versions.push({ dir: join(workDir, 'feeds-later'), newEntries });
  const [feeds, later] = await writeFeedVersionsApart(versions, options.feeds, options.items, generatedAt, style, cpus().length) as
    [GeneratedFeedSet, GeneratedFeedSet?];
  const laterFeeds = later ? { set: later, newEntries } : null;
  const origin = await createOriginControl({ first: feeds.dir, later: laterFeeds?.set.dir ?? null }, workDir, feeds.files[0]!, options.origin);
  // nginx runs on after its parent dies: stop it on Ctrl-C too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void origin.stop().finally(() => process.exit(130)));
  }
  const context: BenchContext = {
    workDir, feeds, laterFeeds, topics: generateTopics(options.topics), origin, concurrency: options.concurrency, repeat: options.repeat, log,
  };
  const newsboatVersion = firstLine('newsboat', ['-v']);
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationSec: 0,
    options,
    machine: {
      cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version,
      origin: (await origin.use('conditional')).kind === 'nginx' ? firstLine('nginx', ['-v']) ?? 'nginx' : 'node static server',
      newsboat: newsboatVersion,
    },
    feeds: { count: feeds.files.length, itemsPerFeed: options.items, items: feeds.items, bytes: feeds.bytes },
    errors: {},
    targets: [],
  };
  const budget = (section: keyof BenchOptions['budgetSec']) => sectionBudgetMs(options, section, started, Date.now());
  const parsePlan: ParseRunPlan = { cpus: oneCoreCpus(), passes: options.parsePasses, workDir };
  const floorDocuments = loadGeneratedDocuments(feeds.dir, feeds.files.slice(0, options.parseFeeds));
  results.timeSec = { setup: (Date.now() - started) / 1000, sections: {} };
  try {
    // The peer first: newsboat's passes take what they take (3.5 to 8 minutes by machine), and the
    // sections after them fit their repeats, and the parse section its passes, into what is left
    // (context.ts).
    if (options.only.includes('peer') && !options.peer) results.peer = { skipped: 'skipped by --no-peer' };
    if (wants('peer')) {
      await runSection(results, 'peer', log, async () => {
        results.peer = await benchPeer(context, newsboatVersion ?? 'newsboat', budget('peer'));
        if ('skipped' in results.peer) log(`  ${results.peer.skipped}`);
      });
    }
    if (wants('ingest')) {
      await runSection(results, 'ingest', log, async () => {
        const profileDir = join(workDir, 'profile');
        rmSync(profileDir, { recursive: true, force: true });
        const floor = { documents: floorDocuments, items: floorDocuments.length * options.items, plan: parsePlan };
        results.ingest = await benchIngest(context, budget('ingest'), floor, options.profile ? profileDir : undefined);
        if (options.profile) addProfile(results, 'ingest: first load', profileDir);
      });
    }
    if (wants('topics')) {
      await runSection(results, 'topics', log, async () => {
        results.topics = await benchTopics(context, options.topicFeeds, budget('topics'));
      });
    }
    if (wants('serve')) {
      await runSection(results, 'serve', log, async () => {
        const database = await serveDatabase(context, results);
        const profileDir = join(workDir, 'profile-serve');
        rmSync(profileDir, { recursive: true, force: true });
        results.serve = await benchServe(context, { database, feedUrls: origin.urls(feeds.files), topics: context.topics, concurrency: options.concurrency }, {
          connections: options.connections, durationSec: options.serveSeconds, latencyRequests: options.latencyRequests, budgetMs: budget('serve'),
          cpuProfileDir: options.profile ? profileDir : undefined,
        });
        if (options.profile) addProfile(results, 'serve: cached topic feed under load', profileDir);
      });
    }
    if (wants('scale')) {
      await runSection(results, 'scale', log, async () => {
        const profileDir = join(workDir, 'profile-scale');
        rmSync(profileDir, { recursive: true, force: true });
        results.scale = await benchScale(context, {
          items: options.scaleItems, contentBytes: 1500, latencyRequests: options.latencyRequests, latencyWarmupMs: options.latencyWarmupSec * 1000,
          ingestFeeds: options.scaleIngestFeeds, fresh: options.freshScale, cpuProfileDir: options.profile ? profileDir : undefined,
        });
        if (options.profile) addProfile(results, 'scale: topic feed rendered on every request', profileDir);
      });
    }
    // Last: its figures are not targets, and a late run takes fewer passes of it (parsePassesFor).
    if (wants('parse')) {
      await runSection(results, 'parse', log, async () => {
        const plan = { ...parsePlan, passes: parsePassesFor(options, started, Date.now()) };
        const generated = await benchParse(floorDocuments, plan, true);
        const corpusDir = resolve(options.corpus ?? join(PROJECT_ROOT, '..', 'shared', 'corpus'));
        const corpusDocs = loadCorpusDocuments(corpusDir);
        const corpus = corpusDocs.length > 0 ? await benchParse(corpusDocs, plan) : { skipped: `no corpus at ${corpusDir}` };
        const sfeed = await measureSfeed(floorDocuments, floorDocuments.length * options.items, plan);
        if ('skipped' in sfeed) log(`  ${sfeed.skipped}`);
        results.parse = { generated, corpus, sfeed };
      });
    }
  } finally {
    await origin.stop();
    // The per-run databases and caches are large; the scale database is kept for the next run.
    for (const entry of readdirSync(workDir)) {
      if (/^(ingest-\d+|topics-\d+|serve-db|newsboat)$/.test(entry)) rmSync(join(workDir, entry), { recursive: true, force: true });
    }
  }
  results.durationSec = (Date.now() - started) / 1000;
  results.targets = checkTargets(results);
  return results;
}

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const results = await main(options);
const out = resolve(options.out ?? join(PROJECT_ROOT, 'bench', 'results.json'));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${formatReport(results)}\n\nresults written to ${out}\n`);
process.exitCode = Object.keys(results.errors).length > 0 ? 1 : 0;
