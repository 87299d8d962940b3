import { createServer, type RequestListener, type Server } from 'node:http';
import { schedule as scheduleCron, type ScheduledTask } from 'node-cron';
import type { Config } from './config.js';
import { configChanges } from './config-changes.js';
import { createApp, createListener } from './http/app.js';
import type { AppDeps } from './http/deps.js';
import { createFeedCache, type FeedCache } from './http/feed-cache.js';
import { feedRenderer } from './http/feed-render.js';
import { hubFeeds } from './http/hub.js';
import { createSearchBudget } from './http/search-budget.js';
import { holdHubSending } from './hub-sending.js';
import { discoverFeed } from './ingest/discover.js';
import { fetchFeed } from './ingest/fetch.js';
import { defaultPreparer } from './ingest/prepare-pool.js';
import { type RefreshDeps, type RefreshReport } from './ingest/refresh.js';
import { ingestFeeds } from './ingest/run.js';
import { backfillTopic, createTopicRegistry, type BackfillProgress, type TopicRegistry } from './ingest/topic-registry.js';
import { createWebSubSubscriber, type WebSubSubscriber } from './ingest/websub-subscriber.js';
import { leaseHeld, leaseHolderName, takeLease } from './leases.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { FeedRecord } from './model.js';
import { oneAtATime } from './one-at-a-time.js';
import { isSameStoredStory, STORY_WINDOW_HOURS, STORY_MIN_SHARED_KEYS } from './stories/fingerprint.js';
import type { Progress } from './progress.js';
import { type FeedMove, openStore, type Store } from './store/index.js';
import { renameChangesMatches } from './topics/feed-rename.js';
import { type ChangedFeeds, createWebSubPublisher, everyTopicSlug } from './websub.js';
import { createHub, type Hub, hubUrl } from './websub-hub.js';

export const USER_AGENT = 'feedsieve/0.1 (+https://github.com/feedsieve/feedsieve; self-hosted feed aggregator)';

/** A deleted topic's matches taken out at a time: a batch took 9-100 ms (median 18) at 1,000,000 items. */
const SWEEP_BATCH = 1000;

/** How long an ingest lease lasts without renewal: a crashed holder blocks others at most this long. */
const LEASE_TTL_MS = 60_000;
/** How often serve looks whether another process's pass has ended, while one holds the ingest lease. */
const LEASE_WATCH_MS = 1000;

export type IngestPass =
  /**
   * `rematched`: topics matched again after the pass, for feeds it renamed (rematchRenamedFeeds);
   * `changed`: the service's feeds the pass changed, which server.websubHub was told of.
   */
  | { status: 'done'; reports: RefreshReport[]; rematched: string[]; changed: ChangedFeeds }
  | { status: 'busy'; holder: string };

/** Storage, topics and ingest wired together: what every command needs. */
export interface Core {
  config: Config;
  log: Logger;
  store: Store;
  topics: TopicRegistry;
  refreshDeps: RefreshDeps;
  /** Subscriptions to the hubs feeds name; null unless ingest.websub.subscribe is on. */
  websub: WebSubSubscriber | null;
  /**
   * One ingest pass over `feeds` (all due ones by default) under the database's ingest lease, so
   * two processes never fetch the same feed at once. Reports go to the log and `onReport`.
   */
  ingest(feeds?: FeedRecord[], onReport?: (report: RefreshReport) => void, signal?: AbortSignal): Promise<IngestPass>;
  backfill(slug: string, query: string, onProgress?: (progress: BackfillProgress) => void): Promise<BackfillProgress>;
  /**
   * Matches again the topics whose `feed:` terms read differently since a feed was renamed (by an
   * operator, a config file or the feed's own document), and returns their slugs once matched.
   */
  rematchRenamedFeeds(): Promise<string[]>;
  /**
   * Takes deleted topics' matches out of the stored items, a batch at a time with the thread's
   * other work between batches; resolves once none is left, a deletion made meanwhile included.
   */
  sweepDeletedTopics(): Promise<void>;
  /** Deletes items past retention.maxAgeDays (pinned topics keep theirs), and forgets deletions as old. */
  expire(): Promise<number>;
  /**
   * Mirrors a config's feeds and topics into the database, as at a start: new ones added,
   * removed ones deleted, a changed query matched anew. The core's other settings stay as started.
   * Returns the feeds the file gave another URL that kept their items, and the service's feeds
   * that changed (server.websubHub is told of them).
   */
  applyConfig(next: Config): Promise<{ moves: FeedMove[]; changed: ChangedFeeds }>;
  /** Tells server.websubHub, when one is set, that these feeds changed; a hub that fails is logged, not thrown. */
  publish(changed: ChangedFeeds): Promise<void>;
  close(): Promise<void>;
}

