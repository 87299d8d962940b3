import type { FeedError, FeedRecord } from '../model.js';
import { fingerprintStory, serializeSignature } from '../stories/fingerprint.js';
import type { FetchResultToSave, HubChange, HubWatch, ItemToSave, SaveSummary, Store } from '../store/index.js';
import type { TopicDefinition, TopicSnapshot } from '../topics/topic-index.js';
import { bodyHash, isSameBody } from './body-hash.js';
import type { FeedFetcher, FetchLimits } from './fetch.js';
import { matchEntriesAgain, type PreparedEntry, type PrepareResult } from './prepare.js';
import type { Handoff, Preparer } from './prepare-pool.js';
import { type OutcomeKind, planNextFetch, type ScheduleSettings } from './schedule.js';
import { redactUrl } from '../redact-url.js';

export interface RefreshDeps {
  store: Store;
  /** Parses and prepares fetched bodies, on worker threads where there are cores to spare. */
  preparer: Preparer;
  /** fetchFeed in production; createFetcher(policy) where the address policy differs. */
  fetch: FeedFetcher;
  fetchLimits: Omit<FetchLimits, 'allowFileUrls'>;
  schedule: ScheduleSettings;
  /**
   * Set where hubs may call about feeds (ingest.websub.subscribe): a subscribed feed is scheduled by
   * what its hub has done too (store/websub.ts, HubWatch).
   */
  hubs: { minFetchSeconds: number; trustedPollMinutes: number | null } | null;
  /** The topics new entries are matched against (on the preparer's threads). */
  topics: () => TopicSnapshot;
  /** The topics of these definitions, as a save found them stored (TopicRegistry.adopt). */
  adoptTopics: (definitions: readonly TopicDefinition[]) => TopicSnapshot;
  now: () => Date;
}

/** `deleted`: the feed was deleted while it was being fetched, and nothing was saved. */
export type RefreshStatus = 'stored' | 'not-modified' | 'unchanged-body' | 'error' | 'aborted' | 'deleted';

