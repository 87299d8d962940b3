import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { median } from '../../bench/stats.js';
import { BENCH_DIST, ROOT } from '../support/built.js';

const RUN = join(BENCH_DIST, 'run.js');
const TINY = ['--feeds', '5', '--items', '5', '--repeat', '1', '--topics', '20', '--scale-items', '2000', '--serve-seconds', '2',
  '--latency-warmup', '0.2'];

async function runBench(dir: string, extra: string[]) {
  const out = join(dir, 'results.json');
  const { stdout } = await promisify(execFile)(process.execPath, [RUN, ...TINY, ...extra, '--work', join(dir, 'work'), '--out', out], {
    cwd: ROOT, maxBuffer: 16 * 1024 * 1024,
  });
  return { stdout, results: JSON.parse(readFileSync(out, 'utf8')) };
}

describe('npm run bench, tiny sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every section and writes positive figures for each', async () => {
    const { stdout, results } = await runBench(join(dir, 'all'), ['--no-peer']);
    expect(results.errors).toEqual({});
    // Where the run's time went, part by part (newsboat's left out by --no-peer), all of it within
    // the run's; a run at other sizes than its preset's is held to no time limit.
    const { setup, sections } = results.timeSec as { setup: number; sections: Record<string, number> };
    expect(Object.keys(sections)).toEqual(['ingest', 'topics', 'serve', 'scale', 'parse']);
    for (const sec of [setup, ...Object.values(sections)]) expect(sec).toBeGreaterThan(0);
    expect(setup + Object.values(sections).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(results.durationSec);
    expect(stdout).toMatch(/\ntime by part: writing the feeds and starting the origin [\d.]+ s, ingest [\d.]+ s, topics [\d.]+ s, serve [\d.]+ s, scale [\d.]+ s, parse/);
    expect(results.targets.map((t: { target: string }) => t.target)).not.toContainEqual(expect.stringContaining(' run under '));
    const { parse, ingest, topics, serve, scale } = results;
    expect(parse.generated.items).toBe(25);
    // The parse section comes last, and a run with time left takes the preset's passes in it.
    expect([parse.generated.runs, parse.corpus.runs, parse.sfeed.runs]).toEqual([5, 5, 5]);
    for (const p of [parse.generated, parse.corpus]) {
      expect(p.ingestParse.itemsPerSec).toBeGreaterThan(0);
      expect(p.rawXml.itemsPerSec).toBeGreaterThan(0);
      expect(p.ratioToFloor).toBeGreaterThan(0);
      // One floor per CPU the parsers were pinned to (Linux with taskset), each of its own.
      expect(p.rawByCpu.length).toBeGreaterThan(0);
      for (const { itemsPerSec } of p.rawByCpu) expect(itemsPerSec).toBeGreaterThan(0);
    }
    if (process.platform === 'linux') expect(parse.generated.rawByCpu.map((c: { cpu: number | null }) => c.cpu)).not.toContain(null);
    // The floor on every CPU at once, for the generated feeds only: one process per pinned CPU.
    const pinned = parse.generated.rawByCpu.filter((c: { cpu: number | null }) => c.cpu !== null).length;
    expect(parse.corpus.rawTogether).toBeNull();
    if (pinned >= 2) {
      expect(parse.generated.rawTogether.itemsPerSec).toHaveLength(pinned);
      for (const rate of parse.generated.rawTogether.itemsPerSec) expect(rate).toBeGreaterThan(0);
      const alone = parse.generated.rawXml.itemsPerSec;
      expect(parse.generated.rawTogether.scaling).toBeCloseTo(parse.generated.rawTogether.itemsPerSec.reduce((a: number, b: number) => a + b, 0) / alone, 6);
      expect(stdout).toMatch(/on every CPU at once [\d,]+( \+ [\d,]+)+, \d+\.\d\d× one CPU alone/);
    } else {
      expect(parse.generated.rawTogether).toBeNull();
    }
    // sfeed, the native floor, on the same sample (.ci/run installs it), and end to end against it.
    expect(parse.sfeed.items).toBe(25);
    expect(parse.sfeed.rate.itemsPerSec).toBeGreaterThan(0);
    expect(stdout).toMatch(/native parse floor, sfeed [^\n]*\(C\) on the same generated feeds: [\d,]+ items\/s/);
    expect(parse.sfeed.perDocument.itemsPerSec).toBeGreaterThan(0);
    expect(stdout).toMatch(/sfeed a process a feed, each start included: [\d,]+ items\/s/);
    expect(stdout).toMatch(/end to end ÷ sfeed[^\n]* \(not a target\): \d+\.\d%/);
    // A floor before each first load and after the last, and the share of it taken run by run.
    expect(ingest.first.floor.itemsPerSec).toHaveLength(ingest.runs + 1);
    expect(ingest.first.floor.ratio).toBeGreaterThan(0);
    expect(stdout).toContain('floor beside the first loads');
    expect(ingest.items).toBe(25);
    expect(ingest.problems).toEqual([]);
    for (const ms of [ingest.first.ms, ingest.reload304.ms, ingest.reloadFull.ms]) expect(ms).toBeGreaterThan(0);
    // A later poll of every feed: two newer entries each stored, the three kept unchanged (problems
    // above would say otherwise), once a run.
    expect(ingest.reloadChanged).toMatchObject({ newEntries: 2, itemsStored: 10, runs: ingest.runs });
    expect(ingest.reloadChanged.ms).toBeGreaterThan(0);
    expect(ingest.reloadChanged.cpuMs).toBeGreaterThan(0);
    expect(stdout).toMatch(/\| 2 new entries a feed \(a later poll\) \| [\d.]+ m?s \(10 items stored, CPU [\d.]+ m?s\)/);
    expect(ingest.first.peakRssMB).toBeGreaterThan(0);
    // The threads' shares come from /proc: present on Linux; the main thread and the parser worker
    // each ran, and each less than the whole process (two clocks: a tenth of slack).
    const cpu = ingest.first.cpuUsPerItem;
    expect(cpu.all).toBeGreaterThan(0);
    if (process.platform === 'linux') {
      expect(cpu.mainThread).toBeGreaterThan(0);
      expect(cpu.busiestOtherThread).toBeGreaterThan(0);
      expect(cpu.mainThread!).toBeLessThanOrEqual(cpu.all * 1.1);
      expect(cpu.busiestOtherThread!).toBeLessThanOrEqual(cpu.all * 1.1);
      expect(cpu.waitingForCore.all).toBeGreaterThanOrEqual(cpu.waitingForCore.mainThread);
      expect(cpu.waitingForCore.mainThread).toBeGreaterThanOrEqual(0);
      expect(stdout).toMatch(/busiest other thread [\d,]+ µs\); waiting for a core [\d,]+ µs per item/);
      // The parser worker's time, split three ways: each a share, together the load.
      const { running, waiting, idle } = cpu.busiestOtherThreadShares;
      for (const share of [running, waiting, idle]) expect(share).toBeGreaterThanOrEqual(0);
      expect(running).toBeGreaterThan(0);
      expect(running + waiting).toBeLessThanOrEqual(1.05);
      expect(running + waiting + idle).toBeCloseTo(Math.max(1, running + waiting), 6);
      expect(stdout).toMatch(/the busiest other thread ran \d+% of the load, waited for a core \d+%, idle \d+%/);
    }
    expect(results.peer).toEqual({ skipped: 'skipped by --no-peer' });
    expect(topics.oneTopic.itemsPerSec).toBeGreaterThan(0);
    expect(topics.manyTopics.itemsPerSec).toBeGreaterThan(0);
    // Twice the repeats' pairs, each its own ratio; the section's is their median.
    expect(topics.runRatios).toHaveLength(topics.runs);
    expect(topics.ratio).toBe(median(topics.runRatios));
    expect(serve.items).toBeGreaterThan(0);
    expect(serve.topicFeed.requestsPerSec).toBeGreaterThan(0);
    expect(serve.bareHttp.requestsPerSec).toBeGreaterThan(0);
    for (const side of [serve.topicFeed, serve.bareHttp]) {
      expect(side.serverCpuUsPerRequest).toBeGreaterThan(0);
      expect(side.clientCpuPercent).toBeGreaterThan(0);
    }
    // A slice of a second a side for each second asked, in every run; the ratios are the pairs' medians.
    expect(serve.slices).toBe(serve.runs * Math.round(serve.durationSec));
    expect(serve.pairRatios).toHaveLength(serve.slices);
    expect(serve.ratio).toBe(median(serve.pairRatios));
    expect(serve.pairCpuRatios).toHaveLength(serve.slices);
    expect(serve.cpuRatio).toBe(median(serve.pairCpuRatios));
    expect(serve.search.p50Ms).toBeGreaterThan(0);
    expect(scale.items).toBe(2000);
    expect(scale.databaseMB).toBeGreaterThan(0);
    const { gzip } = scale;
    for (const l of [scale.topicFeedWarm, scale.bareFeed, scale.topicFeedCold, scale.topicFeedScratch, scale.apiItemsByTopic, scale.apiItemsSince,
      gzip.topicFeedWarm, gzip.topicFeedCold]) {
      expect(l.p99Ms).toBeGreaterThan(0);
      // Each row after its own unmeasured warm-up (at most 4,000 requests, here within 0.2 s).
      expect(l.warmupRequests).toBeGreaterThan(0);
      expect(l.warmupRequests).toBeLessThanOrEqual(4000);
      // The server's span lies inside the client's: from the request's arrival to the answer's
      // last byte handed to the kernel.
      expect(l.server?.p50Ms).toBeGreaterThan(0);
      expect(l.server!.p50Ms).toBeLessThan(l.p50Ms);
      expect(l.server!.cpuMsPerRequest).toBeGreaterThan(0);
    }
    // A page rendered from its items on every request costs the server more than one from the cache.
    expect(scale.topicFeedScratch.server!.cpuMsPerRequest).toBeGreaterThan(scale.topicFeedWarm.server!.cpuMsPerRequest);
    // Asked as readers ask, the page comes compressed, smaller than the plain one; compressed on every
    // request, it costs the server more than the compressed body kept with the page.
    for (const l of [gzip.topicFeedWarm, gzip.topicFeedCold]) {
      expect(l.coding).toBe('gzip');
      expect(l.bytes).toBeLessThan(scale.topicFeedWarm.bytes);
    }
    expect(scale.topicFeedWarm.coding).toBeNull();
    expect(gzip.topicFeedCold.server!.cpuMsPerRequest).toBeGreaterThan(gzip.topicFeedWarm.server!.cpuMsPerRequest);
    expect(scale.ingest.itemsPerSec).toBeGreaterThan(0);
    expect(scale.ingest.emptyDatabaseItemsPerSec).toBeGreaterThan(0);
    expect(results.targets.length).toBeGreaterThan(0);
    expect(stdout).toContain('TARGETS');
  }, 300_000);

  it('runs newsboat three times on the same feeds, or says why not', async () => {
    const { results } = await runBench(join(dir, 'peer'), ['--only', 'peer']);
    expect(results.errors).toEqual({});
    if (spawnSync('sh', ['-c', 'command -v newsboat']).status !== 0) {
      expect(results.peer.skipped).toMatch(/newsboat is not installed/);
      return;
    }
    expect(results.peer.problems).toEqual([]);
    expect(results.peer.itemsStored).toBe(25);
    for (const run of [results.peer.first, results.peer.reload304, results.peer.reloadFull]) {
      expect(run.ms).toBeGreaterThan(0);
    }
  }, 300_000);

  it('falls back to a Node static origin that honours conditional GET and can withhold validators', async () => {
    // Each pass checks its statuses: 304 on reload, unchanged bodies without validators.
    const { results } = await runBench(join(dir, 'node-origin'), ['--no-peer', '--only', 'ingest', '--origin', 'node']);
    expect(results.errors).toEqual({});
    expect(results.machine.origin).toBe('node static server');
    expect(results.ingest.origin).toBe('node');
    expect(results.ingest.problems).toEqual([]);
    expect(results.ingest.reload304.ms).toBeGreaterThan(0);
  }, 300_000);

  it('profiles a first ingest in a process of its own, apart from the measured runs', async () => {
    const { stdout, results } = await runBench(join(dir, 'profile'), ['--no-peer', '--only', 'ingest', '--profile']);
    expect(results.errors).toEqual({});
    // The profiled load's own statuses and counts are checked too.
    expect(results.ingest.problems).toEqual([]);
    expect(results.ingest.runs).toBe(1);
    const main = results.profile['ingest: first load'];
    expect(main.busy).toBeGreaterThan(0);
    expect(main.self.length).toBeGreaterThan(0);
    expect(results.profile['ingest: first load, worker thread 1'].self.length).toBeGreaterThan(0);
    expect(stdout).toContain('PROFILE: ingest: first load process');
    // One process profiled (files named CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile): not the measured one as well.
    const files = readdirSync(join(dir, 'profile', 'work', 'profile')).filter((file) => file.endsWith('.cpuprofile'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(new Set(files.map((file) => file.split('.')[3])).size).toBe(1);
    expect(existsSync(join(dir, 'profile', 'work', 'ingest-profiled'))).toBe(false);
  }, 300_000);
});

