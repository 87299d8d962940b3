import { type BenchOptions, type Section, TARGET_SIZES } from './args.js';
import type { CpuPerItem, IngestFigures } from './ingest.js';
import type { ParseFigures } from './parse.js';
import type { PeerResult } from './peer.js';
import type { ProfileEntry } from './profile.js';
import type { ScaleFigures } from './scale.js';
import { type ServeFigures, SLICE_SEC } from './serve.js';
import type { SfeedFigures, SfeedResult } from './sfeed.js';
import type { TopicsFigures } from './topics.js';

export interface BenchResults {
  startedAt: string;
  durationSec: number;
  /**
   * Where the run's time went: writing the feeds and starting the origin, then each section that
   * ran. Absent from results written before it was recorded.
   */
  timeSec?: { setup: number; sections: Partial<Record<Section, number>> };
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; node: string; origin: string; newsboat: string | null };
  feeds: { count: number; itemsPerFeed: number; items: number; bytes: number };
  /** sfeed is absent from results written before it was measured. */
  parse?: { generated: ParseFigures; corpus: ParseFigures | { skipped: string }; sfeed?: SfeedResult };
  ingest?: IngestFigures;
  peer?: PeerResult;
  topics?: TopicsFigures;
  serve?: ServeFigures;
  scale?: ScaleFigures;
  /** By profiled process: 'ingest' (the first ingest) and 'serve' (the app under load). */
  profile?: Record<string, ProfileSummary>;
  errors: Record<string, string>;
  targets: TargetCheck[];
}

export interface ProfileSummary {
  /** Share of the process's wall time spent working (not idle). */
  busy: number;
  self: ProfileEntry[];
  inclusive: ProfileEntry[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const dec = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const secs = (ms: number) => (ms >= 10_000 ? `${dec(ms / 1000, 1)} s` : ms >= 1000 ? `${dec(ms / 1000, 2)} s` : `${dec(ms, 0)} ms`);
const times = (n: number) => `${dec(n, n < 10 ? 2 : 1)}×`;
const pct = (n: number) => `${dec(n * 100, 0)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function hasPeer(peer: PeerResult | undefined): peer is Exclude<PeerResult, { skipped: string }> {
  return peer !== undefined && !('skipped' in peer);
}

/**
 * A target's figure, rounded to `digits`, but never across the threshold: when the rounded figure
 * would meet the target and the measured one does not (34.6% of a 35% target shown as "35%"), or
 * the reverse (4.996 ms of a 5 ms limit as "5.00"), it is shown one step lower. Thresholds sit
 * on the rounding grid, so one step is always enough.
 */
export function shownAgainst(value: number, digits: number, meets: (figure: number) => boolean): string {
  if (!Number.isFinite(value)) return 'n/a';
  const rounded = Number(value.toFixed(digits));
  const shown = meets(rounded) === meets(value) ? rounded : rounded - 10 ** -digits;
  return shown.toFixed(digits);
}

export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (target: string, value: number, measured: string, met: boolean) => {
    if (Number.isFinite(value)) checks.push({ target, measured, met });
  };
  const { ingest, peer, parse, serve, scale, topics } = r;
  const timesAtLeast = (n: number, least: number) => `${shownAgainst(n, n < 10 ? 2 : 1, (x) => x >= least)}×`;
  const pctAtLeast = (share: number, least: number) => `${shownAgainst(share * 100, 0, (x) => x >= least * 100)}%`;
  const msUnder = (ms: number, limit: number) => `${shownAgainst(ms, 2, (x) => x < limit)} ms`;
  const secsUnder = (ms: number, limitMs: number) => (ms < 1000 ? secs(ms) : `${shownAgainst(ms / 1000, 2, (x) => x < limitMs / 1000)} s`);
  if (ingest && hasPeer(peer)) {
    const first = ingest.first.itemsPerSec / peer.first.itemsPerSec;
    add('first ingest ≥ 3× newsboat items/s', first, timesAtLeast(first, 3), first >= 3);
    const r304 = peer.reload304.ms / ingest.reload304.ms;
    add('unchanged re-ingest (304) ≥ 25× faster than newsboat', r304, timesAtLeast(r304, 25), r304 >= 25);
    const full = peer.reloadFull.ms / ingest.reloadFull.ms;
    add('unchanged re-ingest (full bodies) ≥ 25× faster than newsboat', full, timesAtLeast(full, 25), full >= 25);
  }
  if (ingest) {
    add('unchanged re-ingest (304) under 2 s', ingest.reload304.ms, secsUnder(ingest.reload304.ms, 2000), ingest.reload304.ms < 2000);
    add('unchanged re-ingest (full bodies) under 4 s', ingest.reloadFull.ms, secsUnder(ingest.reloadFull.ms, 4000), ingest.reloadFull.ms < 4000);
    add('peak RSS during ingest < 300 MB', ingest.first.peakRssMB, `${shownAgainst(ingest.first.peakRssMB, 0, (x) => x < 300)} MB`, ingest.first.peakRssMB < 300);
  }
  // Against the floor taken beside each first load where there is one, else the parse section's.
  const share = ingest?.first.floor ? ingest.first.floor.ratio : ingest && parse ? ingest.first.itemsPerSec / parse.generated.rawXml.itemsPerSec : Number.NaN;
  add('end-to-end ingest ≥ 35% of raw XML parse items/s', share, pctAtLeast(share, 0.35), share >= 0.35);
  if (topics) add(`ingest with ${topics.topics} topics ≥ 80% of 1 topic`, topics.ratio, pctAtLeast(topics.ratio, 0.8), topics.ratio >= 0.8);
  if (serve) add('topic feed ≥ 60% of bare node:http requests/s', serve.ratio, pctAtLeast(serve.ratio, 0.6), serve.ratio >= 0.6);
  if (scale) {
    add(`topic feed p99 < 5 ms at ${int(scale.items)} items (cached)`, scale.topicFeedWarm.p99Ms, msUnder(scale.topicFeedWarm.p99Ms, 5), scale.topicFeedWarm.p99Ms < 5);
    add(`topic feed p99 < 5 ms at ${int(scale.items)} items (rendered, entries kept)`, scale.topicFeedCold.p99Ms, msUnder(scale.topicFeedCold.p99Ms, 5), scale.topicFeedCold.p99Ms < 5);
    add(`topic feed p99 < 5 ms at ${int(scale.items)} items (rendered from scratch)`, scale.topicFeedScratch.p99Ms, msUnder(scale.topicFeedScratch.p99Ms, 5), scale.topicFeedScratch.p99Ms < 5);
  }
  if (r.options?.asPreset) {
    // What took a long run long: newsboat's passes take what they take, and a scale database
    // built in the run (none kept from an earlier one) is time the budgets leave out.
    const limitSec = r.options.timeLimitSec;
    const peerSec = r.timeSec?.sections.peer;
    const because = [peerSec === undefined ? null : `newsboat's passes ${dec(peerSec)} s`,
      scale && !scale.fill.reused ? `the scale database built in it, ${dec(scale.fill.ms / 1000)} s` : null].filter((part) => part !== null);
    add(`${r.options.preset} run under ${limitSec / 60} minutes`, r.durationSec,
      `${shownAgainst(r.durationSec, 1, (x) => x < limitSec)} s${because.length > 0 ? ` (${because.join('; ')})` : ''}`, r.durationSec < limitSec);
  }
  return checks;
}

