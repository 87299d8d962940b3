import { createHash } from 'node:crypto';
import type { FeedError, FeedRecord, Item } from '../model.js';
import type { ItemToSave, SaveSummary, Store } from '../store/index.js';
import { fingerprintStory, serializeSignature } from '../stories/fingerprint.js';
import { analyzeDoc } from '../topics/text.js';
import { matchTopics, type TopicIndex } from '../topics/topic-index.js';
import { htmlToText } from '../html/text.js';
import type { FeedFetcher, FetchLimits } from './fetch.js';
import { matchableDoc } from '../topics/matchable.js';
import { type DraftFeed, finishItem, type ItemDraft } from './normalize.js';
import { parseFeedDrafts } from './parse.js';
import { type OutcomeKind, planNextFetch, type ScheduleSettings } from './schedule.js';

export interface RefreshDeps {
  store: Store;
  /** fetchFeed in production; createFetcher(policy) where the address policy differs. */
  fetch: FeedFetcher;
  fetchLimits: Omit<FetchLimits, 'allowFileUrls'>;
  schedule: ScheduleSettings;
  topicIndex: () => TopicIndex;
  now: () => Date;
}

export type RefreshStatus = 'stored' | 'not-modified' | 'unchanged-body' | 'error' | 'aborted';

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
}

const WEEK_MS = 7 * 86_400_000;

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// What makes an entry "changed": any field a reader sees, content as the feed wrote it (so an
// unchanged entry is recognised before its content is sanitized). Dates alone flapping count too.
function itemHash(item: ItemDraft): string {
  return sha256(JSON.stringify([item.title, item.url, item.summary, item.content?.value ?? null, item.content?.base ?? null,
    item.authors, item.categories, item.publishedAt, item.updatedAt, item.enclosures]));
}

// Feeds repeat entries (same guid twice); the first occurrence wins, as a reader would show it.
function uniqueByIdentity<T extends { identity: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.identity) ? false : (seen.add(item.identity), true)));
}

function prepareItem(item: Item, contentHash: string, feed: FeedRecord, feedTitle: string | null,
  index: TopicIndex): ItemToSave {
  // The content's visible text, taken once for both the matcher and the fingerprint.
  const contentText = htmlToText(item.contentHtml);
  const doc = analyzeDoc({ ...matchableDoc(item, { id: feed.id, title: feedTitle }), contentText });
  // Summary and content together: a copy that carries only the summary still meets the full article.
  const fingerprint = fingerprintStory(item.title, `${item.summary} ${contentText}`);
  return {
    item,
    contentHash,
    matches: matchTopics(index, doc),
    story: { signature: serializeSignature(fingerprint.signature), bandKeys: fingerprint.bandKeys },
  };
}

async function prepareItems(deps: RefreshDeps, feed: FeedRecord, parsed: DraftFeed): Promise<ItemToSave[]> {
  const items = uniqueByIdentity(parsed.items);
  const stored = await deps.store.storedItemHashes(feed.id, items.map((item) => item.identity));
  const index = deps.topicIndex();
  const feedTitle = feed.title ?? parsed.title;
  const prepared: ItemToSave[] = [];
  for (const item of items) {
    const hash = itemHash(item);
    // Unchanged entries are neither sanitized, tokenized nor matched again: most of every re-fetch.
    if (stored.get(item.identity) === hash) continue;
    prepared.push(prepareItem(finishItem(item), hash, feed, feedTitle, index));
  }
  return prepared;
}

/** fetch → (304 or same body? stop) → parse → normalize → match → store. Never throws. */
export async function refreshFeed(deps: RefreshDeps, feed: FeedRecord, signal?: AbortSignal): Promise<RefreshReport> {
  const started = deps.now();
  const report = (status: RefreshStatus, summary: SaveSummary | null, error: FeedError | null): RefreshReport => ({
    feedId: feed.id, url: feed.url, status, error,
    inserted: summary?.inserted ?? 0, updated: summary?.updated ?? 0, unchanged: summary?.unchanged ?? 0,
    touchedTopics: summary?.touchedTopics ?? [], durationMs: deps.now().getTime() - started.getTime(),
  });
  const plan = async (outcome: OutcomeKind) => {
    const now = deps.now();
    const itemsLastWeek = await deps.store.itemsPublishedSince(feed.id, new Date(now.getTime() - WEEK_MS));
    const history = { consecutiveFailures: feed.consecutiveFailures, feedMinIntervalMinutes: feed.minIntervalMinutes, itemsLastWeek };
    return planNextFetch(outcome, history, deps.schedule, now);
  };
  const saveError = async (error: FeedError, httpStatus: number | null, retryAfterSeconds: number | null,
    newUrl: string | null) => {
    const next = await plan({ kind: 'error', error, retryAfterSeconds });
    await deps.store.saveFetchResult(feed.id, {
      fetchedAt: deps.now(), httpStatus, newUrl, validators: null, feedInfo: null, items: [], error, next,
    });
    return report('error', null, error);
  };

  try {
    const fetched = await deps.fetch(feed.url, { etag: feed.etag, lastModified: feed.lastModified },
      { ...deps.fetchLimits, allowFileUrls: feed.origin === 'config' }, signal);
    if (fetched.status === 'error') {
      // A shutdown is not the feed's failure: record nothing, so it stays due for the next run.
      if (signal?.aborted) return report('aborted', null, null);
      return await saveError(fetched.error, fetched.error.httpStatus ?? null, fetched.retryAfterSeconds, fetched.permanentUrl);
    }
    const base = { fetchedAt: deps.now(), newUrl: fetched.permanentUrl, error: null };
    if (fetched.status === 'not-modified') {
      const summary = await deps.store.saveFetchResult(feed.id, {
        ...base, httpStatus: 304, validators: null, feedInfo: null, items: [], next: await plan({ kind: 'success' }),
      });
      return report('not-modified', summary, null);
    }
    const contentHash = sha256(fetched.body);
    const validators = { etag: fetched.etag, lastModified: fetched.lastModified, contentHash };
    if (contentHash === feed.contentHash) {
      // Servers without validators send the same bytes again: skip parsing and storing.
      const summary = await deps.store.saveFetchResult(feed.id, {
        ...base, httpStatus: fetched.httpStatus, validators, feedInfo: null, items: [], next: await plan({ kind: 'success' }),
      });
      return report('unchanged-body', summary, null);
    }
    const parsed = parseFeedDrafts(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType });
    if (!parsed.ok) return await saveError(parsed.error, fetched.httpStatus, null, fetched.permanentUrl);
    const items = await prepareItems(deps, feed, parsed.feed);
    const summary = await deps.store.saveFetchResult(feed.id, {
      ...base,
      httpStatus: fetched.httpStatus,
      validators,
      feedInfo: { title: parsed.feed.title, siteUrl: parsed.feed.siteUrl, minIntervalMinutes: parsed.feed.minIntervalMinutes },
      items,
      next: await plan({ kind: 'success' }),
    });
    summary.unchanged += uniqueByIdentity(parsed.feed.items).length - items.length;
    return report('stored', summary, null);
  } catch (cause) {
    const error: FeedError = { kind: 'internal', message: `refreshing ${feed.url}: ${(cause as Error).message}` };
    try {
      return await saveError(error, null, null, null);
    } catch {
      return report('error', null, error);
    }
  }
}
