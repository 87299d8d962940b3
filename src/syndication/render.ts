import { renderAtom } from './atom.js';
import type { FeedDocument, FeedFormat } from './document.js';
import { renderJson } from './json.js';
import { renderRss } from './rss.js';

export type { AlsoReportedBy, FeedDocument, FeedEntry, FeedFormat } from './document.js';

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** One topic feed as a document in the asked format. Pure: same document, same bytes. */
export function renderFeed(format: FeedFormat, doc: FeedDocument): string {
  switch (format) {
    case 'rss':
      return renderRss(doc);
    case 'atom':
      return renderAtom(doc);
    case 'json':
      return renderJson(doc);
  }
}
