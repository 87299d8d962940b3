import { parseArgs } from 'node:util';

export const SECTIONS = ['parse', 'ingest', 'peer', 'topics', 'serve', 'scale'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  preset: 'quick' | 'default';
  feeds: number;
  items: number;
  topics: number;
  scaleItems: number;
  repeat: number;
  peer: boolean;
  only: Section[];
  concurrency: number;
  /** Feeds the parse section parses, and the ingest section's floor (a sample of the generated set). */
  parseFeeds: number;
  /** Timed passes over the documents in each parser process (after one untimed pass); the median counts. */
  parsePasses: number;
  /** Feeds ingested twice (1 topic, all topics) by the topics section. */
  topicFeeds: number;
  /** Feeds ingested into the scale database. */
  scaleIngestFeeds: number;
  serveSeconds: number;
  connections: number;
  latencyRequests: number;
  /**
   * Before each latency row of the scale section, the server answers the same request unmeasured
   * for up to this long (LATENCY_WARMUP_REQUESTS at most): a fresh server's first few thousand
   * rendered pages run while V8 still optimizes its code on the other core.
   */
  latencyWarmupSec: number;
  /** Per-section time budgets: a section stops repeating once another run would overrun it. */
  budgetSec: { ingest: number; peer: number; topics: number; serve: number };
  /**
   * The whole run's: the sections after the peer (ingest, topics, serve) repeat only while what is
   * left of it, less the scale section's share, allows; each runs at least once.
   */
  totalBudgetSec: number;
  /** What the preset promises a whole run takes: under 10 minutes for the default, 2 for --quick. */
  timeLimitSec: number;
  /**
   * The run is its preset as it stands: every section, the preset's sizes, repeats and durations,
   * nothing profiled or rebuilt on request. Only such a run is held to `timeLimitSec`.
   */
  asPreset: boolean;
  profile: boolean;
  /** The generated text with news's typography (generate.ts's typeset) instead of ASCII. */
  typographic: boolean;
  origin: 'nginx' | 'node' | undefined;
  freshScale: boolean;
  workDir: string | undefined;
  out: string | undefined;
  corpus: string | undefined;
}

/** Flags that change what a run does or how long it takes; any of them makes it other than its preset. */
const UNLIKE_PRESET = ['feeds', 'items', 'topics', 'topic-feeds', 'scale-items', 'repeat', 'concurrency', 'no-peer', 'serve-seconds',
  'latency-warmup', 'profile', 'fresh-scale'] as const;

/** The sizes the targets are set at: the default preset's. */
export const TARGET_SIZES = { feeds: 1000, items: 50, topics: 1000 } as const;

const PRESETS: Record<BenchOptions['preset'], Omit<BenchOptions, 'preset' | 'asPreset' | 'peer' | 'only' | 'profile' | 'typographic' | 'origin' | 'freshScale' | 'workDir' | 'out' | 'corpus'>> = {
  default: {
    ...TARGET_SIZES, scaleItems: 1_000_000, repeat: 3, concurrency: 8,
    parseFeeds: 50, parsePasses: 5, topicFeeds: 100, scaleIngestFeeds: 20, serveSeconds: 5, connections: 10, latencyRequests: 200,
    latencyWarmupSec: 3,
    budgetSec: { ingest: 150, peer: 240, topics: 60, serve: 60 },
    totalBudgetSec: 570,
    timeLimitSec: 600,
  },
  quick: {
    feeds: 60, items: 50, topics: 1000, scaleItems: 50_000, repeat: 2, concurrency: 8,
    parseFeeds: 20, parsePasses: 3, topicFeeds: 20, scaleIngestFeeds: 10, serveSeconds: 2, connections: 10, latencyRequests: 100,
    latencyWarmupSec: 1,
    budgetSec: { ingest: 25, peer: 25, topics: 15, serve: 12 },
    totalBudgetSec: 110,
    timeLimitSec: 120,
  },
};