export interface CoreOptions {
  now?: () => Date;
  /** How long jobs (topic backfills) report progress; default: a log line per batch. */
  progress?: (label: string, total: number) => Progress;
}

export async function openCore(config: Config, log: Logger, options: CoreOptions = {}): Promise<Core> {
  for (const warning of config.warnings) log.warn({ config: config.path }, warning);
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? ((label: string, total: number): Progress => ({
    update: (done, detail) => log.info({ job: label, done, total, detail }, 'progress'),
    stop: () => {},
  }));
  const store = openStore(config.database, { backgroundCheckpoints: true, stories: { isSameStory: isSameStoredStory, windowHours: STORY_WINDOW_HOURS, minSharedKeys: STORY_MIN_SHARED_KEYS } });
  if (store.restoredFromBackup) {
    log.warn({ database: config.database, databaseId: await store.databaseId() },
      'the database is a backup, opened as a database for the first time: it starts a history of its own, and followers that send their databaseId go on from its newest item and edit');
  }
  /** Mirrors a config's feeds and topics into the database; a new or changed query is marked to be matched. */
  const mirror = async (source: Config): Promise<FeedMove[]> => {
    const moves = await store.syncConfigFeeds(source.feeds, now());
    await store.syncConfigTopics(source.topics, now());
    return moves;
  };
  await mirror(config);
  const topics = await createTopicRegistry(store, log);
  const preparer = defaultPreparer({ maxBodyBytes: config.ingest.maxBytes });
  const leaseHolder = leaseHolderName();
  const backfills = new Map<string, { query: string; done: Promise<BackfillProgress> }>();
  let sweeping: Promise<void> | null = null;
  let sweepAsked = false;
  let closing = false;
  const hub = config.server.websubHub
    ? createWebSubPublisher(config.server.websubHub, config.server.baseUrl, log, everyTopicSlug(store), store)
    : null;
  const refreshDeps: RefreshDeps = {
    store,
    now,
    fetch: fetchFeed,
    preparer,
    topics: () => topics.snapshot(),
    adoptTopics: (definitions) => topics.adopt(definitions),
    fetchLimits: {
      timeoutMs: config.ingest.timeoutMs,
      connectTimeoutMs: config.ingest.connectTimeoutMs,
      maxBytes: config.ingest.maxBytes,
      maxRedirects: 5,
      allowPrivateAddresses: config.ingest.allowPrivateAddresses,
      userAgent: USER_AGENT,
    },
    schedule: {
      minIntervalMinutes: config.ingest.minIntervalMinutes,
      maxIntervalMinutes: config.ingest.maxIntervalMinutes,
      maxBackoffMinutes: config.ingest.maxBackoffMinutes,
    },
    hubs: config.ingest.websub.subscribe
      ? { minFetchSeconds: config.ingest.websub.minFetchSeconds, trustedPollMinutes: config.ingest.websub.trustedPollMinutes }
      : null,
  };

  const { websub: websubSettings } = config.ingest;
  const websub = websubSettings.subscribe
    ? createWebSubSubscriber(store, {
      baseUrl: config.server.baseUrl, leaseSeconds: websubSettings.leaseSeconds, minFetchSeconds: websubSettings.minFetchSeconds,
      limits: refreshDeps.fetchLimits,
    }, log, now)
    : null;

  const core: Core = {
    config, log, store, topics, refreshDeps, websub,
    async ingest(feeds, onReport, signal) {
      if (!(await takeLease(store, 'ingest', leaseHolder, LEASE_TTL_MS, now(), log))) {
        return { status: 'busy', holder: (await store.leaseHolder('ingest', now())) ?? 'another process' };
      }
      const renew = setInterval(() => void store.acquireLease('ingest', leaseHolder, LEASE_TTL_MS, now()), LEASE_TTL_MS / 3);
      let reports: RefreshReport[];
      try {
        // A topic another process stored (a `feedsieve ingest` run with a config that adds or edits
        // one, while `serve` runs) is matched from this pass on.
        await topics.refresh();
        const targets = feeds ?? (await store.dueFeeds(now()));
        reports = await ingestFeeds(refreshDeps, targets, {
          concurrency: config.ingest.concurrency,
          perHostConcurrency: config.ingest.perHostConcurrency,
          signal,
          onReport: (report) => {
            const { feedId, url, status, inserted, updated, unchanged, durationMs, error, hubChange } = report;
            // Only where a hub watches the feed: a change it had not announced says what it is worth.
            log.info({ feedId, url, status, inserted, updated, unchanged, durationMs, error, ...(hubChange ? { hubChange } : {}) }, 'feed fetched');
            onReport?.(report);
          },
        });
      } finally {
        clearInterval(renew);
        await store.releaseLease('ingest', leaseHolder);
      }
      // A feed's document may have renamed it.
      const rematched = await core.rematchRenamedFeeds();
      const changed: ChangedFeeds = {
        slugs: [...reports.flatMap((report) => report.touchedTopics), ...rematched],
        all: reports.some((report) => report.inserted > 0 || report.updated > 0),
      };
      // One ping per pass, after its items are committed, so the hub fetches the new feeds: from
      // serve's passes and from `feedsieve ingest` runs alike. No feed changed, no ping.
      await core.publish(changed);
      return { status: 'done', reports, rematched, changed };
    },
    async backfill(slug, query, onProgress) {
      // A reload while a topic's backfill runs finds it still due: it waits for that run. A run a
      // restart overtook (a feed renamed) leaves the topic due under the same query: then it goes again.
      for (let under = backfills.get(slug); under?.query === query; under = backfills.get(slug)) {
        const result = await under.done;
        const state = await store.topicBackfill(slug);
        if (!result.overtaken || state?.query !== query || state.mark === null) return result;
        if (backfills.get(slug) === under) backfills.delete(slug);
      }
      const done = (async () => {
        let bar: Progress | null = null;
        const result = await backfillTopic(store, slug, query, onProgress ?? ((p) => {
          bar ??= progress(`backfill ${slug}`, p.total);
          bar.update(p.done, `${p.matched} matched`);
        }));
        (bar as Progress | null)?.stop();
        log.info({ topic: slug, ...result }, result.overtaken ? 'topic backfill overtaken by an edit' : 'topic backfilled');
        return result;
      })();
      backfills.set(slug, { query, done });
      try {
        return await done;
      } finally {
        if (backfills.get(slug)?.done === done) backfills.delete(slug);
      }
    },
    async rematchRenamedFeeds() {
      const renames = await store.rematchRenamedFeeds((rename, topics) => topics
        .filter((topic) => renameChangesMatches(topic.query, rename.from, rename.to))
        .map((topic) => topic.slug));
      const rematched = [...new Set(renames.flatMap((rename) => rename.topics))].sort();
      if (rematched.length === 0) return [];
      for (const { feedId, from, to, topics: slugs } of renames) {
        if (slugs.length > 0) log.info({ feedId, from, to, topics: slugs }, 'feed renamed; matching its topics again');
      }
      await backfillPending();
      return rematched;
    },
    sweepDeletedTopics() {
      // One sweep at a time; a call while one runs has it look again once through its list.
      sweepAsked = true;
      sweeping ??= (async () => {
        try {
          while (sweepAsked) {
            sweepAsked = false;
            for (const id of await store.deletedTopicIds()) {
              // A sweep cut short is taken up again at the next start.
              for (let done = false; !done && !closing; done = await store.sweepDeletedTopic(id, SWEEP_BATCH)) {
                await new Promise((resolve) => setImmediate(resolve));
              }
              if (closing) return;
              log.info({ topicId: id }, 'deleted topic\'s matches taken out');
            }
          }
        } finally {
          sweeping = null;
        }
      })();
      return sweeping;
    },
    async expire() {
      const cutoff = new Date(now().getTime() - config.retention.maxAgeDays * 86_400_000);
      const deleted = await store.expireItems(cutoff);
      if (deleted > 0) log.info({ deleted, cutoff }, 'expired old items');
      // Deletions are told to followers for as long as items are kept.
      const forgotten = await store.pruneDeletions(config.retention.maxAgeDays);
      if (forgotten > 0) log.info({ forgotten, days: config.retention.maxAgeDays }, 'forgot deletions past retention');
      return deleted;
    },
    async applyConfig(next) {
      const topicsBefore = await store.listTopicRecords();
      const feedsBefore = await store.feedAddresses();
      const moves = await mirror(next);
      await topics.reload();
      const rematched = await core.rematchRenamedFeeds();
      await backfillPending();
      await core.sweepDeletedTopics();
      const changed = configChanges(topicsBefore, await store.listTopicRecords(), feedsBefore, await store.feedAddresses(), rematched);
      await core.publish(changed);
      return { moves, changed };
    },
    async publish(changed) {
      await hub?.publish(changed);
    },
    async close() {
      closing = true;
      // Its batch under way ends first; a failure is its caller's to report.
      await sweeping?.catch(() => undefined);
      await websub?.close();
      hub?.close();
      await preparer.close();
      await store.close();
    },
  };
  /** Matches every topic still due against the stored items: new or changed ones, and those a run cut short. */
  async function backfillPending(): Promise<void> {
    for (const { slug, query } of await store.pendingTopicBackfills()) await core.backfill(slug, query);
  }
  await core.rematchRenamedFeeds();
  await backfillPending();
  // Those of a process that stopped before it was through.
  await core.sweepDeletedTopics();
  return core;
}

