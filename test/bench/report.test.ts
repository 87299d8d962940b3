import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';
import { type BenchResults, checkTargets, formatReport, shownAgainst } from '../../bench/report.js';

describe('a target\'s figure as the bench prints it', () => {
  it.each<[number, number, (x: number) => boolean, string]>([
    [34.6, 0, (x) => x >= 35, '34'],
    [35.2, 0, (x) => x >= 35, '35'],
    [34.4, 0, (x) => x >= 35, '34'],
    [2.996, 2, (x) => x >= 3, '2.99'],
    [3.004, 2, (x) => x >= 3, '3.00'],
    [4.996, 2, (x) => x < 5, '4.99'],
    [5.004, 2, (x) => x < 5, '5.00'],
    [299.6, 0, (x) => x < 300, '299'],
    [3.19, 2, (x) => x < 5, '3.19'],
    [252.34, 1, (x) => x >= 25, '252.3'],
  ])('%f to %i digits is "%s": rounded, but never across the threshold', (value, digits, meets, shown) => {
    expect(shownAgainst(value, digits, meets)).toBe(shown);
  });

  it('says n/a for a figure that is not a number', () => {
    expect(shownAgainst(Number.NaN, 1, () => true)).toBe('n/a');
  });
});

describe('the targets table', () => {
  // Only the fields these targets read: ingest and its reloads, the parse floor, the scale latencies.
  const results = (itemsPerSec: number, floor: number, cachedP99: number) => ({
    ingest: { first: { itemsPerSec, peakRssMB: 299.6 }, reload304: { ms: 1999.6 }, reloadFull: { ms: 900 } },
    parse: { generated: { rawXml: { itemsPerSec: floor } } },
    scale: { items: 1_000_000, topicFeedWarm: { p99Ms: cachedP99 }, topicFeedCold: { p99Ms: 5.01 }, topicFeedScratch: { p99Ms: 9.71 } },
  }) as unknown as BenchResults;
  const row = (checks: ReturnType<typeof checkTargets>, start: string) => checks.find((c) => c.target.startsWith(start))!;

  it('never prints a missed target as its threshold, nor a met one as missed', () => {
    const checks = checkTargets(results(2298, 6634, 4.996));
    expect(row(checks, 'end-to-end')).toEqual({ target: 'end-to-end ingest ≥ 35% of raw XML parse items/s', measured: '34%', met: false });
    expect(row(checks, 'topic feed p99 < 5 ms at 1,000,000 items (cached)')).toMatchObject({ measured: '4.99 ms', met: true });
    expect(row(checks, 'topic feed p99 < 5 ms at 1,000,000 items (rendered, entries kept)')).toMatchObject({ measured: '5.01 ms', met: false });
    expect(row(checks, 'topic feed p99 < 5 ms at 1,000,000 items (rendered from scratch)')).toMatchObject({ measured: '9.71 ms', met: false });
    expect(row(checks, 'peak RSS')).toMatchObject({ measured: '299 MB', met: true });
    expect(row(checks, 'unchanged re-ingest (304) under 2 s')).toMatchObject({ measured: '1.99 s', met: true });
    expect(row(checks, 'unchanged re-ingest (full bodies) under 4 s')).toMatchObject({ measured: '900 ms', met: true });
  });

  it('takes the end-to-end share against the floor measured beside the first loads when there is one', () => {
    const beside = results(2400, 6634, 3);
    (beside.ingest!.first as { floor: unknown }).floor = { itemsPerSec: [16_000, 17_000], ratio: 0.149 };
    expect(row(checkTargets(beside), 'end-to-end')).toMatchObject({ measured: '15%', met: false });
  });

  it('prints a met end-to-end share as met', () => {
    expect(row(checkTargets(results(2400, 6634, 3)), 'end-to-end')).toMatchObject({ measured: '36%', met: true });
  });
});