function parseSection(r: NonNullable<BenchResults['parse']>): string {
  const row = (label: string, p: ParseFigures) => [label, `${p.documents} / ${int(p.items)} / ${dec(p.bytes / 1e6)} MB`,
    `${int(p.ingestParse.itemsPerSec)} items/s, ${dec(p.ingestParse.mbPerSec)} MB/s`,
    `${int(p.rawXml.itemsPerSec)} items/s, ${dec(p.rawXml.mbPerSec)} MB/s`, pct(p.ratioToFloor), `${p.runs} × ${p.rawByCpu.length}`];
  const rows = [row('generated', r.generated)];
  if ('skipped' in r.corpus) rows.push(['corpus', r.corpus.skipped, '', '', '', '']);
  else rows.push(row('real-world corpus', r.corpus));
  const cpus = r.generated.rawByCpu.map(({ cpu, itemsPerSec }) => `${cpu === null ? 'unpinned' : `CPU ${cpu}`} ${int(itemsPerSec)}`).join(', ');
  const together = r.generated.rawTogether;
  const atOnce = together ? `; on every CPU at once ${together.itemsPerSec.map(int).join(' + ')}, ${dec(together.scaling, 2)}× one CPU alone` : '';
  return `PARSE (one core: each parser in a process of its own, on each CPU in turn; figures are the mean over CPUs)
${table(['input', 'docs / items / size', 'ingest parse step', 'raw XML parser (floor)', 'parse ÷ floor', 'passes × CPUs'], rows)}
floor on the generated feeds by CPU, items/s: ${cpus}${atOnce}${r.sfeed ? `\n${sfeedLine(r.sfeed, r.generated)}` : ''}`;
}

