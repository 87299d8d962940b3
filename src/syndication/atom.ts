import type { FeedEntry, FeedFrame, FeedHeader } from './document.js';
import { entryContentHtml, entryId, mediaTypeOrNull, nonEmpty, sourcePublishedDate, sourceTitle, updatedDate, webUrlOrNull } from './entry.js';
import { element, htmlElement, lines, textElement } from './xml.js';

// Atom 1.0 (RFC 4287) written directly rather than through the `feed` package: it marks plain
// titles as type="html" (so "a <b" would be read as markup), and has no atom:source and no RFC
// 5005 paging links.

function feedLinks(doc: FeedHeader): (string | null)[] {
  const link = (rel: string, href: string | null, type?: string) =>
    href ? element('link', { rel, href, type }) : null;
  return [
    // Several readers (newsboat among them) take the last rel="alternate" as the site link, so the
    // page for humans comes after the same feed in other formats.
    link('alternate', doc.links.rss, 'application/rss+xml'),
    link('alternate', doc.links.json, 'application/feed+json'),
    link('alternate', doc.htmlUrl, 'text/html'),
    link('self', doc.selfUrl, 'application/atom+xml'),
    link('hub', doc.hubUrl),
    link('first', doc.paging.first),
    link('next', doc.paging.next),
    link('previous', doc.paging.prev),
  ];
}

function person(name: string): string {
  return `<author>${textElement('name', name)}</author>`;
}

// RFC 4287 §4.1.2: an entry needs an author unless its atom:source has one. When the item names
// nobody, the outlet it came from is the author, stated inside atom:source.
function sourceXml(entry: FeedEntry): string {
  const { item } = entry;
  const feedUrl = webUrlOrNull(entry.sourceFeedUrl);
  const body = [
    textElement('title', sourceTitle(item)),
    feedUrl ? element('link', { rel: 'self', href: feedUrl }) : '',
    nonEmpty(item.authors).length === 0 ? person(sourceTitle(item)) : '',
  ].join('');
  return element('source', {}, body);
}

function entryXml(entry: FeedEntry): string {
  const { item } = entry;
  const link = webUrlOrNull(item.url);
  const published = sourcePublishedDate(item);
  const body = lines(
    [
      textElement('id', entry.id ?? entryId(item)),
      textElement('title', item.title, { type: 'text' }),
      link ? element('link', { rel: 'alternate', type: 'text/html', href: link }) : null,
      published ? textElement('published', published.toISOString()) : null,
      textElement('updated', updatedDate(item).toISOString()),
      ...nonEmpty(item.authors).map(person),
      ...nonEmpty(item.categories).map((category) => element('category', { term: category })),
      item.summary ? textElement('summary', item.summary, { type: 'text' }) : null,
      htmlElement('content', entryContentHtml(entry), { type: 'html' }),
      ...item.enclosures.flatMap((enclosure) => {
        const href = webUrlOrNull(enclosure.url);
        const type = mediaTypeOrNull(enclosure.type);
        return href ? [element('link', { rel: 'enclosure', href, type, length: enclosure.length })] : [];
      }),
      sourceXml(entry),
    ],
    '    ',
  );
  return `<entry>${body}\n  </entry>`;
}

/** One entry as it stands in the feed, indented (see render.ts). */
export function atomEntry(entry: FeedEntry): string {
  return lines([entryXml(entry)], '  ');
}

/** The document around its entries (see render.ts). */
export function atomFrame(doc: FeedHeader): FeedFrame {
  const head = lines(
    [
      textElement('id', doc.id),
      textElement('title', doc.title, { type: 'text' }),
      doc.description ? textElement('subtitle', doc.description, { type: 'text' }) : null,
      textElement('updated', doc.updated.toISOString()),
      textElement('generator', 'feedsieve'),
      ...feedLinks(doc),
    ],
    '  ',
  );
  const opening = `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">${head}`;
  const closing = '\n</feed>\n';
  return { head: opening, separator: '', tail: closing, empty: opening + closing };
}