describe('a whole run\'s time', () => {
  const results = (argv: string[], durationSec: number, scaleReused: boolean) => ({
    options: parseBenchArgs(argv), durationSec,
    timeSec: { setup: 10.24, sections: { parse: 30.6, peer: 504.2, ingest: 24.7, topics: 6.2, serve: 23.8, scale: 36.4 } },
    scale: { items: 1_000_000, fill: { reused: scaleReused, ms: 73_020 }, topicFeedWarm: { p99Ms: 3 }, topicFeedCold: { p99Ms: 3 },
      topicFeedScratch: { p99Ms: 4 } },
  }) as unknown as BenchResults;
  const row = (r: BenchResults) => checkTargets(r).find((c) => c.target.includes(' run under '));

  it('holds a run of the preset as it stands to its limit, and says how long newsboat\'s passes took', () => {
    expect(row(results([], 635.94, true))).toEqual({ target: 'default run under 10 minutes', measured: '635.9 s (newsboat\'s passes 504.2 s)', met: false });
    expect(row(results([], 599.96, true))).toEqual({ target: 'default run under 10 minutes', measured: '599.9 s (newsboat\'s passes 504.2 s)', met: true });
    expect(row(results(['--quick'], 118.2, true))).toMatchObject({ target: 'quick run under 2 minutes', met: true });
  });

  it('names a scale database built in the run, which its budgets leave out', () => {
    expect(row(results([], 712.5, false))?.measured).toBe('712.5 s (newsboat\'s passes 504.2 s; the scale database built in it, 73.0 s)');
  });

  it('holds no run with other sizes, repeats or sections to the preset\'s limit', () => {
    expect(row(results(['--repeat', '1'], 900, true))).toBeUndefined();
    expect(row(results(['--no-peer'], 900, true))).toBeUndefined();
  });

  it('prints where the time went under the first line', () => {
    const r = results([], 635.94, true);
    const text = formatReport({ ...r, machine: { cpus: 2, cpuModel: 'test', node: 'v20' }, feeds: { count: 1000, itemsPerFeed: 50 },
      errors: {}, targets: [], scale: undefined } as unknown as BenchResults);
    expect(text.split('\n')[1]).toBe('time by part: writing the feeds and starting the origin 10.2 s, parse 30.6 s, newsboat 504.2 s, ingest 24.7 s, '
      + 'topics 6.2 s, serve 23.8 s, scale 36.4 s');
    const none = formatReport({ ...r, timeSec: { setup: 1.04, sections: {} }, machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
      feeds: { count: 1000, itemsPerFeed: 50 }, errors: {}, targets: [], scale: undefined } as unknown as BenchResults);
    expect(none.split('\n')[1]).toBe('time by part: writing the feeds and starting the origin 1.0 s');
  });
});

describe('the ingest section', () => {
  const ingest = {
    feeds: 1000, items: 50_000, bytes: 353e6, topics: 1000, concurrency: 8, origin: 'nginx', runs: 3,
    first: { ms: 9000, itemsPerSec: 5556, mbPerSec: 39, peakRssMB: 250, floor: null,
      cpuUsPerItem: { all: 280, mainThread: null, busiestOtherThread: null, waitingForCore: null, busiestOtherThreadShares: null } },
    reload304: { ms: 150, runs: 9 }, reloadFull: { ms: 800, runs: 9 },
    reloadChanged: { ms: 2400, runs: 3, newEntries: 2, itemsStored: 2000, cpuMs: 3600 },
    matchesPerItem: 9, problems: [], database: '',
  };
  const peer = { version: 'newsboat 2.21', reloadThreads: 8, runs: 1, itemsStored: 50_000, problems: [],
    first: { ms: 36_000, itemsPerSec: 1389 }, reload304: { ms: 45_000 }, reloadFull: { ms: 96_000 } };
  const report = (withPeer: boolean) => formatReport({ options: parseBenchArgs([]), machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
    feeds: { count: 1000, itemsPerFeed: 50 }, durationSec: 1, errors: {}, targets: [], ingest,
    peer: withPeer ? peer : { skipped: 'skipped by --no-peer' } } as unknown as BenchResults);

  it('sets a later poll beside newsboat\'s reload of every body, which it costs newsboat at least', () => {
    expect(report(true)).toMatch(/\| 2 new entries a feed \(a later poll\) \| 2\.40 s \(2,000 items stored, CPU 3\.60 s\) +\| 96\.0 s \(2nd run, every body, none new\) \| 40\.0× +\|/);
    expect(report(true)).toContain('reload runs 9/9/3');
    expect(report(false)).toMatch(/\| 2 new entries a feed \(a later poll\) \| 2\.40 s \(2,000 items stored, CPU 3\.60 s\) +\| - +\| - +\|/);
  });

  it('leaves the later poll out of a run that made none', () => {
    const text = formatReport({ options: parseBenchArgs([]), machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
      feeds: { count: 1000, itemsPerFeed: 50 }, durationSec: 1, errors: {}, targets: [], ingest: { ...ingest, reloadChanged: null },
    } as unknown as BenchResults);
    expect(text).not.toContain('later poll');
    expect(text).toContain('reload runs 9/9\n');
  });
});

describe('the topics section', () => {
  const topics = { feeds: 100, items: 5000, topics: 1000, runs: 4, oneTopic: { ms: 1000, itemsPerSec: 5000 },
    manyTopics: { ms: 1250, itemsPerSec: 4000 }, runRatios: [0.84, 0.71, 0.79, 0.82], ratio: 0.805 };
  const row = (checks: ReturnType<typeof checkTargets>) => checks.find((c) => c.target.startsWith('ingest with'))!;

  it('prints each run\'s ratio beside their median, which the target reads', () => {
    const options = parseBenchArgs([]);
    const text = formatReport({ options, machine: { cpus: 2, cpuModel: 'test', node: 'v20' }, feeds: { count: 1000, itemsPerFeed: 50 },
      durationSec: 1, errors: {}, targets: [], topics } as unknown as BenchResults);
    expect(text).toContain('1000 ÷ 1 run by run: 84%, 71%, 79%, 82%; the median of these is the ratio');
    expect(row(checkTargets({ topics } as unknown as BenchResults))).toEqual({ target: 'ingest with 1000 topics ≥ 80% of 1 topic', measured: '81%', met: true });
  });
});

