// The shared types. Every module speaks these; format- and library-specific shapes
// (rss-parser, feed, htmlparser2) never leave the module that uses them.

/** Why a feed could not be read. Stored on the feed; never thrown past ingest/refresh.ts. */
export type FeedErrorKind =
  | 'timeout' // connect or total deadline passed
  | 'too-large' // body (after decompression) over ingest.maxBytes
  | 'http' // a status that is neither success nor handled
  | 'network' // connection refused, reset, DNS failure
  | 'redirect' // too many redirects or a loop
  | 'blocked-address' // SSRF guard refused the address
  | 'unsupported-scheme'
  | 'gone' // 410: the feed is disabled
  | 'rate-limited' // 429 / 503 with or without Retry-After
  | 'parse' // not a feed we can read
  | 'internal'; // a bug: recorded instead of crashing the run

export interface FeedError {
  kind: FeedErrorKind;
  message: string;
  httpStatus?: number;
}

export interface Enclosure {
  url: string;
  type: string | null;
  length: number | null;
}

/**
 * One normalized entry, ready to store. Built only by ingest/normalize.ts.
 * Text fields are plain text (entities decoded, tags removed); contentHtml is sanitized HTML
 * with absolute URLs.
 */
export interface Item {
  /**
   * Per-feed identity: the guid, else the link without tracking parameters, else a hash of title
   * and date; by its feed's IdentityScheme.
   */
  identity: string;
  guid: string | null;
  url: string | null;
  title: string;
  summary: string;
  contentHtml: string;
  authors: string[];
  categories: string[];
  /** ISO-8601 UTC, or null when the entry carries no readable date. */
  publishedAt: string | null;
  updatedAt: string | null;
  language: string | null;
  enclosures: Enclosure[];
  /**
   * The allowlist version contentHtml was sanitized with (SANITIZE_POLICY). Absent or older: it is
   * sanitized again before it is republished.
   */
  sanitizedWith?: number;
}

/** A whole parsed document: channel facts plus its items. */
export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json';
  title: string | null;
  siteUrl: string | null;
  language: string | null;
  /** The feed's own polling hint (<ttl>, sy:updatePeriod/Frequency), in minutes. */
  minIntervalMinutes: number | null;
  /** The WebSub hub the feed names, and the address it names itself by (its topic there); http(s) only. */
  hubUrl: string | null;
  selfUrl: string | null;
  items: Item[];
}

/**
 * How a feed's entries are told apart, from the most to the least stable: 0, by guid, else link,
 * else title and date; 1, by link, else title and date, for a feed that gives one guid to different
 * entries; 2, by link, title and date, for one that also gives them one link. A feed starts at 0
 * and moves on only when a document of it shows its scheme failing (ingest/identity.ts); it never
 * moves back (migrations/0022).
 */
export type IdentityScheme = 0 | 1 | 2;

/** Where a feed stands: never fetched, last fetch good, last fetch failed, or not fetched at all. */
export type FeedState = 'waiting' | 'ok' | 'failing' | 'disabled';

export interface FeedRecord {
  id: number;
  url: string;
  title: string | null;
  siteUrl: string | null;
  origin: 'config' | 'api';
  disabled: boolean;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  lastFetchedAt: string | null;
  lastStatus: number | null;
  lastError: FeedError | null;
  consecutiveFailures: number;
  nextFetchAt: string | null;
  minIntervalMinutes: number | null;
  /** The operator's interval for this feed, instead of the adaptive one; null for that. */
  intervalMinutes: number | null;
  /** Where the last fetch's permanent redirects led, when the feed's URL stayed (see migrations/0012). */
  movedTo: string | null;
  itemCount: number;
  identityScheme: IdentityScheme;
  /** The WebSub hub the feed's last fetch named (its Link header, else its document), and the subscription there. */
  websub: FeedWebSub | null;
}

export type WebSubState = 'new' | 'requested' | 'verified' | 'denied' | 'failed';

export interface FeedWebSub {
  hub: string;
  /** The feed's address at the hub: its rel="self", else its URL. */
  topic: string;
  /** Null until the subscriber first plans one (only `serve` with ingest.websub.subscribe does). */
  subscription: {
    /** new: not asked yet; requested: asked, not confirmed; verified: the hub confirmed; denied: the hub refused; failed: the hub could not be reached or refused the request. */
    state: WebSubState;
    leaseExpiresAt: string | null;
    error: string | null;
    lastNotifiedAt: string | null;
    notifications: number;
    /** The changes the feed's fetches found in a row that the hub had announced first; polls relax at 3 (store/websub.ts). */
    changesAnnounced: number;
    /** When a fetch last found a change the hub had not announced. */
    lastUnannouncedChangeAt: string | null;
  } | null;
}

export interface StoredItem extends Item {
  id: number;
  feedId: number;
  feedTitle: string | null;
  /** The URL of the feed the item was read from (RSS <source url>, atom:source). */
  feedUrl: string;
  firstSeenAt: string;
  /**
   * What lists sort on: publishedAt, but never later than firstSeenAt (future-dated entries), and for a
   * late entry never earlier than an hour before it (store/fetch-results.ts, newSortTime).
   */
  sortAt: string;
  storyId: number | null;
  /** Changes with every write of the item's row, so whatever was made from one version can be kept until it does. */
  version: string;
}

/** An item without its content, as the API's lists show it. */
export type ListedItem = Omit<StoredItem, 'contentHtml'>;

/** An item as a page lists it: enough to page and date the page, and to tell which version it is. */
export type ItemRef = Pick<StoredItem, 'id' | 'feedId' | 'feedTitle' | 'feedUrl' | 'storyId' | 'sortAt' | 'updatedAt' | 'version'>;

export interface TopicRecord {
  slug: string;
  title: string;
  query: string;
  origin: 'config' | 'api';
  /** A pinned topic's items outlive retention. */
  pinned: boolean;
}

/** Why an item belongs to a topic: the words of the item that satisfied the query. */
export interface TopicMatch {
  slug: string;
  terms: string[];
}
