import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedTo } from './cpus.js';
import { hasCommand } from './origin.js';
import { meanItemsPerSec, type ParseDocument, type ParseRate, type ParseRunPlan, rate } from './parse.js';
import { median } from './stats.js';

// sfeed (C, Debian's `sfeed`) is the native parse floor the benchmark's targets were first stated
// against: it reads a feed from stdin and writes one line per entry. It is timed here on the same
// bytes as the raw XML floor, so that the two floors can be read side by side; the end-to-end
// target stays set against the raw XML parser, as the parse section measures it.

export interface SfeedFigures {
  /** The package's version where dpkg knows it, else the command's name. */
  version: string;
  /** Entries sfeed wrote, one line each: the items of the documents when it read them all. */
  items: number;
  bytes: number;
  /** The mean over CPUs of each CPU's items/s, its process's start taken out. */
  rate: ParseRate;
  byCpu: { cpu: number | null; itemsPerSec: number }[];
  /**
   * One process a document, each start included, as sfeed is run feed by feed (by a shell loop on
   * the same CPU): the mean over CPUs. ~0.8 ms a start here, more than parsing a feed of 50 items.
   */
  perDocument: ParseRate;
  /** A process reading an empty input, the median over passes and CPUs: what each timed pass had taken out. */
  startMs: number;
  runs: number;
}

export type SfeedResult = SfeedFigures | { skipped: string };

function version(command: string): string {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Version}', command], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() !== '' ? `${command} ${result.stdout.trim()}` : command;
}

/** One sfeed process over `input`: its wall time, and its output's lines when `count` asks for them. */
function runOnce(command: string, cpu: number | null, input: string, count: boolean): Promise<{ ms: number; lines: number }> {
  const [file, args] = pinnedTo(cpu, command, []);
  const stdin = openSync(input, 'r');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: [stdin, count ? 'pipe' : 'ignore', 'ignore'] });
    closeSync(stdin);
    let lines = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`));
      else resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, lines });
    });
  });
}

/** sfeed run once a document by a shell on the CPU, each reading its document: the loop's wall time. */
function runEach(command: string, cpu: number | null, paths: string[]): Promise<number> {
  const [file, args] = pinnedTo(cpu, 'sh', ['-c', 'for f in "$@"; do "$0" < "$f" > /dev/null || exit 1; done', command, ...paths]);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`${command}, a process a document, exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/**
 * sfeed over `documents`, one process a pass reading them concatenated (sfeed reads on across a
 * document's end), pinned to each CPU of the plan in turn, after one untimed pass that counts the
 * entries it wrote. A process given an empty input is timed the same way and taken out: at the
 * quick preset's sizes starting the process is a tenth of a pass. Each pass also runs it once a
 * document (perDocument).
 */
export async function measureSfeed(documents: ParseDocument[], expectedItems: number, plan: ParseRunPlan,
  command = 'sfeed'): Promise<SfeedResult> {
  if (!hasCommand(command)) return { skipped: `${command} is not installed (Debian: apt-get install sfeed)` };
  const input = join(plan.workDir, 'sfeed-input.xml');
  const empty = join(plan.workDir, 'sfeed-empty.xml');
  const bodies = documents.map((document) => readFileSync(document.path));
  writeFileSync(input, Buffer.concat(bodies));
  writeFileSync(empty, '');
  const bytes = bodies.reduce((sum, body) => sum + body.length, 0);
  const { lines: items } = await runOnce(command, plan.cpus[0] ?? null, input, true);
  if (items !== expectedItems) return { skipped: `${command} wrote ${items} entries for the ${expectedItems} items of the documents` };
  const startMs: number[] = [];
  const passMs: number[][] = [];
  const eachMs: number[] = [];
  const paths = documents.map((document) => document.path);
  for (const cpu of plan.cpus) {
    const passes: number[] = [];
    const each: number[] = [];
    for (let run = 0; run < plan.passes; run++) {
      startMs.push((await runOnce(command, cpu, empty, false)).ms);
      passes.push((await runOnce(command, cpu, input, false)).ms);
      each.push(await runEach(command, cpu, paths));
    }
    passMs.push(passes);
    eachMs.push(median(each));
  }
  const start = median(startMs);
  // A pass no longer than starting a process says nothing of parsing: kept at a tenth of a millisecond, never below.
  const parseMs = passMs.map((passes) => Math.max(0.1, median(passes) - start));
  const byCpu = plan.cpus.map((cpu, index) => ({ cpu, itemsPerSec: (items * 1000) / parseMs[index]! }));
  // Across CPUs the mean rate, as the parse section takes its floor.
  const rateOver = (msByCpu: number[]) => rate(items, bytes, (items * 1000) / meanItemsPerSec(items, msByCpu));
  return { version: version(command), items, bytes, byCpu, startMs: start, runs: plan.passes, rate: rateOver(parseMs), perDocument: rateOver(eachMs) };
}