export interface RefreshReport {
  feedId: number;
  url: string;
  status: RefreshStatus;
  inserted: number;
  updated: number;
  unchanged: number;
  error: FeedError | null;
  touchedTopics: string[];
  durationMs: number;
  /** The feed is subscribed at a hub and the fetch found it changed: whether the hub had said so first. */
  hubChange: HubChange | null;
  /** Its hub said it changed while it was being fetched: a pass must fetch it again then. */
  dueAgainAt: Date | null;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Entries as the store takes them, story fingerprints taken here, on the main thread. The one
 * parser worker is the critical path of a first load (runnable 94% of it: 85% running, 9% waiting
 * for a core), the main thread runs about half of it. Fingerprinting here moved ~15 µs an item
 * of main-thread CPU over and took the worker's 10%: 1,000-feed first loads, three alternating
 * rounds against the worker fingerprinting: 4,101-4,222 against 3,725-3,909 items/s.
 */
function toSave(entries: PreparedEntry[]): ItemToSave[] {
  return entries.map(({ item, contentHash, markupHash, matches, storyLead }) => {
    const fingerprint = fingerprintStory(item.title, storyLead);
    return {
      item, contentHash, markupHash, matches,
      story: { signature: serializeSignature(fingerprint.signature), bandKeys: fingerprint.bandKeys },
    };
  });
}

type StoredFields = Omit<FetchResultToSave, 'feedInfo' | 'items'>;

/**
 * Takes a prepared result and saves it, in a plain function: a suspended async function that has
 * waited as long as refreshFeed has is in the old generation, and would keep the result alive
 * through scavenges (see Handoff).
 */
function storePrepared(store: Store, feedId: number, handoff: Handoff<PrepareResult>, fields: StoredFields,
  topics: { matched: TopicSnapshot; adopt: RefreshDeps['adoptTopics']; feedTitle: string | null },
  headerLinks: { hubUrl: string | null; selfUrl: string | null }):
  { ok: true; summary: Promise<SaveSummary> } | { ok: false; error: FeedError } {
  const prepared = handoff.take();
  if (!prepared.ok) return prepared;
  const { feed: facts, unchanged, entries } = prepared;
  const saved = store.saveFetchResult(feedId, {
    ...fields,
    feedInfo: {
      title: facts.title, siteUrl: facts.siteUrl, minIntervalMinutes: facts.minIntervalMinutes, identityScheme: prepared.identityScheme,
      // WebSub has the response's Link header looked at before the document.
      hubUrl: headerLinks.hubUrl ?? facts.hubUrl, selfUrl: headerLinks.selfUrl ?? facts.selfUrl,
    },
    items: toSave(entries),
    markupHashes: prepared.markupHashes,
    documentIdentities: prepared.identities,
    // Topics created, edited or deleted while the body was prepared, here or by another process:
    // the save finds them stored, and the entries are matched against them in its transaction,
    // since such a topic's backfill may have passed over where these items will be.
    topics: {
      definitions: topics.matched.definitions,
      matchAgain: (definitions) => {
        matchEntriesAgain(entries, { id: feedId, title: topics.feedTitle ?? facts.title }, topics.adopt(definitions).index);
        return entries.map((entry) => entry.matches);
      },
    },
  });
  // Entries skipped as unchanged before sanitizing count as unchanged too.
  return { ok: true, summary: saved.then((summary) => ({ ...summary, unchanged: summary.unchanged + unchanged })) };
}

/**
 * fetch → (304 or same body? stop) → parse, sanitize, match, fingerprint → store. Never throws.
 * `onFetched` is told when the fetch is over, with the bytes of the body it brought (0 for none).
 */
export async function refreshFeed(deps: RefreshDeps, feed: FeedRecord, signal?: AbortSignal,
  onFetched?: (bytes: number) => void): Promise<RefreshReport> {
  const started = deps.now();
  const report = (status: RefreshStatus, summary: SaveSummary | null, error: FeedError | null): RefreshReport => ({
    feedId: feed.id, url: redactUrl(feed.url),
    ...(summary?.feedDeleted ? { status: 'deleted', error: null } : { status, error }),
    inserted: summary?.inserted ?? 0, updated: summary?.updated ?? 0, unchanged: summary?.unchanged ?? 0,
    touchedTopics: summary?.touchedTopics ?? [], durationMs: deps.now().getTime() - started.getTime(),
    hubChange: summary?.hubChange ?? null, dueAgainAt: summary?.dueAgainAt ?? null,
  });
  // What the save compares the feed with, in case an operator changed it, or made it due, while it was fetched.
  const fetchedAs = { url: feed.url, intervalMinutes: feed.intervalMinutes, startedAt: started };
  const plan = async (outcome: OutcomeKind, freshForSeconds: number | null = null) => {
    const now = deps.now();
    const itemsLastWeek = await deps.store.itemsPublishedSince(feed.id, new Date(now.getTime() - WEEK_MS));
    const history = {
      consecutiveFailures: feed.consecutiveFailures, feedMinIntervalMinutes: feed.minIntervalMinutes, itemsLastWeek,
      fixedIntervalMinutes: feed.intervalMinutes, serverFreshMinutes: freshForSeconds === null ? null : freshForSeconds / 60,
    };
    return planNextFetch(outcome, history, deps.schedule, now);
  };
  // Only a fetch that succeeded is judged by the hub: a failing one backs off as any other.
  const hubWatch = (fetchedAt: Date): HubWatch | undefined => {
    if (deps.hubs === null) return undefined;
    const { minFetchSeconds, trustedPollMinutes } = deps.hubs;
    // A feed given an interval of its own is fetched at that interval, trusted hub or not.
    const relaxed = trustedPollMinutes === null || feed.intervalMinutes !== null ? null : new Date(fetchedAt.getTime() + trustedPollMinutes * 60_000);
    return { fetchStartedAt: started, nextIfNotified: new Date(fetchedAt.getTime() + minFetchSeconds * 1000), relaxedNext: relaxed };
  };
  const saveError = async (error: FeedError, httpStatus: number | null, retryAfterSeconds: number | null,
    newUrl: string | null) => {
    const next = await plan({ kind: 'error', error, retryAfterSeconds });
    const summary = await deps.store.saveFetchResult(feed.id, {
      fetchedAt: deps.now(), httpStatus, newUrl, validators: null, feedInfo: null, items: [], error, next, fetchedAs,
    });
    return report('error', summary, error);
  };

  try {
    const fetched = await deps.fetch(feed.url, { etag: feed.etag, lastModified: feed.lastModified },
      { ...deps.fetchLimits, allowFileUrls: feed.origin === 'config' }, signal);
    onFetched?.(fetched.status === 'ok' ? fetched.body.byteLength : 0);
    if (fetched.status === 'error') {
      // A shutdown is not the feed's failure: record nothing, so it stays due for the next run.
      if (signal?.aborted) return report('aborted', null, null);
      return await saveError(fetched.error, fetched.error.httpStatus ?? null, fetched.retryAfterSeconds, fetched.permanentUrl);
    }
    const base = { fetchedAt: deps.now(), newUrl: fetched.permanentUrl, error: null, fetchedAs };
    if (fetched.status === 'not-modified') {
      const summary = await deps.store.saveFetchResult(feed.id, {
        ...base, httpStatus: 304, validators: null, feedInfo: null, items: [], next: await plan({ kind: 'success' }, fetched.freshForSeconds),
        hubWatch: hubWatch(base.fetchedAt),
      });
      return report('not-modified', summary, null);
    }
    const contentHash = bodyHash(fetched.body);
    const validators = { etag: fetched.etag, lastModified: fetched.lastModified, contentHash };
    if (isSameBody(feed.contentHash, fetched.body, contentHash)) {
      // Servers without validators send the same bytes again: skip parsing and storing.
      const summary = await deps.store.saveFetchResult(feed.id, {
        ...base, httpStatus: fetched.httpStatus, validators, feedInfo: null, items: [], next: await plan({ kind: 'success' }, fetched.freshForSeconds),
        hubWatch: hubWatch(base.fetchedAt),
      });
      return report('unchanged-body', summary, null);
    }
    const storedHashes = await deps.store.feedItemHashes(feed.id);
    const matched = deps.topics();
    const handoff = await deps.preparer.prepare({
      body: fetched.body, url: fetched.finalUrl, contentType: fetched.contentType,
      storedHashes: storedHashes.byIdentity, storedMarkup: storedHashes.byMarkup,
      feed: { id: feed.id, title: feed.title, identityScheme: feed.identityScheme },
    }, matched);
    // Planned first: this function has waited long, and the result must not be in it at an await.
    const next = await plan({ kind: 'success' }, fetched.freshForSeconds);
    const stored = storePrepared(deps.store, feed.id, handoff,
      { ...base, httpStatus: fetched.httpStatus, validators, next, hubWatch: hubWatch(base.fetchedAt) },
      { matched, adopt: deps.adoptTopics, feedTitle: feed.title }, fetched.websubLinks);
    if (!stored.ok) return await saveError(stored.error, fetched.httpStatus, null, fetched.permanentUrl);
    return report('stored', await stored.summary, null);
  } catch (cause) {
    const error: FeedError = { kind: 'internal', message: `refreshing ${redactUrl(feed.url)}: ${(cause as Error).message}` };
    try {
      return await saveError(error, null, null, null);
    } catch {
      return report('error', null, error);
    }
  }
}
