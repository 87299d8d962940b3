import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinnedTo } from './cpus.js';
import type { ParseChildResult, ParseChildSetup } from './parse-child.js';
import { median } from './stats.js';

export interface ParseDocument {
  name: string;
  path: string;
  contentType: string | null;
}

export interface ParseRate {
  ms: number;
  itemsPerSec: number;
  mbPerSec: number;
}

export interface ParseFigures {
  documents: number;
  items: number;
  bytes: number;
  failures: number;
  ingestParse: ParseRate;
  /** htmlparser2 in XML mode with no handlers over the same bytes, in a process of its own: the floor. */
  rawXml: ParseRate;
  /** Ingest parse items/s ÷ raw XML items/s: how close the parse step gets to the floor. */
  ratioToFloor: number;
  /** The floor on each CPU a process was pinned to; one unpinned entry where nothing pins. */
  rawByCpu: { cpu: number | null; itemsPerSec: number }[];
  /**
   * The floor on every pinned CPU at once (rawOnAllCpus), where it was asked for and two CPUs or
   * more were pinned; null otherwise.
   */
  rawTogether: RawTogether | null;
  /** Timed passes per process. */
  runs: number;
}

/** The raw parser on every CPU at once: each process's items/s, and their sum over one CPU's alone. */
export interface RawTogether {
  itemsPerSec: number[];
  /** The sum of itemsPerSec ÷ the mean of the CPUs' figures alone (rawByCpu): 2 for two cores that do not slow each other. */
  scaling: number;
}

/** How the parse section and the ingest section's floor run their parser processes. */
export interface ParseRunPlan {
  /** Each parser is timed once on every one of these CPUs (null: unpinned). */
  cpus: (number | null)[];
  /** Timed passes per process, after one untimed pass; their median counts. */
  passes: number;
  workDir: string;
}

const CHILD = fileURLToPath(new URL('./parse-child.js', import.meta.url));

function runChild(setup: ParseChildSetup, cpu: number | null, setupPath: string): Promise<ParseChildResult> {
  writeFileSync(setupPath, JSON.stringify(setup));
  // A one-core figure on a machine whose cores differ (here one ran the raw parser at 10,000 items/s
  // while the other ran it at 16,500) means something only per core: each process is pinned.
  const [command, args] = pinnedTo(cpu, process.execPath, [CHILD, setupPath]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`parse process (${setup.parser}) exited with ${code}`));
      else resolve(JSON.parse(out) as ParseChildResult);
    });
  });
}

export function rate(items: number, bytes: number, ms: number): ParseRate {
  return { ms, itemsPerSec: (items * 1000) / ms, mbPerSec: bytes / 1e6 / (ms / 1000) };
}

/** What one core of the machine does: the mean over CPUs of each CPU's items/s. */
export function meanItemsPerSec(items: number, msByCpu: number[]): number {
  return msByCpu.reduce((sum, ms) => sum + (items * 1000) / ms, 0) / msByCpu.length;
}

function documentsOf(documents: ParseDocument[]): ParseChildSetup['documents'] {
  return documents.map((document) => ({ path: document.path, url: `http://127.0.0.1/${document.name}`, contentType: document.contentType }));
}

/**
 * The raw XML parser's items/s over `documents` (holding `items` items), the mean of one process
 * on each CPU of the plan: what one core of the machine does, now. The ingest section takes it
 * beside each first load, so that a machine that changes speed between sections (a shared host)
 * moves both sides of the ratio together.
 */
export async function measureFloor(documents: ParseDocument[], items: number, plan: ParseRunPlan): Promise<number> {
  const msByCpu: number[] = [];
  for (const cpu of plan.cpus) {
    const result = await runChild({ parser: 'raw', documents: documentsOf(documents), passes: plan.passes }, cpu, join(plan.workDir, 'floor-setup.json'));
    msByCpu.push(median(result.ms));
  }
  return meanItemsPerSec(items, msByCpu);
}

/**
 * The raw parser in a process pinned to each CPU of the plan, all at once: what the machine's
 * cores do together. The end-to-end target sets ingest, two threads on two cores, against one
 * core alone, and on a shared host two virtual CPUs may slow each other: this machine's read
 * 16,200 and 16,058 items/s at once against 23,525 and 21,367 alone (1.43×) at one time, 1.86×
 * and 2.05× at others. The processes start together and time the same passes, so a median is of
 * passes run while the other process ran too, unless one is far faster.
 */
