import { htmlText, mediaEnclosures, plainText, pollingInterval, resolve, texts, websubLinks } from './common.js';
import type { RawEntry, XmlRawFeed } from './raw.js';
import { child, childText, descendantsNamed, type XmlElement } from './xml.js';

/** RSS 1.0 and Netscape RSS 0.90: <rdf:RDF> with <channel> and sibling <item>s. */
export function readRdf(root: XmlElement): XmlRawFeed {
  const channel = child(root, 'channel') ?? root;
  // Items are siblings of <channel>, but an unclosed element or a misplaced </channel> moves them.
  const items = descendantsNamed(root, 'item');
  const siteLink = childText(channel, 'link');
  return {
    format: 'rdf',
    title: plainText(child(channel, 'title')),
    siteUrl: siteLink ? resolve(siteLink, channel.base) : null,
    base: channel.base,
    language: childText(channel, 'dc:language', 'language') ?? channel.lang,
    minIntervalMinutes: pollingInterval(channel),
    ...websubLinks(channel),
    entryElements: items,
    readEntry: readItem,
  };
}

function readItem(item: XmlElement): RawEntry {
  const link = childText(item, 'link');
  return {
    base: item.base,
    // rdf:about names the resource the item describes; it is the item's stable identifier.
    guid: item.attrs['rdf:about']?.trim() || null,
    guidIsPermaLink: false,
    link: link ? resolve(link, item.base) : null,
    title: plainText(child(item, 'title')),
    summary: htmlText(child(item, 'description')) ?? htmlText(child(item, 'dc:description')),
    content: htmlText(child(item, 'content:encoded')),
    published: childText(item, 'dc:date', 'dcterms:issued', 'dcterms:created', 'pubdate'),
    updated: childText(item, 'dcterms:modified'),
    authors: texts(item, 'dc:creator', 'dc:contributor'),
    categories: texts(item, 'dc:subject'),
    language: childText(item, 'dc:language') ?? item.lang,
    enclosures: mediaEnclosures(item),
  };
}