export const USAGE = `npm run bench -- [options]
  --quick               small preset: 60 feeds, 50,000-item scale database (under 2 minutes)
  --feeds N --items N   generated feeds and items per feed (default 1000 x 50)
  --topics N            topic queries for ingest (default 1000)
  --topic-feeds N       feeds the topics section ingests with 1 topic and with all (default 100, 20
                        with --quick; at most --feeds): fewer than ingest's, to keep the run short,
                        though the costs both sides pay once per load weigh more in fewer feeds
  --scale-items N       items in the scale database (default 1000000)
  --repeat N            runs per figure, median reported (default 3; sections stop early past their time budget)
  --concurrency N       feedsieve ingest concurrency = newsboat reload-threads (default 8)
  --no-peer             skip newsboat
  --only a,b            sections: ${SECTIONS.join(', ')}
  --serve-seconds N     autocannon duration per run (default 5)
  --latency-warmup SEC  unmeasured requests before each scale latency row, for up to SEC seconds
                        (default 3; 0 for none)
  --profile             --cpu-prof a first ingest run apart for it (its figures not reported), the
                        app serving the cached feed and the one rendering it at scale; print their
                        top costs
  --typographic         write the generated text as news does: ’ in possessives, “ ” quotes, — dashes
                        and accented names (~34 such characters an item); the floor parses the same
                        feeds (default: ASCII text)
  --origin nginx|node   force the origin server (default: nginx when installed)
  --fresh-scale         rebuild the scale database even if one with the same parameters exists
  --work DIR --out FILE work directory (bench/.work) and results file (bench/results.json)
  --corpus DIR          real-world feeds (../shared/corpus)`;

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new Error(`--${name} must be a number of seconds, 0 or more, got "${value}"`);
  return number;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return number;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' }, feeds: { type: 'string' }, items: { type: 'string' }, topics: { type: 'string' },
      'topic-feeds': { type: 'string' },
      'scale-items': { type: 'string' }, repeat: { type: 'string' }, concurrency: { type: 'string' },
      'no-peer': { type: 'boolean' }, only: { type: 'string' }, 'serve-seconds': { type: 'string' },
      'latency-warmup': { type: 'string' }, profile: { type: 'boolean' }, typographic: { type: 'boolean' },
      origin: { type: 'string' }, 'fresh-scale': { type: 'boolean' },
      work: { type: 'string' }, out: { type: 'string' }, corpus: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const preset = values.quick ? 'quick' : 'default';
  const base = PRESETS[preset];
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [...SECTIONS];
  for (const section of only) if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only: unknown section "${section}"\n${USAGE}`);
  if (values.origin !== undefined && values.origin !== 'nginx' && values.origin !== 'node') throw new Error('--origin must be nginx or node');
  const feeds = positive('feeds', values.feeds, base.feeds);
  return {
    ...base,
    preset,
    asPreset: UNLIKE_PRESET.every((flag) => values[flag] === undefined) && SECTIONS.every((section) => only.includes(section)),
    feeds,
    items: positive('items', values.items, base.items),
    topics: positive('topics', values.topics, base.topics),
    scaleItems: positive('scale-items', values['scale-items'], base.scaleItems),
    repeat: positive('repeat', values.repeat, base.repeat),
    concurrency: positive('concurrency', values.concurrency, base.concurrency),
    serveSeconds: positive('serve-seconds', values['serve-seconds'], base.serveSeconds),
    latencyWarmupSec: seconds('latency-warmup', values['latency-warmup'], base.latencyWarmupSec),
    parseFeeds: Math.min(feeds, base.parseFeeds),
    topicFeeds: Math.min(feeds, positive('topic-feeds', values['topic-feeds'], base.topicFeeds)),
    scaleIngestFeeds: Math.min(feeds, base.scaleIngestFeeds),
    peer: !values['no-peer'],
    only: only as Section[],
    profile: values.profile ?? false,
    typographic: values.typographic ?? false,
    origin: values.origin as BenchOptions['origin'],
    freshScale: values['fresh-scale'] ?? false,
    workDir: values.work,
    out: values.out,
    corpus: values.corpus,
  };
}
