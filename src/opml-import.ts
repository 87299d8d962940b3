import type { FeedRecord } from './model.js';
import type { OpmlFeed } from './opml.js';
import { redactUrl } from './redact-url.js';
import { DuplicateFeedError, type Store } from './store/index.js';

export interface OpmlImport {
  added: FeedRecord[];
  /** Each URL without any password it carried: the answer may be shown or logged. */
  skipped: { url: string; reason: 'not an http(s) URL' | 'already subscribed' }[];
}

/**
 * Adds an OPML document's feeds as the API adds them, to be fetched when next due (at once for
 * new ones). Not fetched here: an export of hundreds of feeds would hold the caller for minutes.
 * Only http(s) URLs: anything else (file:, javascript:, a relative path) would be read from here.
 */
export async function importOpmlFeeds(store: Store, feeds: OpmlFeed[], now: Date, onFeed?: (done: number) => void): Promise<OpmlImport> {
  const result: OpmlImport = { added: [], skipped: [] };
  for (const [n, feed] of feeds.entries()) {
    const url = URL.canParse(feed.url) ? new URL(feed.url) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      result.skipped.push({ url: redactUrl(feed.url), reason: 'not an http(s) URL' });
    } else {
      try {
        result.added.push(await store.addFeed({ url: url.href, title: feed.title, origin: 'api' }, now));
      } catch (error) {
        if (!(error instanceof DuplicateFeedError)) throw error;
        result.skipped.push({ url: redactUrl(url), reason: 'already subscribed' });
      }
    }
    onFeed?.(n + 1);
  }
  return result;
}
