import type { FeedRecord, FeedState } from './model.js';
import { redactUrl } from './redact-url.js';

// What `feedsieve feeds` prints: a feed a line, then an indented line for what an operator must
// act on (its last error, where its redirects led, a WebSub hub that refused it or could not be
// reached) or may tell its site (entries sharing a guid).

/** The same rule as store/feeds.ts's feedStateCounts, which counts them in SQL for /metrics. */
export function feedState(feed: FeedRecord): FeedState {
  if (feed.disabled) return 'disabled';
  if (feed.lastFetchedAt === null) return 'waiting';
  return feed.lastError === null ? 'ok' : 'failing';
}

/** '2026-12-05 15:20' in UTC; '-' for never. */
function minute(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function feedStatusLines(feeds: FeedRecord[]): string[] {
  const rows = feeds.map((feed) => {
    const state = feedState(feed);
    const failures = state === 'failing' ? ` x${feed.consecutiveFailures}` : '';
    return [String(feed.id), `${state}${failures}`, String(feed.itemCount), minute(feed.lastFetchedAt),
      state === 'disabled' ? '-' : minute(feed.nextFetchAt), redactUrl(feed.url)];
  });
  const header = ['id', 'state', 'items', 'last fetch (UTC)', 'next fetch (UTC)', 'url'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Numbers right-aligned, the rest left; the URL last and unpadded.
  const line = (cells: string[]) => cells
    .map((cell, column) => (column === cells.length - 1 ? cell : column === 0 || column === 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
    .join('  ');
  const lines = [line(header)];
  for (const [n, feed] of feeds.entries()) {
    lines.push(line(rows[n]!));
    const indent = ' '.repeat(widths[0]! + 2);
    if (feed.lastError) lines.push(`${indent}error ${feed.lastError.kind}: ${feed.lastError.message}`);
    if (feed.movedTo) {
      const where = feed.origin === 'config' ? 'put it in the config file; the feed keeps its items' : 'another feed has that URL';
      lines.push(`${indent}moved permanently to ${redactUrl(feed.movedTo)}: ${where}`);
    }
    if (feed.identityScheme > 0) {
      const how = feed.identityScheme === 1 ? 'by link' : 'by link, title and date (it gave them one link too)';
      lines.push(`${indent}gave different entries one guid: its entries are told apart ${how}`);
    }
    const subscription = feed.websub?.subscription;
    if (subscription && (subscription.state === 'denied' || subscription.state === 'failed')) {
      const what = subscription.state === 'denied' ? 'refused' : 'failed';
      lines.push(`${indent}WebSub subscription at ${redactUrl(feed.websub!.hub)} ${what}: ${subscription.error ?? 'no reason given'}`);
    }
  }
  return lines;
}