describe('the load generator', () => {
  it('keeps no response body: after a run, one added to autocannon\'s queue leaves the request\'s body empty', async () => {
    const { runLoad } = (await import(join(ROOT, 'dist', 'bench', 'load.js'))) as typeof import('../../bench/load.js');
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('<rss>“NATO’s” summit — México</rss>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    try {
      const figures = await runLoad(`http://127.0.0.1:${port}/`, 1, 1);
      expect(figures.requestsPerSec).toBeGreaterThan(0);
      expect(figures.errors + figures.non2xx).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    type Queue = { insertRequest(req: object): void; addBody(data: Buffer): void; peek(): { body: string } };
    const PipelinedRequestsQueue = createRequire(join(ROOT, 'package.json'))('autocannon/lib/pipelinedRequestsQueue.js') as new () => Queue;
    const queue = new PipelinedRequestsQueue();
    queue.insertRequest({});
    queue.addBody(Buffer.from('“NATO’s” summit — México'));
    expect(queue.peek().body).toBe('');
  }, 30_000);

  it('reads the CPU a request from the server\'s own process, counting from the run\'s start', async () => {
    const { loadTest, startLoadGenerator } = (await import(join(ROOT, 'dist', 'bench', 'load.js'))) as typeof import('../../bench/load.js');
    const { startServerProcess } = (await import(join(ROOT, 'dist', 'bench', 'server-process.js'))) as typeof import('../../bench/server-process.js');
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-load-'));
    writeFileSync(join(dir, 'body'), '<rss>“NATO’s” summit — México</rss>'.repeat(1000));
    const bare = await startServerProcess(['bare', join(dir, 'body'), 'application/rss+xml']);
    const generator = startLoadGenerator();
    try {
      // Requests before the run are not the run's.
      for (let i = 0; i < 20; i++) await (await fetch(`${bare.baseUrl}/`)).arrayBuffer();
      const figures = await loadTest(generator, `${bare.baseUrl}/`, 2, 1, bare);
      expect(figures.errors + figures.non2xx).toBe(0);
      expect(figures.requestsPerSec).toBeGreaterThan(0);
      // The run's requests, and at most one a connection cut off at its end: not the 20 before.
      expect(figures.serverRequests! - figures.requests).toBeGreaterThanOrEqual(0);
      expect(figures.serverRequests! - figures.requests).toBeLessThanOrEqual(2);
      expect(figures.serverCpuUsPerRequest).toBeGreaterThan(0);
      expect(figures.clientCpuPercent).toBeGreaterThan(0);
      // The run's requests were counted and cleared: nothing since.
      expect((await bare.serverTimes()).requests).toBe(0);
      expect((await loadTest(generator, `${bare.baseUrl}/`, 1, 1)).serverCpuUsPerRequest).toBeNull();
    } finally {
      await generator.stop();
      await bare.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers run after run from one process it keeps, which leaves once stopped', async () => {
    const { loadTest, startLoadGenerator } = (await import(join(ROOT, 'dist', 'bench', 'load.js'))) as typeof import('../../bench/load.js');
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('<rss/>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const generator = startLoadGenerator();
    try {
      // A run given the generator leaves it running for the next.
      for (let run = 0; run < 2; run++) {
        const figures = await loadTest(generator, `http://127.0.0.1:${port}/`, 1, 1);
        expect(figures.requestsPerSec).toBeGreaterThan(0);
      }
    } finally {
      await generator.stop();
      server.close();
    }
    await expect(generator.ask({ type: 'load', url: `http://127.0.0.1:${port}/`, connections: 1, durationSec: 1 })).rejects.toThrow(/exited/);
  }, 30_000);

  it('fails a question with the reason when its process cannot answer it, and does not wait', async () => {
    const { startApart } = (await import(join(ROOT, 'dist', 'bench', 'apart.js'))) as typeof import('../../bench/apart.js');
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-apart-'));
    try {
      // Answers the first question with a failure, and exits at the second.
      writeFileSync(join(dir, 'child.mjs'), `let asked = 0;
process.on('message', () => { if (++asked === 1) process.send({ type: 'failed', message: 'no server' }); else process.exit(3); });`);
      const child = startApart<{ type: string }, number>(pathToFileURL(join(dir, 'child.mjs')), 'test child');
      await expect(child.ask({ type: 'x' })).rejects.toThrow('test child failed: no server');
      await expect(child.ask({ type: 'x' })).rejects.toThrow('test child exited with 3 before answering');
      await expect(child.ask({ type: 'x' })).rejects.toThrow('test child exited with 3 before answering');
      await child.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the latency client in a process of its own', () => {
  it('times requests to a real server and reports its status, and fails with a reason when nothing listens', async () => {
    const { measureLatencyApart } = (await import(join(ROOT, 'dist', 'bench', 'latency.js'))) as typeof import('../../bench/latency.js');
    const { createServer } = await import('node:http');
    let served = 0;
    const server = createServer((_req, res) => {
      served++;
      res.writeHead(202, { 'content-type': 'text/plain' }).end('x'.repeat(10_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    try {
      const figures = await measureLatencyApart(`http://127.0.0.1:${port}/`, 40, 3);
      expect(figures).toMatchObject({ requests: 40, status: 202 });
      expect(served).toBe(43);
      expect(figures.p50Ms).toBeGreaterThan(0);
      expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(measureLatencyApart(`http://127.0.0.1:${port}/`, 5)).rejects.toThrow(/latency client failed: .*ECONNREFUSED/);
  }, 60_000);
});
