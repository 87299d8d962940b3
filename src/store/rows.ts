import type { FeedErrorKind, FeedRecord, IdentityScheme, ItemRef, ListedItem, StoredItem, WebSubState } from '../model.js';

// Row shapes as SQLite returns them, and their mapping to the model. Kept apart so every query
// module maps the same way.

export interface FeedRow {
  id: number;
  url: string;
  title: string | null;
  source_title: string | null;
  site_url: string | null;
  origin: 'config' | 'api';
  disabled: number;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  last_fetched_at: string | null;
  last_status: number | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  consecutive_failures: number;
  next_fetch_at: string | null;
  min_interval_minutes: number | null;
  moved_to: string | null;
  interval_minutes: number | null;
  item_count: number;
  identity_scheme: IdentityScheme;
  websub_hub: string | null;
  websub_topic: string | null;
  /** The subscription's, joined: null without one. */
  websub_state: WebSubState | null;
  websub_lease_expires_at: string | null;
  websub_error: string | null;
  websub_notified_at: string | null;
  websub_notifications: number | null;
  websub_changes_announced: number | null;
  websub_unannounced_change_at: string | null;
}

export function toFeedRecord(row: FeedRow): FeedRecord {
  return {
    id: row.id,
    url: row.url,
    title: row.title ?? row.source_title,
    siteUrl: row.site_url,
    origin: row.origin,
    disabled: row.disabled === 1,
    etag: row.etag,
    lastModified: row.last_modified,
    contentHash: row.content_hash,
    lastFetchedAt: row.last_fetched_at,
    lastStatus: row.last_status,
    lastError: row.last_error_kind
      ? {
          kind: row.last_error_kind as FeedErrorKind,
          message: row.last_error_message ?? '',
          ...(row.last_status !== null ? { httpStatus: row.last_status } : {}),
        }
      : null,
    consecutiveFailures: row.consecutive_failures,
    nextFetchAt: row.next_fetch_at,
    minIntervalMinutes: row.min_interval_minutes,
    movedTo: row.moved_to,
    intervalMinutes: row.interval_minutes,
    itemCount: row.item_count,
    identityScheme: row.identity_scheme,
    websub: row.websub_hub === null || row.websub_topic === null ? null : {
      hub: row.websub_hub,
      topic: row.websub_topic,
      subscription: row.websub_state === null ? null : {
        state: row.websub_state, leaseExpiresAt: row.websub_lease_expires_at, error: row.websub_error,
        lastNotifiedAt: row.websub_notified_at, notifications: row.websub_notifications ?? 0,
        changesAnnounced: row.websub_changes_announced ?? 0, lastUnannouncedChangeAt: row.websub_unannounced_change_at,
      },
    },
  };
}

// Item rows are read as arrays (better-sqlite3's raw mode, `.raw(true)` on the statement): it builds
// a row object one property at a time, and for an item's 21 columns that cost more than reading
// them (a feed page of 50 items at 1,000,000 items: 0.28 against 0.15 ms). The tuple types name each
// position, in the order of the column lists below them.

/** An item's columns but its content, in LISTED_COLUMNS' order. */
export type ListedItemRow = [
  id: number,
  feedId: number,
  feedTitle: string | null,
  feedUrl: string,
  identity: string,
  guid: string | null,
  url: string | null,
  title: string,
  summary: string,
  authors: string,
  categories: string,
  enclosures: string,
  language: string | null,
  publishedAt: string | null,
  updatedAt: string | null,
  firstSeenAt: string,
  sortAt: string,
  storyId: number | null,
  sanitizedWith: number,
  version: string,
];

export type ItemRow = [...ListedItemRow, contentHtml: string];

// Every write of an item's row sets changed_at (to its fetch time) and, since a row is only
// rewritten when its entry's hash differs, content_hash too: the pair names the row's version.
const VERSION = `i.changed_at || ' ' || i.content_hash AS version`;

/**
 * What a list of items in the API shows: everything but the content, which is most of a row's
 * bytes and which such a list leaves out (a topic's page of 50 at 1,000,000 items: 0.24 against
 * 0.28 ms, and ~90 KB less garbage).
 */
export const LISTED_COLUMNS = `i.id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title, f.url AS feed_url, i.identity, i.guid,
  i.url, i.title, i.summary, i.authors, i.categories, i.enclosures, i.language,
  i.published_at, i.updated_at, i.first_seen_at, i.sort_at, i.story_id, i.sanitized_with, ${VERSION}`;

export const ITEM_COLUMNS = `${LISTED_COLUMNS}, i.content_html`;

export type ItemRefRow = [
  id: number,
  feedId: number,
  feedTitle: string | null,
  feedUrl: string,
  storyId: number | null,
  sortAt: string,
  updatedAt: string | null,
  version: string,
];

/** An item's columns that come before its text in the row (migrations/0003_compact_rows.sql). */
export const REF_COLUMNS = `i.id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title, f.url AS feed_url, i.story_id,
  i.sort_at, i.updated_at, ${VERSION}`;

export function toItemRef(row: ItemRefRow): ItemRef {
  const [id, feedId, feedTitle, feedUrl, storyId, sortAt, updatedAt, version] = row;
  return { id, feedId, feedTitle, feedUrl, storyId, sortAt, updatedAt, version };
}

export function toListedItem(row: ListedItemRow): ListedItem {
  const [
    id, feedId, feedTitle, feedUrl, identity, guid, url, title, summary, authors, categories, enclosures,
    language, publishedAt, updatedAt, firstSeenAt, sortAt, storyId, sanitizedWith, version,
  ] = row;
  return {
    id,
    feedId,
    feedTitle,
    feedUrl,
    identity,
    guid,
    url,
    title,
    summary,
    authors: JSON.parse(authors) as string[],
    categories: JSON.parse(categories) as string[],
    enclosures: JSON.parse(enclosures) as StoredItem['enclosures'],
    language,
    publishedAt,
    updatedAt,
    firstSeenAt,
    sortAt,
    storyId,
    sanitizedWith,
    version,
  };
}

export function toStoredItem(row: ItemRow): StoredItem {
  // The content is ITEM_COLUMNS' last column, whatever LISTED_COLUMNS holds before it.
  const item = toListedItem(row as unknown as ListedItemRow) as StoredItem;
  item.contentHtml = row[row.length - 1] as string;
  return item;
}
