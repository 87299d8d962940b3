import type { XmlElement } from './xml.js';

// What every format parser hands to normalize.ts: the document's facts as written (dates
// unparsed, text not yet reduced to plain text or sanitized, links resolved only against the
// xml:base in effect where they appear), so URL, date, text and identity rules live in one
// place.

export interface RawText {
  value: string;
  /** How the value reads: plain text, or HTML (RSS fields, Atom html, unwrapped Atom xhtml). */
  type: 'text' | 'html';
  /** The base relative URLs inside this value resolve against (xml:base at its level). */
  base: string;
}

export interface RawEnclosure {
  url: string;
  type: string | null;
  length: string | null;
}

export interface RawEntry {
  /** The base the entry's links resolve against: xml:base at the entry, else the feed's. */
  base: string;
  guid: string | null;
  /** RSS <guid isPermaLink>: a permalink guid doubles as the link when <link> is missing. */
  guidIsPermaLink: boolean;
  /** The entry's web page, resolved against the xml:base where it appears. */
  link: string | null;
  title: RawText | null;
  /** description / summary / media:description. */
  summary: RawText | null;
  /** content:encoded / Atom content / JSON content_html or content_text. */
  content: RawText | null;
  published: string | null;
  updated: string | null;
  authors: string[];
  categories: string[];
  language: string | null;
  enclosures: RawEnclosure[];
}

export interface RawFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json';
  title: RawText | null;
  /** The site's home page, resolved against the xml:base where it appears. */
  siteUrl: string | null;
  base: string;
  language: string | null;
  minIntervalMinutes: number | null;
  /** The WebSub hub the feed names (rel="hub"; JSON Feed's hubs), and its own address (rel="self"; feed_url). */
  hubUrl: string | null;
  selfUrl: string | null;
  entries: RawEntry[];
}

/**
 * An XML feed whose entries are read one element at a time, so that an entry recognized by its
 * markup as one stored already need not be read at all (ingest/entry-markup.ts).
 */
export interface XmlRawFeed extends Omit<RawFeed, 'entries'> {
  format: 'rss' | 'rdf' | 'atom';
  /** The entries' elements, in document order. */
  entryElements: XmlElement[];
  readEntry(element: XmlElement): RawEntry;
}

/** Every entry of an XML feed read. */
export function withEntries(feed: XmlRawFeed): RawFeed {
  return {
    format: feed.format, title: feed.title, siteUrl: feed.siteUrl, base: feed.base, language: feed.language,
    minIntervalMinutes: feed.minIntervalMinutes, hubUrl: feed.hubUrl, selfUrl: feed.selfUrl,
    entries: feed.entryElements.map(feed.readEntry),
  };
}
