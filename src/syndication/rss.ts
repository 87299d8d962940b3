import { escapeUTF8 } from 'entities';
import type { FeedEntry, FeedFrame, FeedHeader } from './document.js';
import { entryContentHtml, entryId, mediaTypeOrNull, nonEmpty, publishedDate, sourceTitle, webUrlOrNull } from './entry.js';
import { element, htmlElement, lines, textElement } from './xml.js';

// RSS 2.0 written directly rather than through the `feed` package: it has no <source>, no
// RFC 5005 paging links, and puts author names in <author>, which RSS reserves for an e-mail
// address (names go in dc:creator).

function pagingLinks(doc: FeedHeader): (string | null)[] {
  const link = (rel: string, href: string | null, type?: string) =>
    href ? element('atom:link', { rel, href, type }) : null;
  return [
    link('self', doc.selfUrl, 'application/rss+xml'),
    link('alternate', doc.links.atom, 'application/atom+xml'),
    link('alternate', doc.links.json, 'application/feed+json'),
    link('hub', doc.hubUrl),
    link('first', doc.paging.first),
    link('next', doc.paging.next),
    link('previous', doc.paging.prev),
  ];
}

function itemXml(entry: FeedEntry): string {
  const { item } = entry;
  const link = webUrlOrNull(item.url);
  const sourceUrl = webUrlOrNull(entry.sourceFeedUrl);
  // RSS allows one enclosure per item; the first one that is a web URL.
  const enclosure = item.enclosures.map((e) => ({ ...e, url: webUrlOrNull(e.url) })).find((e) => e.url !== null);
  const body = lines(
    [
      textElement('title', item.title),
      link ? textElement('link', link) : null,
      textElement('guid', entry.id ?? entryId(item), { isPermaLink: 'false' }),
      textElement('pubDate', publishedDate(item).toUTCString()),
      ...nonEmpty(item.authors).map((author) => textElement('dc:creator', author)),
      ...nonEmpty(item.categories).map((category) => textElement('category', category)),
      // <description> is HTML to RSS readers; the summary is plain text, so it is escaped as HTML first.
      item.summary ? textElement('description', escapeUTF8(item.summary)) : null,
      htmlElement('content:encoded', entryContentHtml(entry)),
      enclosure
        ? element('enclosure', {
            url: enclosure.url,
            length: enclosure.length ?? 0,
            type: mediaTypeOrNull(enclosure.type) ?? 'application/octet-stream',
          })
        : null,
      // RSS requires the url attribute on <source>; without the feed's URL there is no valid element.
      sourceUrl ? textElement('source', sourceTitle(item), { url: sourceUrl }) : null,
    ],
    '      ',
  );
  return `<item>${body}\n    </item>`;
}

/** One item as it stands in the channel, indented (see render.ts). */
export function rssEntry(entry: FeedEntry): string {
  return lines([itemXml(entry)], '    ');
}

/** The document around its items (see render.ts). */
export function rssFrame(doc: FeedHeader): FeedFrame {
  const head = lines(
    [
      textElement('title', doc.title),
      textElement('link', doc.htmlUrl),
      textElement('description', doc.description),
      textElement('lastBuildDate', doc.updated.toUTCString()),
      textElement('generator', 'feedsieve'),
      textElement('docs', 'https://www.rssboard.org/rss-specification'),
      ...pagingLinks(doc),
    ],
    '    ',
  );
  const opening = '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"' +
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/"' +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n' +
    `  <channel>${head}`;
  const closing = '\n  </channel>\n</rss>\n';
  return { head: opening, separator: '', tail: closing, empty: opening + closing };
}
