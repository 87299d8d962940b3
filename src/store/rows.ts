import type { FeedErrorKind, FeedRecord, ItemRef, StoredItem } from '../model.js';

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
  item_count: number;
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
    itemCount: row.item_count,
  };
}

export interface ItemRow {
  id: number;
  feed_id: number;
  feed_title: string | null;
  feed_url: string;
  identity: string;
  guid: string | null;
  url: string | null;
  title: string;
  summary: string;
  content_html: string;
  authors: string;
  categories: string;
  enclosures: string;
  language: string | null;
  published_at: string | null;
  updated_at: string | null;
  first_seen_at: string;
  sort_at: string;
  story_id: number | null;
  sanitized_with: number;
  version: string;
}

// Every write of an item's row sets changed_at (to its fetch time) and, since a row is only
// rewritten when its entry's hash differs, content_hash too: the pair names the row's version.
const VERSION = `i.changed_at || ' ' || i.content_hash AS version`;

export const ITEM_COLUMNS = `i.id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title, f.url AS feed_url, i.identity, i.guid,
  i.url, i.title, i.summary, i.content_html, i.authors, i.categories, i.enclosures, i.language,
  i.published_at, i.updated_at, i.first_seen_at, i.sort_at, i.story_id, i.sanitized_with, ${VERSION}`;

/** An item's columns that come before its text in the row (migrations/0003_compact_rows.sql). */
export const REF_COLUMNS = `i.id, i.feed_id, coalesce(f.title, f.source_title) AS feed_title, f.url AS feed_url, i.story_id,
  i.sort_at, i.updated_at, ${VERSION}`;

export interface ItemRefRow {
  id: number;
  feed_id: number;
  feed_title: string | null;
  feed_url: string;
  story_id: number | null;
  sort_at: string;
  updated_at: string | null;
  version: string;
}

export function toItemRef(row: ItemRefRow): ItemRef {
  return {
    id: row.id,
    feedId: row.feed_id,
    feedTitle: row.feed_title,
    feedUrl: row.feed_url,
    storyId: row.story_id,
    sortAt: row.sort_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export function toStoredItem(row: ItemRow): StoredItem {
  return {
    id: row.id,
    feedId: row.feed_id,
    feedTitle: row.feed_title,
    feedUrl: row.feed_url,
    identity: row.identity,
    guid: row.guid,
    url: row.url,
    title: row.title,
    summary: row.summary,
    contentHtml: row.content_html,
    authors: JSON.parse(row.authors) as string[],
    categories: JSON.parse(row.categories) as string[],
    enclosures: JSON.parse(row.enclosures) as StoredItem['enclosures'],
    language: row.language,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    firstSeenAt: row.first_seen_at,
    sortAt: row.sort_at,
    storyId: row.story_id,
    sanitizedWith: row.sanitized_with,
    version: row.version,
  };
}
