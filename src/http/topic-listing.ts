import type { TopicSummary } from '../store/index.js';
import type { AppDeps } from './deps.js';
import type { FeedCache } from './feed-cache.js';

/** How far a kept listing's "this week" counts may lag the clock while nothing is stored. */
export const LISTING_MAX_AGE_MS = 60_000;

/**
 * Every topic with its counts, read again only after a change: counting takes every filed entry
 * (~70 ms at 1,000 topics over 1,000,000 items, on the thread that answers every request), and
 * the subscribe page and /api/topics ask for it on each request. This process's changes move the
 * feed cache's generation; another process's commits move the database's data version.
 */
export function topicListing(deps: Pick<AppDeps, 'store' | 'now'>, cache: FeedCache): () => Promise<TopicSummary[]> {
  let kept: { generation: number; elsewhere: number; at: number; topics: TopicSummary[] } | null = null;
  return async () => {
    const generation = cache.generation('*');
    const elsewhere = deps.store.changesElsewhere();
    const now = deps.now();
    if (kept && kept.generation === generation && kept.elsewhere === elsewhere && now.getTime() - kept.at < LISTING_MAX_AGE_MS) {
      return kept.topics;
    }
    const topics = await deps.store.listTopics(now);
    kept = { generation, elsewhere, at: now.getTime(), topics };
    return topics;
  };
}