describe('the targets table of a run at other sizes than the targets\'', () => {
  const report = (argv: string[]) => {
    const options = parseBenchArgs(argv);
    return formatReport({
      options, machine: { cpus: 2, cpuModel: 'test', node: 'v20' }, feeds: { count: options.feeds, itemsPerFeed: options.items },
      durationSec: 1, errors: {}, targets: [{ target: 'first ingest ≥ 3× newsboat items/s', measured: '0.64×', met: false }],
    } as unknown as BenchResults);
  };
  const heading = (text: string) => text.split('\n').find((line) => line.startsWith('TARGETS'));

  it('says the targets are set at the default sizes when a run has others', () => {
    expect(heading(report(['--quick']))).toBe('TARGETS (the targets are set at 1,000 feeds × 50 items and 1,000 topics; '
      + 'this run has 60 feeds × 50 items and 1,000 topics, and its ratios against newsboat and the floor move with the size)');
    expect(heading(report(['--topics', '10']))).toContain('this run has 1,000 feeds × 50 items and 10 topics');
    expect(heading(report(['--items', '20']))).toContain('this run has 1,000 feeds × 20 items');
  });

  it('says in its first line when the generated text was typographic', () => {
    expect(report(['--typographic']).split('\n')[0]).toContain('1,000 feeds × 50 items of typographic text;');
    expect(report([]).split('\n')[0]).not.toContain('typographic');
  });

  it('prints the plain heading at the targets\' own sizes, whatever else differs', () => {
    expect(heading(report([]))).toBe('TARGETS');
    expect(heading(report(['--repeat', '1', '--scale-items', '2000']))).toBe('TARGETS');
  });
});

describe('the native parse floor', () => {
  const rate = (itemsPerSec: number) => ({ ms: 1, itemsPerSec, mbPerSec: itemsPerSec / 140 });
  const parseFigures = { documents: 50, items: 2500, bytes: 17_700_000, failures: 0, ingestParse: rate(20_000), rawXml: rate(30_000),
    ratioToFloor: 2 / 3, rawByCpu: [{ cpu: 0, itemsPerSec: 30_000 }], rawTogether: null, runs: 5 };
  const sfeed = { version: 'sfeed 1.7-1', items: 2500, bytes: 17_700_000, rate: rate(40_000), byCpu: [{ cpu: 0, itemsPerSec: 39_000 },
    { cpu: 1, itemsPerSec: 41_000 }], startMs: 3.6, runs: 5, perDocument: rate(25_000) };
  const ingest = {
    feeds: 1000, items: 50_000, bytes: 353e6, topics: 1000, concurrency: 8, origin: 'nginx', runs: 3,
    first: { ms: 7000, itemsPerSec: 7000, mbPerSec: 50, peakRssMB: 250, floor: { itemsPerSec: [30_000, 30_000], ratio: 0.233 },
      cpuUsPerItem: { all: 220, mainThread: null, busiestOtherThread: null, waitingForCore: null, busiestOtherThreadShares: null } },
    reload304: { ms: 120, runs: 3 }, reloadFull: { ms: 460, runs: 3 }, reloadChanged: null, matchesPerItem: 9, problems: [], database: '',
  };
  const report = (parse: object) => formatReport({ options: parseBenchArgs([]), machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
    feeds: { count: 1000, itemsPerFeed: 50 }, durationSec: 1, errors: {}, targets: [], ingest,
    parse: { generated: parseFigures, corpus: { skipped: 'no corpus' }, ...parse } } as unknown as BenchResults);

  it('prints sfeed beside the raw XML floor, and end to end against it, which no target reads', () => {
    const text = report({ sfeed });
    expect(text).toContain('native parse floor, sfeed 1.7-1 (C) on the same generated feeds: 40,000 items/s, 285.7 MB/s (CPU 0 39,000, CPU 1 41,000; its process\'s start, 3.6 ms, taken out); the raw XML floor is 75% of it\n  sfeed a process a feed, each start included: 25,000 items/s, 178.6 MB/s; the raw XML floor is 120% of it');
    expect(text).toContain('end to end ÷ sfeed 1.7-1\'s items/s in the parse section (not a target): 17.5%');
    expect(checkTargets({ ingest, parse: { generated: parseFigures, sfeed } } as unknown as BenchResults).find((c) => c.target.startsWith('end-to-end')))
      .toEqual({ target: 'end-to-end ingest ≥ 35% of raw XML parse items/s', measured: '23%', met: false });
  });

  it('says why sfeed was not measured, and prints nothing against it', () => {
    const text = report({ sfeed: { skipped: 'sfeed is not installed (Debian: apt-get install sfeed)' } });
    expect(text).toContain('native parse floor: sfeed is not installed (Debian: apt-get install sfeed)');
    expect(text).not.toContain('end to end ÷ sfeed');
    expect(report({})).not.toContain('native parse floor');
  });
});
