import { resolve } from './common.js';
import type { RawEnclosure, RawEntry, RawFeed, RawText } from './raw.js';

// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Values are checked one by one
// instead of by schema: a feed with one odd field should still yield its items.

type JsonObject = Record<string, unknown>;

export function isJsonFeed(document: unknown): document is JsonObject {
  if (!isObject(document) || typeof document.version !== 'string') return false;
  // The version is a URL; some generators write the bare number instead.
  return /jsonfeed\.org\/version\//i.test(document.version) || (/^1(\.[01])?$/.test(document.version) && Array.isArray(document.items));
}

export function readJsonFeed(document: JsonObject, documentUrl: string): RawFeed {
  // Relative URLs resolve against where the document was fetched (RFC 3986 §5.1.3).
  const base = documentUrl;
  const home = string(document.home_page_url);
  const self = string(document.feed_url);
  const title = string(document.title);
  const items = Array.isArray(document.items) ? document.items.filter(isObject) : [];
  return {
    format: 'json',
    title: title ? { value: title, type: 'text', base } : null,
    siteUrl: home ? resolve(home, base) : null,
    base,
    language: string(document.language),
    minIntervalMinutes: null,
    hubUrl: webSubHub(document.hubs, base),
    selfUrl: self ? resolve(self, base) : null,
    entries: items.map((item) => readItem(item, base, document)),
  };
}

/** The first of `hubs` whose type is WebSub (or its older name, PubSubHubbub). */
function webSubHub(hubs: unknown, base: string): string | null {
  if (!Array.isArray(hubs)) return null;
  for (const hub of hubs) {
    if (!isObject(hub) || !/^(websub|pubsubhubbub)$/i.test(string(hub.type) ?? '')) continue;
    const url = string(hub.url);
    if (url) return resolve(url, base);
  }
  return null;
}

function readItem(item: JsonObject, base: string, feed: JsonObject): RawEntry {
  const id = typeof item.id === 'number' ? String(item.id) : string(item.id);
  const link = string(item.url) ?? string(item.external_url);
  return {
    base,
    guid: id,
    guidIsPermaLink: false,
    link: link ? resolve(link, base) : null,
    title: text(item.title, 'text', base),
    summary: text(item.summary, 'text', base),
    content: text(item.content_html, 'html', base) ?? text(item.content_text, 'text', base),
    published: string(item.date_published),
    updated: string(item.date_modified),
    authors: authors(item).length > 0 ? authors(item) : authors(feed),
    categories: Array.isArray(item.tags) ? item.tags.filter((tag): tag is string => typeof tag === 'string') : [],
    language: string(item.language),
    enclosures: attachments(item.attachments, base),
  };
}

// 1.1 has "authors" (an array); 1.0 had a single "author".
function authors(holder: JsonObject): string[] {
  const people = Array.isArray(holder.authors) ? holder.authors : holder.author ? [holder.author] : [];
  return people.filter(isObject).flatMap((person) => string(person.name) ?? []);
}

function attachments(value: unknown, base: string): RawEnclosure[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((attachment) => {
    const url = string(attachment.url);
    if (!url) return [];
    const size = attachment.size_in_bytes;
    return [{ url: resolve(url, base), type: string(attachment.mime_type), length: typeof size === 'number' ? String(size) : null }];
  });
}

function text(value: unknown, type: RawText['type'], base: string): RawText | null {
  const content = string(value);
  return content ? { value: content, type, base } : null;
}

function string(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