async function rawOnAllCpus(documents: ParseDocument[], items: number, plan: ParseRunPlan, aloneItemsPerSec: number): Promise<RawTogether | null> {
  const pinned = plan.cpus.filter((cpu): cpu is number => cpu !== null);
  if (pinned.length < 2) return null;
  const results = await Promise.all(pinned.map((cpu) =>
    runChild({ parser: 'raw', documents: documentsOf(documents), passes: plan.passes }, cpu, join(plan.workDir, `together-${cpu}-setup.json`))));
  const itemsPerSec = results.map((result) => (items * 1000) / median(result.ms));
  return { itemsPerSec, scaling: itemsPerSec.reduce((sum, rate) => sum + rate, 0) / aloneItemsPerSec };
}

/**
 * Times ingest's parse step against the raw XML parser on the same documents: on every CPU of the
 * plan, one process of each (the order alternating by CPU), each timing the plan's passes; with
 * `together`, then the raw parser on every CPU at once (rawOnAllCpus).
 */
export async function benchParse(documents: ParseDocument[], plan: ParseRunPlan, together = false): Promise<ParseFigures> {
  const bytes = documents.reduce((sum, document) => sum + statSync(document.path).size, 0);
  const setupPath = join(plan.workDir, 'parse-setup.json');
  const setup = (parser: ParseChildSetup['parser']): ParseChildSetup => ({ parser, documents: documentsOf(documents), passes: plan.passes });
  const rawMs: number[] = [];
  const parseMs: number[] = [];
  let items = 0;
  let failures = 0;
  for (const [index, cpu] of plan.cpus.entries()) {
    const order = index % 2 === 0 ? (['raw', 'ingest'] as const) : (['ingest', 'raw'] as const);
    for (const parser of order) {
      const result = await runChild(setup(parser), cpu, setupPath);
      if (parser === 'raw') {
        rawMs.push(median(result.ms));
      } else {
        ({ items, failures } = result);
        parseMs.push(median(result.ms));
      }
    }
  }
  // Across CPUs the mean rate, as measureFloor takes it.
  const ingestParse = rate(items, bytes, (items * 1000) / meanItemsPerSec(items, parseMs));
  const rawXml = rate(items, bytes, (items * 1000) / meanItemsPerSec(items, rawMs));
  return {
    documents: documents.length, items, bytes, failures, ingestParse, rawXml,
    ratioToFloor: ingestParse.itemsPerSec / rawXml.itemsPerSec,
    rawByCpu: plan.cpus.map((cpu, index) => ({ cpu, itemsPerSec: (items * 1000) / rawMs[index]! })),
    rawTogether: together ? await rawOnAllCpus(documents, items, plan, rawXml.itemsPerSec) : null,
    runs: plan.passes,
  };
}

export function loadGeneratedDocuments(dir: string, files: string[]): ParseDocument[] {
  return files.map((name) => ({ name, path: join(dir, name), contentType: 'application/rss+xml' }));
}

const REAL_WORLD = new Set(['real-world', 'real-world-trimmed']);

/**
 * The corpus's real-world XML feeds: those manifest.tsv marks real-world (uncompressed, not JSON)
 * plus the rss-parser captures, which the manifest does not list.
 */
export function loadCorpusDocuments(corpusDir: string): ParseDocument[] {
  const manifest = join(corpusDir, 'manifest.tsv');
  if (!existsSync(manifest)) return [];
  const [header, ...rows] = readFileSync(manifest, 'utf8').trim().split('\n').map((line) => line.split('\t'));
  const column = (name: string) => header!.indexOf(name);
  const [file, kind, format, compression] = [column('file'), column('kind'), column('format'), column('compression')];
  const names = rows
    .filter((row) => REAL_WORLD.has(row[kind] ?? '') && !row[compression] && row[format] !== 'json')
    .map((row) => row[file]!);
  const rssParserDir = join(corpusDir, 'rss-parser');
  if (existsSync(rssParserDir)) {
    names.push(...readdirSync(rssParserDir).filter((name) => /\.(rss|atom|xml|rdf)$/.test(name)).map((name) => `rss-parser/${name}`));
  }
  return names
    .filter((name) => existsSync(join(corpusDir, name)))
    .map((name) => ({ name, path: join(corpusDir, name), contentType: null }));
}
