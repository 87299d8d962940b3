import type { StoredItem } from '../model.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

/** Another outlet that carried the same story. */
export interface AlsoReportedBy {
  feedTitle: string;
  /** That outlet's link to its copy, when known. */
  url: string | null;
}

export interface FeedEntry {
  item: StoredItem;
  /** The entry's id as its database gives it (entryId with the database's mark); entryId(item) when omitted. */
  id?: string;
  alsoReportedBy: AlsoReportedBy[];
  /** The URL of the feed the item was read from, for RSS <source url> / atom:source; omitted when unknown. */
  sourceFeedUrl?: string | null;
}

/** A document without its entries: what its head and tail are written from. */
export type FeedHeader = Omit<FeedDocument, 'entries'>;

/**
 * A format's document around its entries: with entries, `head`, the entries with `separator`
 * between them, and `tail`; without, `empty`.
 */
export interface FeedFrame {
  head: string;
  separator: string;
  tail: string;
  empty: string;
}

export interface FeedDocument {
  title: string;
  description: string;
  /** The page for humans. */
  htmlUrl: string;
  /** This format's own URL (rel="self"). */
  selfUrl: string;
  links: { rss: string; atom: string; json: string };
  /** WebSub hub, rel="hub" when set. */
  hubUrl: string | null;
  /** RFC 5005 paged-feed links. */
  paging: { first: string | null; next: string | null; prev: string | null };
  /** Stable feed id (tag: URI or URL). */
  id: string;
  /** Always passed in, so the same data renders to the same bytes. */
  updated: Date;
  entries: FeedEntry[];
}
