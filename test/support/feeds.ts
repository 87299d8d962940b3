import { escapeUTF8 } from 'entities';

export interface FeedEntrySpec {
  /** Left out, the entry has no <guid> (and needs a link). */
  guid?: string;
  title: string;
  publishedAt: Date;
  description?: string;
  /** By default the guid's page on news.example. */
  link?: string;
}

/** A plain RSS 2.0 document, for tests that need many or changing entries. */
export function rssDocument(title: string, entries: FeedEntrySpec[]): string {
  const items = entries
    .map((e) => `<item><title>${escapeUTF8(e.title)}</title><link>${escapeUTF8(e.link ?? `https://news.example/${e.guid}`)}</link>` +
      (e.guid === undefined ? '' : `<guid isPermaLink="false">${escapeUTF8(e.guid)}</guid>`) + `<pubDate>${e.publishedAt.toUTCString()}</pubDate>` +
      `<description>${escapeUTF8(e.description ?? `About ${e.title}`)}</description></item>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeUTF8(title)}</title>` +
    `<link>https://news.example/</link><description>test</description>\n${items}\n</channel></rss>\n`;
}
