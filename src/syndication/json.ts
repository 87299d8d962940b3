import type { FeedEntry, FeedFrame, FeedHeader } from './document.js';
import { withoutForbiddenChars } from '../html/xml-chars.js';
import { entryContentHtml, entryId, mediaTypeOrNull, nonEmpty, sourcePublishedDate, sourceTitle, updatedDate, webUrlOrNull } from './entry.js';

// JSON Feed 1.1 written directly: the `feed` package emits version 1 (`author`, no `authors`,
// no `language`, no hubs), and the format is only a plain object to serialize.

function itemJson(entry: FeedEntry): Record<string, unknown> {
  const { item } = entry;
  const url = webUrlOrNull(item.url);
  const published = sourcePublishedDate(item);
  const authors = nonEmpty(item.authors);
  const tags = nonEmpty(item.categories);
  const attachments = item.enclosures.flatMap((enclosure) => {
    const href = webUrlOrNull(enclosure.url);
    if (!href) return [];
    return [{
      url: href,
      mime_type: mediaTypeOrNull(enclosure.type) ?? 'application/octet-stream',
      ...(enclosure.length !== null ? { size_in_bytes: enclosure.length } : {}),
    }];
  });
  return {
    id: entry.id ?? entryId(item),
    ...(url ? { url } : {}),
    title: withoutForbiddenChars(item.title),
    content_html: entryContentHtml(entry),
    ...(item.summary ? { summary: withoutForbiddenChars(item.summary) } : {}),
    ...(published ? { date_published: published.toISOString() } : {}),
    date_modified: updatedDate(item).toISOString(),
    ...(authors.length > 0 ? { authors: authors.map((name) => ({ name })) } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(item.language ? { language: item.language } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    _feedsieve: {
      source: { feed_title: sourceTitle(item), feed_url: webUrlOrNull(entry.sourceFeedUrl) },
      also_reported_by: entry.alsoReportedBy.map((other) => ({
        feed_title: other.feedTitle,
        url: webUrlOrNull(other.url),
      })),
    },
  };
}

/**
 * One item as it stands in the list, indented to its depth: joined by the frame, a page is
 * JSON.stringify(feed, null, 2), each item stringified alone (a string value holds no raw newline,
 * so every newline is the layout's).
 */
export function jsonEntry(entry: FeedEntry): string {
  return `\n    ${JSON.stringify(itemJson(entry), null, 2).replace(/\n/g, '\n    ')}`;
}

/** The document around its items (see render.ts). */
export function jsonFrame(doc: FeedHeader): FeedFrame {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.htmlUrl,
    feed_url: doc.selfUrl,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.paging.next ? { next_url: doc.paging.next } : {}),
    ...(doc.hubUrl ? { hubs: [{ type: 'WebSub', url: doc.hubUrl }] } : {}),
    items: [],
  };
  const empty = `${JSON.stringify(feed, null, 2)}\n`;
  // `"items": []` is the last member: the items go between its brackets.
  return { head: empty.slice(0, empty.lastIndexOf('[]') + 1), separator: ',', tail: '\n  ]\n}\n', empty };
}
