import { escapeUTF8 } from 'entities';
import { republishableHtml } from '../html/sanitize.js';
import type { StoredItem } from '../model.js';
import type { AlsoReportedBy, FeedEntry } from './document.js';
import { withoutForbiddenChars } from '../html/xml-chars.js';

// One id scheme for all three formats, derived from what never changes of an item (its row id,
// when it was first stored), so editing an item upstream (new title, new link) never makes
// readers show it as a new entry. The date is the year the scheme was minted (RFC 4151), not the
// item's date: it must never change.
const ENTRY_ID_PREFIX = 'tag:feedsieve,2026:item/';

/**
 * The entry's id. An item stored after `plainThrough` (the database's mark,
 * migrations/0019_entry_ids_after_restore.sql) also names when it was first stored: a row id that
 * a database restored from a backup, or started afresh, gives again then names another entry for
 * readers. Items up to the mark keep the row id alone, as readers know them.
 */
export function entryId(item: StoredItem, plainThrough = Number.POSITIVE_INFINITY): string {
  return item.id <= plainThrough ? `${ENTRY_ID_PREFIX}${item.id}` : `${ENTRY_ID_PREFIX}${item.id}/${Date.parse(item.firstSeenAt)}`;
}

// One unreadable stored date must not take the whole feed down (toISOString throws on it).
function firstValidDate(...values: (string | null)[]): Date | null {
  for (const value of values) {
    if (value === null) continue;
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

const EPOCH = new Date(0);

/** The source's own publish date, when it gave a readable one. */
export function sourcePublishedDate(item: StoredItem): Date | null {
  return firstValidDate(item.publishedAt);
}

/** Published: the source's date, else when we first saw it. */
export function publishedDate(item: StoredItem): Date {
  return firstValidDate(item.publishedAt, item.sortAt, item.firstSeenAt) ?? EPOCH;
}

/** Updated: the source's update date, else its publish date, else when we first saw it. */
export function updatedDate(item: StoredItem): Date {
  return firstValidDate(item.updatedAt, item.publishedAt, item.sortAt, item.firstSeenAt) ?? EPOCH;
}

const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/;

/** A media type as the formats require it ("type/subtype"), or null for free text like "mp3". */
export function mediaTypeOrNull(value: string | null): string | null {
  return value !== null && MEDIA_TYPE.test(value.trim()) ? value.trim() : null;
}

/** Names and categories as sources give them, minus the ones left blank once unusable characters go. */
export function nonEmpty(values: string[]): string[] {
  return values.map((value) => withoutForbiddenChars(value).trim()).filter((value) => value !== '');
}

/** The name to show for the feed an item came from. */
export function sourceTitle(item: StoredItem): string {
  return nonEmpty([item.feedTitle ?? ''])[0] ?? 'Unknown source';
}

/** Only http(s) links are republished: anything else is shown as text. */
export function webUrlOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function alsoReportedByHtml(others: AlsoReportedBy[]): string {
  if (others.length === 0) return '';
  const names = others.map((other) => {
    const name = escapeUTF8(withoutForbiddenChars(other.feedTitle));
    const url = webUrlOrNull(other.url);
    return url ? `<a href="${escapeUTF8(url)}">${name}</a>` : name;
  });
  return `<p>Also reported by: ${names.join(', ')}</p>`;
}

/**
 * The entry's HTML body: the content as sanitized at ingest (again, for rows from before a
 * stricter allowlist). The "Also reported by" line is built after that from escaped names and
 * checked URLs, so it needs no sanitizer pass. Holds no character XML forbids, so it goes into a
 * feed as it is (xml.ts's htmlElement).
 */
export function entryContentHtml(entry: FeedEntry): string {
  const { item } = entry;
  const body = item.contentHtml
    ? republishableHtml(item)
    : item.summary
      ? `<p>${escapeUTF8(withoutForbiddenChars(item.summary))}</p>`
      : '';
  return body + alsoReportedByHtml(entry.alsoReportedBy);
}
