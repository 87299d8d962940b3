import type { FeedRecord } from '../model.js';
import { createLimiter } from './limiter.js';
import { type RefreshDeps, type RefreshReport, refreshFeed } from './refresh.js';

export interface IngestOptions {
  concurrency: number;
  perHostConcurrency: number;
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
 * Refreshes the given feeds, at most `concurrency` at once and `perHostConcurrency` per host.
 * One feed's failure is that feed's report; the others go on. After an abort, feeds not yet
 * started are skipped while those in flight finish their transaction.
 */
export async function ingestFeeds(deps: RefreshDeps, feeds: FeedRecord[], options: IngestOptions): Promise<RefreshReport[]> {
  const limiter = createLimiter({ concurrency: options.concurrency, perHost: options.perHostConcurrency });
  const reports: RefreshReport[] = [];
  await Promise.all(
    feeds.map((feed) =>
      limiter.run(hostOf(feed.url), async () => {
        if (options.signal?.aborted) return;
        const report = await refreshFeed(deps, feed, options.signal);
        reports.push(report);
        options.onReport?.(report);
      }),
    ),
  );
  return reports;
}
