import { htmlText, mediaDescription, mediaEnclosures, plainText, pollingInterval, resolve, texts, websubLinks } from './common.js';
import type { RawEnclosure, RawEntry, XmlRawFeed } from './raw.js';
import { child, childText, childrenNamed, descendantsNamed, valueOf, type XmlElement } from './xml.js';

/** RSS 0.91, 0.92 and 2.0 (<rss><channel><item>…). */
export function readRss(root: XmlElement): XmlRawFeed {
  const channel = child(root, 'channel') ?? root;
  // Items may sit beside <channel> (closed too early) or inside an element left unclosed.
  const items = descendantsNamed(root, 'item');
  const siteLink = childText(channel, 'link');
  return {
    format: 'rss',
    title: plainText(child(channel, 'title', 'dc:title')),
    siteUrl: siteLink ? resolve(siteLink, channel.base) : null,
    base: channel.base,
    language: childText(channel, 'language', 'dc:language') ?? channel.lang,
    minIntervalMinutes: pollingInterval(channel),
    ...websubLinks(channel),
    entryElements: items,
    readEntry: readItem,
  };
}

function readItem(item: XmlElement): RawEntry {
  const guid = child(item, 'guid');
  const guidValue = guid ? valueOf(guid) : null;
  return {
    base: item.base,
    guid: guidValue,
    // RSS 2.0: isPermaLink defaults to true.
    guidIsPermaLink: guid ? guid.attrs.ispermalink?.trim().toLowerCase() !== 'false' : false,
    link: itemLink(item),
    title: plainText(child(item, 'title', 'dc:title')) ?? plainText(child(item, 'media:title')),
    summary:
      htmlText(child(item, 'description', 'dc:description')) ?? plainText(child(item, 'itunes:summary')) ?? mediaDescription(item),
    // xhtml:body and fullitem are older ways of carrying the full article.
    content: htmlText(child(item, 'content:encoded', 'xhtml:body', 'body', 'fullitem')),
    published: childText(item, 'pubdate', 'dc:date', 'atom:published', 'dcterms:issued', 'dcterms:created'),
    updated: childText(item, 'atom:updated', 'dcterms:modified'),
    authors: [...texts(item, 'author'), ...texts(item, 'dc:creator', 'dc:author'), ...texts(item, 'itunes:author')],
    categories: [...texts(item, 'category'), ...texts(item, 'dc:subject'), ...itunesCategories(item)],
    language: childText(item, 'dc:language', 'language') ?? item.lang,
    enclosures: [...enclosures(item), ...mediaEnclosures(item)],
  };
}

function itemLink(item: XmlElement): string | null {
  for (const link of childrenNamed(item, 'link')) {
    const value = valueOf(link) ?? link.attrs.href?.trim();
    if (value) return resolve(value, link.base);
  }
  for (const link of childrenNamed(item, 'atom:link')) {
    const rel = link.attrs.rel ?? 'alternate';
    if (rel === 'alternate' && link.attrs.href) return resolve(link.attrs.href.trim(), link.base);
  }
  return null;
}

function enclosures(item: XmlElement): RawEnclosure[] {
  const found: RawEnclosure[] = [];
  for (const enclosure of childrenNamed(item, 'enclosure')) {
    const url = enclosure.attrs.url?.trim();
    if (!url) continue;
    found.push({
      url: resolve(url, enclosure.base),
      type: enclosure.attrs.type?.trim() || null,
      length: enclosure.attrs.length?.trim() || null,
    });
  }
  return found;
}

function itunesCategories(item: XmlElement): string[] {
  return childrenNamed(item, 'itunes:category').flatMap((category) => category.attrs.text?.trim() || []);
}