export interface SchedulerState {
  alive: boolean;
  lastTickAt: string | null;
}

type AppOptions = {
  metrics?: Metrics | null;
  scheduler?: () => SchedulerState;
  /** A pass over the feeds due by `at` (now by default), then or when the pass under way ends. */
  fetchDue?: (at?: Date) => void;
  /** The service's own WebSub hub (server.hub), where subscribers ask for feeds. */
  hub?: Hub | null;
};

/** What the HTTP layer gets from a core: topic edits recompile, backfill and invalidate; feeds made due are fetched at once. */
function appDeps(core: Core, cache: FeedCache, options: AppOptions): AppDeps {
  const { config, log, store } = core;
  // An edit over the API changes feeds for their subscribers as a pass does, at whichever hub.
  const announce = (changed: ChangedFeeds) => {
    options.hub?.distribute(changed);
    core.publish(changed).catch((error: unknown) => log.error({ err: error }, 'telling the WebSub hub failed'));
  };
  return {
    store, log, now: () => new Date(),
    baseUrl: config.server.baseUrl,
    adminToken: config.adminToken,
    readToken: config.server.readToken ?? null,
    // The hub the feeds name: another one, or the service's own.
    websubHub: config.server.websubHub ?? (config.server.hub.enabled ? hubUrl(config.server.baseUrl) : null),
    hub: options.hub ?? null,
    websub: core.websub,
    maxFeedBytes: config.ingest.maxBytes,
    corsOrigins: config.server.corsOrigins,
    searchBudget: createSearchBudget(config.server.searchMsPerSecond),
    trustProxy: config.server.trustProxy,
    feedMaxAgeSeconds: config.ingest.minIntervalMinutes * 60,
    metrics: options.metrics ?? null,
    discover: (url) => discoverFeed(url, { ...core.refreshDeps.fetchLimits, allowFileUrls: false }),
    scheduler: options.scheduler ?? (() => ({ alive: true, lastTickAt: null })),
    async onTopicChanged(slug, query, feedChanged) {
      await core.topics.reload();
      if (query !== null) await core.backfill(slug, query);
      cache.invalidate([slug]);
      // The topic's feed changed for its subscribers too, or is no more.
      const gone = (await store.getTopic(slug)) === null;
      if (gone) announce({ slugs: [], all: false, gone: [slug] });
      else if (feedChanged) announce({ slugs: [slug], all: false });
      // A deleted topic's page is gone from the cache first: its matches may take seconds.
      await core.sweepDeletedTopics();
    },
    onFeedsDue(at) {
      options.fetchDue?.(at);
    },
    async onFeedChanged() {
      await core.rematchRenamedFeeds();
      // Every topic's page may carry the feed's items, or name it among a story's sources.
      cache.invalidateAll();
      announce({ slugs: 'every', all: true });
    },
  };
}

