import type { Logger } from '../log.js';
import { sameTopicDefinitions, type Store } from '../store/index.js';
import { analyzeDoc } from '../topics/text.js';
import { compileQuery, matchQuery, vocabularyOf } from '../topics/match.js';
import { parseQuery } from '../topics/query.js';
import { matchableDoc } from '../topics/matchable.js';
import { buildTopicIndex, type TopicDefinition, type TopicSnapshot } from '../topics/topic-index.js';

/** The compiled topics ingest matches against; rebuilt whenever a topic changes. */
export interface TopicRegistry {
  /** The current topics with their version, for matching on other threads. */
  snapshot(): TopicSnapshot;
  reload(): Promise<void>;
  /** Reloads when the stored topics differ from the compiled ones: another process may have changed them. */
  refresh(): Promise<void>;
  /**
   * The topics of these definitions (by slug), as read from the store: the current snapshot when it
   * has them, else them compiled, which become current. Synchronous, for a save's transaction.
   */
  adopt(definitions: readonly TopicDefinition[]): TopicSnapshot;
}

export async function createTopicRegistry(store: Store, log: Logger): Promise<TopicRegistry> {
  let snapshot: TopicSnapshot = { version: 0, definitions: [], index: buildTopicIndex([]) };
  const compile = (definitions: { slug: string; query: string }[]): void => {
    const index = buildTopicIndex(definitions);
    snapshot = { version: snapshot.version + 1, definitions, index };
    // Queries are checked where they enter (config, API), so this means a stored query that a
    // newer parser no longer accepts: say which, and match the others.
    for (const { slug, error } of index.rejected) log.error({ topic: slug, error: error.message }, 'topic query does not parse; topic not matched');
  };
  const registry: TopicRegistry = {
    snapshot: () => snapshot,
    async reload() {
      compile(await store.topicDefinitions());
    },
    async refresh() {
      const definitions = await store.topicDefinitions();
      if (!sameTopicDefinitions(definitions, snapshot.definitions)) compile(definitions);
    },
    adopt(definitions) {
      if (!sameTopicDefinitions(definitions, snapshot.definitions)) compile([...definitions]);
      return snapshot;
    },
  };
  await registry.reload();
  return registry;
}

export interface BackfillProgress {
  done: number;
  total: number;
  matched: number;
  /** Where this run started: past this item, matched before by a run that was cut short (0: the first item). */
  resumedAfter: number;
  /**
   * Stopped because the topic was edited or deleted, or its backfill started again (a feed renamed),
   * meanwhile: the backfill that overtook it does the work.
   */
  overtaken: boolean;
}

/** Items matched and committed at a time: ~10-20 ms of work for news items, between the thread's other work. */
const BATCH = 100;
/** Items between two progress reports. */
const REPORT_EVERY = 500;

/**
 * Recomputes one topic's matches over every stored item, in batches, each its own transaction, so
 * readers are never blocked long. Between two batches, the thread's other work (feed requests,
 * saves) has its turn: over a large database a backfill takes minutes, and a server that runs
 * one must go on answering meanwhile. Each batch commits with the mark of how far it came, so a
 * run cut short (a process killed, stopped) goes on from there the next time
 * (migrations/0015_topic_backfill_mark.sql).
 */
export async function backfillTopic(store: Store, slug: string, query: string,
  onProgress?: (progress: BackfillProgress) => void): Promise<BackfillProgress> {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(`topic ${slug}: ${parsed.error.message}`);
  const compiled = compileQuery(parsed.query);
  const vocabulary = vocabularyOf([compiled]);
  const state = await store.topicBackfill(slug);
  // Deleted, or edited since this backfill was asked for: the edit's own backfill does the work,
  // and the matches it has made so far are not this one's to drop.
  const overtaken: BackfillProgress = { done: 0, total: 0, matched: 0, resumedAfter: 0, overtaken: true };
  if (state === null || state.query !== query) return overtaken;
  const { run } = state;
  // No mark (a topic matched in full) or 0: from the start, its old matches dropped first, a
  // batch at a time: ~30,000 of them took 3.3 s in one transaction at 1,000,000 items.
  const resumedAfter = state.mark ?? 0;
  if (resumedAfter === 0) {
    for (;;) {
      const dropped = await store.dropTopicMatches(slug, { query, run }, BATCH * 10);
      if (dropped === null) return overtaken;
      if (dropped < BATCH * 10) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!(await store.clearTopicMatches(slug, { query, run }))) return overtaken;
  }
  const progress: BackfillProgress = { done: 0, total: await store.countItems(resumedAfter), matched: 0, resumedAfter, overtaken: false };
  let afterId = resumedAfter;
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const items = await store.itemsAfter(afterId, BATCH);
    if (items.length === 0) break;
    const matches = [];
    for (const item of items) {
      const doc = analyzeDoc(matchableDoc(item, { id: item.feedId, title: item.feedTitle }), vocabulary);
      const result = matchQuery(compiled, doc);
      if (result.matched) matches.push({ itemId: item.id, sortAt: item.sortAt, terms: result.terms });
    }
    afterId = items[items.length - 1]!.id;
    if (!(await store.addTopicMatches(slug, matches, { through: afterId, query, run }))) return { ...progress, overtaken: true };
    progress.done += items.length;
    progress.matched += matches.length;
    if (progress.done % REPORT_EVERY === 0) onProgress?.({ ...progress });
  }
  if (progress.done % REPORT_EVERY !== 0) onProgress?.({ ...progress });
  await store.finishTopicBackfill(slug, query, run);
  return progress;
}
