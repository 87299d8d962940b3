import type { FeedRecord } from '../model.js';
import { createLimiter } from './limiter.js';
import { type RefreshDeps, type RefreshReport, refreshFeed } from './refresh.js';

export interface IngestOptions {
  concurrency: number;
  perHostConcurrency: number;
  /** Bytes of fetched bodies not yet saved past which no new fetch starts (default BACKLOG_BYTES). */
  backlogBytes?: number | undefined;
  signal?: AbortSignal | undefined;
  onReport?: ((report: RefreshReport) => void) | undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || 'local';
  } catch {
    return 'invalid';
  }
}

/**
 * Feeds fetched and not yet saved, for each fetch allowed at once. The main thread saves, and a
 * save that files topic matches or checkpoints the log holds it 20-100 ms. With each feed's fetch
 * slot held until its save, the parser worker's queue (at most `concurrency` bodies, ~7 ms each)
 * ran out in each such save: 11-13% of a first load idle, in ~30 gaps of 20-60 ms. Three times as
 * many: 3-4% idle (bench/HISTORY.md, run 40).
 */
export const BACKLOG_PER_FETCH = 3;

/**
 * Bytes of the fetched bodies not yet saved past which no new fetch starts: the backlog's memory
 * for large feeds (a body may take `ingest.maxBytes`, 10 MB by default), which 24 news feeds of
 * ~350 KB (~8 MB) never reach.
 */
export const BACKLOG_BYTES = 32 * 2 ** 20;

/**
 * Refreshes the given feeds, at most `concurrency` fetches at once and `perHostConcurrency` per
 * host, and at most BACKLOG_PER_FETCH times `concurrency` feeds between their fetch and their
 * save. One feed's failure is that feed's report; the others go on. After an abort, feeds not yet
 * started are skipped while those in flight finish their transaction.
 */
export async function ingestFeeds(deps: RefreshDeps, feeds: FeedRecord[], options: IngestOptions): Promise<RefreshReport[]> {
  const limiter = createLimiter({
    concurrency: options.concurrency, perHost: options.perHostConcurrency,
    backlog: { tasks: options.concurrency * BACKLOG_PER_FETCH, bytes: options.backlogBytes ?? BACKLOG_BYTES },
  });
  const reports: RefreshReport[] = [];
  await Promise.all(
    feeds.map((feed) =>
      limiter.run(hostOf(feed.url), async (fetched) => {
        if (options.signal?.aborted) return;
        const report = await refreshFeed(deps, feed, options.signal, fetched);
        reports.push(report);
        options.onReport?.(report);
      }),
    ),
  );
  return reports;
}