/** The express app over a core (its routes, for tests that walk them). */
export function buildApp(core: Core, cache: FeedCache, options: AppOptions = {}) {
  return createApp(appDeps(core, cache, options), cache);
}

/** The request listener the server runs: the app, with cached feed polls answered ahead of it. */
export function buildListener(core: Core, cache: FeedCache, options: AppOptions = {}): RequestListener {
  return createListener(appDeps(core, cache, options), cache);
}

export interface Service {
  server: Server;
  cache: FeedCache;
  metrics: Metrics;
  /** Resolves when the start-up ingest pass is done. */
  firstIngest: Promise<unknown>;
  /**
   * Takes a config read again (SIGHUP): its feeds and topics are mirrored, every feed page is
   * rendered anew, the feeds it changed are sent to the hub's subscribers, and a pass fetches the
   * feeds now due, new ones among them. Reloads run one at a time. Returns the feeds given another
   * URL that kept their items.
   */
  reloadConfig(next: Config): Promise<FeedMove[]>;
  stop(): Promise<void>;
}

/** serve: HTTP plus one ingest pass now and then one per cron tick. */
export async function startService(core: Core): Promise<Service> {
  const { config, log, store } = core;
  const cache = createFeedCache();
  const metrics = createMetrics(store);
  const shutdown = new AbortController();
  const scheduler: SchedulerState = { alive: false, lastTickAt: null };

  // A slow pass is never doubled up by the next tick: a tick while it runs joins it.
  const passes = oneAtATime(async () => {
    const tick = new Date();
    scheduler.lastTickAt = tick.toISOString();
    metrics.recordTick(tick);
    const pass = await core.ingest(undefined, (report) => {
      metrics.recordFetch(report);
      if (report.touchedTopics.length > 0 || report.inserted > 0) cache.invalidate(report.touchedTopics);
      // Its hub's word came while it was fetched: the pass after this one would find it not yet due.
      if (report.dueAgainAt !== null) fetchDue(report.dueAgainAt);
    }, shutdown.signal);
    if (pass.status === 'busy') {
      log.info({ holder: pass.holder }, 'another process is ingesting; skipped this tick');
      passAfterOthers();
    } else {
      if (pass.rematched.length > 0) cache.invalidate(pass.rematched);
      if (hubSender?.sends()) {
        hub?.distribute(pass.changed);
        // The pass's items are on their way: once delivered, the logs' marks are kept past them.
        await hubSender.check();
      } else if (pass.rematched.length > 0) {
        // The process that sends reads this pass's items in the logs, not a feed renamed.
        hub?.distribute({ slugs: pass.rematched, all: false });
      }
    }
    if (!shutdown.signal.aborted && (await core.expire()) > 0) cache.invalidateAll();
    // After the pass, a feed it found naming a hub for the first time is subscribed to; apart
    // from the passes, which never wait on a hub.
    if (!shutdown.signal.aborted) {
      core.websub?.requestDue().catch((error: unknown) => log.error({ err: error }, 'asking WebSub hubs failed'));
    }
  }, (error) => log.error({ err: error }, 'ingest pass failed'));
  const runPass = (): Promise<void> => passes.run();

  // A pass under way fetches the feeds it listed when it began: feeds made due since (added over
  // HTTP, or by a reload) wait for it to end, not for the next tick. One such pass is enough for all.
  let followUp: Promise<void> | null = null;
  const passSoon = (): Promise<void> => {
    if (!passes.busy()) return runPass();
    followUp ??= passes.idle().then(() => {
      followUp = null;
      return shutdown.signal.aborted ? undefined : runPass();
    });
    return followUp;
  };

  // Another process's pass holds the ingest lease (another serve's, a `feedsieve ingest` run): the
  // feeds due when it ends (made due meanwhile by a refresh, a hub's word, a feed added; its pass
  // listed its own when it began) are fetched then, not at the next tick. One read of the lease a
  // second while it is held.
  let leaseWatch: NodeJS.Timeout | null = null;
  const passAfterOthers = () => {
    if (leaseWatch !== null || shutdown.signal.aborted) return;
    const watch = setInterval(() => {
      void (async () => {
        if (await leaseHeld(store, 'ingest', new Date())) return;
        clearInterval(watch);
        leaseWatch = null;
        if (!shutdown.signal.aborted && (await store.dueFeeds(new Date())).length > 0) void passSoon();
      })().catch((error: unknown) => log.error({ err: error }, 'waiting for another process\'s pass failed'));
    }, LEASE_WATCH_MS).unref();
    leaseWatch = watch;
  };

  // A feed due later (its hub said it changed soon after its last fetch) is fetched by a pass at
  // that time; one timer waits, for the soonest such time. Timers run on a monotonic clock and may
  // fire a millisecond before Date.now() reaches their time: a pass that early would find the feed
  // not yet due, and nothing would wake again for it.
  const WAKE_MARGIN_MS = 25;
  let wake: { at: number; timer: NodeJS.Timeout } | null = null;
  const fetchDue = (at?: Date) => {
    const due = at?.getTime() ?? 0;
    if (due <= Date.now()) {
      if (!shutdown.signal.aborted) void passSoon();
      return;
    }
    if (wake !== null && wake.at <= due) return;
    if (wake !== null) clearTimeout(wake.timer);
    const timer = setTimeout(() => {
      wake = null;
      if (!shutdown.signal.aborted) void passSoon();
    }, due - Date.now() + WAKE_MARGIN_MS);
    wake = { at: due, timer: timer.unref() };
  };
  // Subscribers are sent a feed as a reader polling it reads it: rendered as the routes render it, into the same cache.
  const hub = config.server.hub.enabled
    ? createHub(store, hubFeeds({ baseUrl: config.server.baseUrl, store }, feedRenderer(appDeps(core, cache, {}), cache)), {
      baseUrl: config.server.baseUrl, leaseSeconds: config.server.hub.leaseSeconds, maxSubscriptions: config.server.hub.maxSubscriptions,
      retrySeconds: config.server.hub.retrySeconds, limits: core.refreshDeps.fetchLimits,
    }, log, () => new Date(), (outcome) => metrics.recordHubDelivery(outcome))
    : null;
  // What another process stores, and what a crash or a stop left unsent, from the item logs, by
  // this process or another serve of the same database.
  const hubSender = hub
    ? await holdHubSending(store, {
      send(changed) {
        // The feed routes would see another process's commit within moments; the hub renders now.
        cache.invalidateAll();
        hub.distribute(changed);
      },
      idle: () => hub.idle(),
      resume: () => hub.resume(),
      leaveRetries: () => hub.leaveRetries(),
    }, log, { holder: leaseHolderName(), ttlMs: LEASE_TTL_MS, busy: () => passes.busy() })
    : null;
  if (hubSender !== null) metrics.watchHubSending(() => hubSender.sends());
  const listener = buildListener(core, cache, { metrics, scheduler: () => ({ ...scheduler }), fetchDue, hub });
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  log.info({ address: server.address(), baseUrl: config.server.baseUrl }, 'listening');

  const firstIngest = runPass();
  const task: ScheduledTask = scheduleCron(config.ingest.schedule, () => void runPass(), { noOverlap: true });
  scheduler.alive = true;

  let reloading: Promise<void> = Promise.resolve();
  return {
    server,
    cache,
    metrics,
    firstIngest,
    reloadConfig(next) {
      const reload = reloading.then(async () => {
        const { moves, changed } = await core.applyConfig(next);
        cache.invalidateAll();
        hub?.distribute(changed);
        void passSoon();
        return moves;
      });
      // A reload that failed does not hold back the next one.
      reloading = reload.then(() => {}, () => {});
      return reload;
    },
    async stop() {
      scheduler.alive = false;
      await task.stop();
      if (wake !== null) clearTimeout(wake.timer);
      if (leaseWatch !== null) clearInterval(leaseWatch);
      hubSender?.stop();
      shutdown.abort();
      await hub?.close();
      await hubSender?.settled();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await passes.idle(); // in-flight feeds finish their transaction
      await closed;
      await core.close();
    },
  };
}