function sfeedLine(sfeed: SfeedResult, generated: ParseFigures): string {
  if ('skipped' in sfeed) return `native parse floor: ${sfeed.skipped}`;
  const cpus = sfeed.byCpu.map(({ cpu, itemsPerSec }) => `${cpu === null ? 'unpinned' : `CPU ${cpu}`} ${int(itemsPerSec)}`).join(', ');
  return `native parse floor, ${sfeed.version} (C) on the same generated feeds: ${int(sfeed.rate.itemsPerSec)} items/s, ${dec(sfeed.rate.mbPerSec)} MB/s (${cpus}; its process's start, ${dec(sfeed.startMs)} ms, taken out); the raw XML floor is ${pct(generated.rawXml.itemsPerSec / sfeed.rate.itemsPerSec)} of it
  sfeed a process a feed, each start included: ${int(sfeed.perDocument.itemsPerSec)} items/s, ${dec(sfeed.perDocument.mbPerSec)} MB/s; the raw XML floor is ${pct(generated.rawXml.itemsPerSec / sfeed.perDocument.itemsPerSec)} of it`;
}

/**
 * "387 µs per item (main thread 162 µs, busiest other thread 175 µs); waiting for a core 61 µs per
 * item (main thread 30 µs); the busiest other thread ran 72% of the load, waited for a core 12%,
 * idle 16%"
 */
export function cpuLine(cpu: CpuPerItem): string {
  const threads = [
    cpu.mainThread === null ? null : `main thread ${int(cpu.mainThread)} µs`,
    cpu.busiestOtherThread === null ? null : `busiest other thread ${int(cpu.busiestOtherThread)} µs`,
  ].filter((part) => part !== null);
  const waiting = cpu.waitingForCore === null ? ''
    : `; waiting for a core ${int(cpu.waitingForCore.all)} µs per item (main thread ${int(cpu.waitingForCore.mainThread)} µs)`;
  const shares = cpu.busiestOtherThreadShares;
  const worker = shares === null ? ''
    : `; the busiest other thread ran ${pct(shares.running)} of the load, waited for a core ${pct(shares.waiting)}, idle ${pct(shares.idle)}`;
  return `${int(cpu.all)} µs per item${threads.length > 0 ? ` (${threads.join(', ')})` : ''}${waiting}${worker}`;
}

