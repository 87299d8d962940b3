// What every format parser hands to normalize.ts: the document's facts as written (strings
// not yet resolved, decoded or validated), so URL, date, text and identity rules live in
// one place.

/** How a text construct's value is to be read (Atom's text/html/xhtml; RSS fields are html). */
export type TextType = 'text' | 'html' | 'xhtml';

export interface RawText {
  value: string;
  type: TextType;
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
  /** The site's home page as written, resolved against `base`. */
  siteUrl: string | null;
  base: string;
  language: string | null;
  minIntervalMinutes: number | null;
  entries: RawEntry[];
}
