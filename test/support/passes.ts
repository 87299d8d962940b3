import type { RefreshReport } from '../../src/ingest/refresh.js';
import type { TestService } from './service.js';

/** The last part of a feed's URL: the file an origin in a test serves it from. */
function fileOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * One ingest pass over every feed, as serve's scheduler runs one: the topic feeds it touched are
 * dropped from the cache. Each feed's report, by the file it was served from.
 */
export async function ingestPass(service: TestService): Promise<Map<string, RefreshReport>> {
  const reports = new Map<string, RefreshReport>();
  await service.core.ingest(await service.core.store.listFeeds(), (report) => {
    reports.set(fileOf(report.url), report);
    service.cache.invalidate(report.touchedTopics);
  });
  return reports;
}

/** The id of the feed served from `file`. */
export async function feedIdOf(service: TestService, file: string): Promise<number> {
  const feed = (await service.core.store.listFeeds()).find((candidate) => fileOf(candidate.url) === file);
  if (!feed) throw new Error(`no feed served from ${file}`);
  return feed.id;
}