function ingestSection(i: IngestFigures, peer: PeerResult | undefined, sfeed: SfeedFigures | null): string {
  const nb = hasPeer(peer) ? peer : null;
  const rows = [
    ['first load', `${secs(i.first.ms)} (${int(i.first.itemsPerSec)} items/s, ${dec(i.first.mbPerSec)} MB/s)`,
      nb ? `${secs(nb.first.ms)} (${int(nb.first.itemsPerSec)} items/s)` : '-', nb ? times(i.first.itemsPerSec / nb.first.itemsPerSec) : '-'],
    ['unchanged, server answers 304', secs(i.reload304.ms), nb ? `${secs(nb.reload304.ms)} (3rd run)` : '-', nb ? times(nb.reload304.ms / i.reload304.ms) : '-'],
    ['unchanged, full bodies', secs(i.reloadFull.ms), nb ? `${secs(nb.reloadFull.ms)} (2nd run)` : '-', nb ? times(nb.reloadFull.ms / i.reloadFull.ms) : '-'],
  ];
  const changed = i.reloadChanged;
  // newsboat has no content hash: a poll of changed bodies costs it at least its full-body reload.
  if (changed) {
    rows.push([`${changed.newEntries} new entries a feed (a later poll)`,
      `${secs(changed.ms)} (${int(changed.itemsStored)} items stored, CPU ${secs(changed.cpuMs)})`,
      nb ? `${secs(nb.reloadFull.ms)} (2nd run, every body, none new)` : '-', nb ? times(nb.reloadFull.ms / changed.ms) : '-']);
  }
  const peerLine = peer === undefined ? 'peer: not run' : 'skipped' in peer ? `peer: ${peer.skipped}` : `peer: ${peer.version}, reload-threads ${peer.reloadThreads}, ${peer.runs} run(s), ${int(peer.itemsStored)} items stored`;
  return `INGEST END TO END (${int(i.feeds)} feeds, ${int(i.items)} items, ${dec(i.bytes / 1e6, 0)} MB, ${i.topics} topics, concurrency ${i.concurrency}, origin ${i.origin} in its own process)
${table(['pass', 'feedsieve', 'newsboat', 'feedsieve advantage'], rows)}
${i.first.floor ? `floor beside the first loads (before each and after the last), items/s: ${i.first.floor.itemsPerSec.map(int).join(', ')}; end to end ÷ floor ${dec(i.first.floor.ratio * 100)}% (median of runs)\n` : ''}${sfeed ? `end to end ÷ ${sfeed.version}'s items/s in the parse section (not a target): ${dec((i.first.itemsPerSec / sfeed.rate.itemsPerSec) * 100)}%\n` : ''}peak RSS ${int(i.first.peakRssMB)} MB; CPU ${cpuLine(i.first.cpuUsPerItem)}; ${dec(i.matchesPerItem)} topic matches per item; first-load runs ${i.runs}, reload runs ${i.reload304.runs}/${i.reloadFull.runs}${changed ? `/${changed.runs}` : ''}
${peerLine}${[...i.problems, ...(nb?.problems ?? [])].map((p) => `\n  ! ${p}`).join('')}`;
}

function topicsSection(t: TopicsFigures): string {
  return `TOPICS (first ingest of ${t.feeds} feeds, ${int(t.items)} items; runs ${t.runs})
${table(['topics', 'time', 'items/s'], [
    ['1', secs(t.oneTopic.ms), int(t.oneTopic.itemsPerSec)],
    [String(t.topics), secs(t.manyTopics.ms), int(t.manyTopics.itemsPerSec)],
    [`${t.topics} ÷ 1`, '', pct(t.ratio)],
  ])}
${t.topics} ÷ 1 run by run: ${t.runRatios.map(pct).join(', ')}; the median of these is the ratio`;
}

function serveSection(s: ServeFigures): string {
  const row = (label: string, l: ServeFigures['topicFeed']) => [label, int(l.requestsPerSec), `${l.p50Ms} ms`, `${l.p99Ms} ms`,
    l.serverCpuUsPerRequest === null ? '-' : `${int(l.serverCpuUsPerRequest)} µs`, `${int(l.clientCpuPercent)}%`, String(l.errors + l.non2xx)];
  return `SERVE (autocannon, ${s.connections} connections × ${s.durationSec} s a side a run, ${int(s.bodyBytes)}-byte body with ${s.items} items; runs ${s.runs}, in ${s.slices} pairs of ${SLICE_SEC}-s slices taken in turn)
${table(['server', 'requests/s', 'p50', 'p99', 'server CPU a request', 'load generator CPU', 'errors'], [
    row(`${s.path} (warm)`, s.topicFeed), row('bare node:http, same bytes', s.bareHttp),
    ['ratio', pct(s.ratio), '', '', s.cpuRatio === null ? '' : pct(s.cpuRatio), '', '']])}
each side's row: medians over its slices; ratios: the median of the pairs' (${s.pairRatios.map(pct).join(', ')})
a load generator near 100% of its core limits both servers' requests/s; the server CPU a request is free of that limit
/api/items?q=${s.search.query}: p50 ${dec(s.search.p50Ms, 2)} ms, p99 ${dec(s.search.p99Ms, 2)} ms (${s.search.requests} sequential requests)`;
}

function scaleSection(s: ScaleFigures): string {
  const lat = (l: ScaleFigures['topicFeedWarm']) => [`${dec(l.p50Ms, 2)} ms`, `${dec(l.p99Ms, 2)} ms`,
    l.server ? `${dec(l.server.p50Ms, 2)} ms` : '-', l.server ? `${dec(l.server.p99Ms, 2)} ms` : '-',
    l.server ? `${dec(l.server.cpuMsPerRequest, 2)} ms` : '-', `${int(l.warmupRequests ?? 0)} + ${int(l.requests)}`];
  const vsEmpty = ` (same feeds into an empty database: ${int(s.ingest.emptyDatabaseItemsPerSec)} items/s, ratio ${pct(s.ingest.itemsPerSec / s.ingest.emptyDatabaseItemsPerSec)})`;
  return `SCALE (${int(s.items)} items, database ${int(s.databaseMB)} MB; filled through the store at ${int(s.fill.itemsPerSec)} items/s${s.fill.reused ? ', reused from an earlier run' : ''})
${table(['request', 'p50', 'p99', 'server p50', 'server p99', 'server CPU', 'warm-up + timed requests'], [
    ['/topics/nato.rss, cached', ...lat(s.topicFeedWarm)],
    ['bare node:http, same bytes', ...lat(s.bareFeed)],
    ['/topics/nato.rss, rendered each time, entries kept', ...lat(s.topicFeedCold)],
    ['/topics/nato.rss, rendered each time from scratch', ...lat(s.topicFeedScratch)],
    ['/topics/nato.rss, cached, asked with gzip', ...lat(s.gzip.topicFeedWarm)],
    ['/topics/nato.rss, rendered and compressed each time', ...lat(s.gzip.topicFeedCold)],
    ['/api/items?topic=nato', ...lat(s.apiItemsByTopic)],
    ['/api/items?since= the newest item (a poll)', ...lat(s.apiItemsSince)],
  ])}
ingest at this size: ${s.ingest.feeds} new feeds, ${int(s.ingest.items)} items in ${secs(s.ingest.ms)} = ${int(s.ingest.itemsPerSec)} items/s${vsEmpty}`;
}

function profileSection(name: string, p: ProfileSummary): string {
  const rows = (entries: ProfileEntry[]) => entries.map((e) => [e.where, `${dec(e.selfPercent)}%`, `${dec(e.totalPercent)}%`]);
  return `PROFILE: ${name} process (--cpu-prof; busy ${pct(p.busy)} of its time; shares below are of busy time), by self time
${table(['function', 'self', 'inclusive'], rows(p.self))}
project functions by inclusive time
${table(['function', 'self', 'inclusive'], rows(p.inclusive))}`;
}

/**
 * Why the targets table of a run at other sizes than the targets' is no verdict, or null. At 60
 * feeds newsboat ran 3,400-5,000 items/s against 1,170-1,520 at 1,000 (its cost per item grows with
 * its cache), and a load of a second is mostly the service's start: the ratios move with the size.
 */
export function targetSizeNote(options: Pick<BenchOptions, 'feeds' | 'items' | 'topics'>): string | null {
  const { feeds, items, topics } = options;
  if (feeds === TARGET_SIZES.feeds && items === TARGET_SIZES.items && topics === TARGET_SIZES.topics) return null;
  const sizes = (s: { feeds: number; items: number; topics: number }) => `${int(s.feeds)} feeds × ${int(s.items)} items and ${int(s.topics)} topics`;
  return `the targets are set at ${sizes(TARGET_SIZES)}; this run has ${sizes(options)}, and its ratios against newsboat and the floor move with the size`;
}

function timeLine(time: NonNullable<BenchResults['timeSec']>): string {
  const sections = Object.entries(time.sections).map(([section, sec]) => `${section === 'peer' ? 'newsboat' : section} ${dec(sec)} s`);
  return `time by part: ${[`writing the feeds and starting the origin ${dec(time.setup)} s`, ...sections].join(', ')}`;
}

export function formatReport(r: BenchResults): string {
  const parts = [`feedsieve bench (${r.options.preset}${r.options.preset === 'default' ? '' : ' preset'}): ${r.machine.cpus} × ${r.machine.cpuModel}, node ${r.machine.node}; ${int(r.feeds.count)} feeds × ${r.feeds.itemsPerFeed} items${r.options.typographic ? ' of typographic text' : ''}; ${secs(r.durationSec * 1000)} total${r.timeSec ? `\n${timeLine(r.timeSec)}` : ''}`];
  if (r.parse) parts.push(parseSection(r.parse));
  const sfeed = r.parse?.sfeed && !('skipped' in r.parse.sfeed) ? r.parse.sfeed : null;
  if (r.ingest) parts.push(ingestSection(r.ingest, r.peer, sfeed));
  else if (r.peer && hasPeer(r.peer)) parts.push(`PEER newsboat: first ${secs(r.peer.first.ms)}, 304 ${secs(r.peer.reload304.ms)}, full ${secs(r.peer.reloadFull.ms)}`);
  if (r.topics) parts.push(topicsSection(r.topics));
  if (r.serve) parts.push(serveSection(r.serve));
  if (r.scale) parts.push(scaleSection(r.scale));
  for (const [name, profile] of Object.entries(r.profile ?? {})) parts.push(profileSection(name, profile));
  for (const [section, message] of Object.entries(r.errors)) parts.push(`${section.toUpperCase()} FAILED: ${message}`);
  if (r.targets.length > 0) {
    const note = targetSizeNote(r.options);
    parts.push(`TARGETS${note ? ` (${note})` : ''}\n${table(['target', 'measured', 'met'], r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']))}`);
  }
  return parts.join('\n\n');
}
