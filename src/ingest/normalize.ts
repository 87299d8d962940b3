import { escapeText } from 'entities';
import { SANITIZE_POLICY, sanitizeContent, sanitizeContentWithSourceText, sanitizeContentWithText } from '../html/sanitize.js';
import { htmlToText } from '../html/text.js';
import type { Enclosure, Item, ParsedFeed } from '../model.js';
import { parseFeedDate } from './dates.js';
import type { RawEntry, RawFeed, RawText } from './formats/raw.js';
import { itemIdentity, stripTrackingParams } from './identity.js';

/** How long a summary cut from full content may be, in characters. */
export const EXCERPT_LENGTH = 300;

/**
 * An entry normalized in everything but its content, which stays as the feed wrote it:
 * sanitizing is the dearest step of parsing, and a re-fetched feed mostly repeats entries
 * already stored, so ingest sanitizes only the entries that are new or changed.
 */
export interface ItemDraft extends Omit<Item, 'contentHtml' | 'summary'> {
  summary: DraftSummary;
  content: RawText | null;
}

/**
 * A draft's summary: its text, or, where the summary is the content's HTML (an RSS description
 * alone) or the entry has HTML content and no summary, that HTML's text, whole or as an excerpt,
 * read when the content is sanitized (finishItemWithText). Read for the draft, the same HTML was
 * parsed twice; 62% of the real-world corpus's entries have a description alone, 15% content
 * alone.
 */
export type DraftSummary = string | { fromContent: 'whole' | 'excerpt' };

export interface DraftFeed extends Omit<ParsedFeed, 'items'> {
  items: ItemDraft[];
}

/** A format parser's raw document → the shared model. The only place an Item is built. */
export function normalizeFeed(raw: RawFeed): ParsedFeed {
  const feed = draftFeed(raw);
  return { ...feed, items: feed.items.map(finishItem) };
}

export function draftFeed(raw: RawFeed): DraftFeed {
  return { ...draftFeedFacts(raw), items: raw.entries.map((entry) => draftEntry(entry, raw)) };
}

/** The feed's own facts, normalized: everything but its entries. */
export function draftFeedFacts(raw: Omit<RawFeed, 'entries'>): Omit<DraftFeed, 'items'> {
  const title = toPlainText(raw.title);
  return {
    format: raw.format,
    title: title || null,
    siteUrl: raw.siteUrl ? httpUrl(raw.siteUrl, raw.base) : null,
    language: languageTag(raw.language),
    minIntervalMinutes: raw.minIntervalMinutes,
    hubUrl: raw.hubUrl ? httpUrl(raw.hubUrl, raw.base) : null,
    selfUrl: raw.selfUrl ? httpUrl(raw.selfUrl, raw.base) : null,
  };
}

/** One raw entry → an Item; the feed supplies the language an entry does not state. */
export function normalizeEntry(entry: RawEntry, feed: Pick<RawFeed, 'language'>): Item {
  return finishItem(draftEntry(entry, feed));
}

/**
 * The draft's fields and its sanitized content, named one by one: an object spread of a draft
 * (and the rest pattern taking `content` out of it) is a clone V8 makes in its runtime, slower than
 * a literal and, for objects of this many properties, kept past scavenges.
 */
function itemOf(draft: ItemDraft, summary: string, contentHtml: string): Item {
  return {
    identity: draft.identity, guid: draft.guid, url: draft.url, title: draft.title, summary, contentHtml,
    authors: draft.authors, categories: draft.categories, publishedAt: draft.publishedAt, updatedAt: draft.updatedAt,
    language: draft.language, enclosures: draft.enclosures, sanitizedWith: SANITIZE_POLICY,
  };
}

/** The content, sanitized with URLs made absolute: what turns a draft into an Item. */
export function finishItem(draft: ItemDraft): Item {
  const { content, summary } = draft;
  if (typeof summary !== 'string') return finishItemWithText(draft).item;
  return itemOf(draft, summary, content ? sanitizeContent(toHtml(content), content.base) : '');
}

/** finishItem, plus the visible text of the sanitized content, read in the same pass. */
export function finishItemWithText(draft: ItemDraft): { item: Item; contentText: string } {
  const { content, summary } = draft;
  if (typeof summary === 'string') {
    const { html, text } = content ? sanitizeContentWithText(toHtml(content), content.base) : { html: '', text: '' };
    return { item: itemOf(draft, summary, html), contentText: text };
  }
  // draftSummary never leaves a summary to content that is not there.
  if (content === null) return { item: itemOf(draft, summaryTextOf(draft), ''), contentText: '' };
  const { html, text, sourceText } = sanitizeContentWithSourceText(toHtml(content), content.base);
  return { item: itemOf(draft, summary.fromContent === 'whole' ? sourceText : excerpt(sourceText), html), contentText: text };
}

/**
 * A draft's summary as drafts held it before DraftSummary, read from the raw HTML: what change
 * hashes of the earlier formats were taken over (entry-hash.ts).
 */
export function summaryTextOf(draft: ItemDraft): string {
  const { summary } = draft;
  if (typeof summary === 'string') return summary;
  const text = toPlainText(draft.content);
  return summary.fromContent === 'whole' ? text : excerpt(text);
}

function draftSummary(entry: RawEntry): DraftSummary {
  const { summary, content } = entry;
  if (content === null && summary !== null && summary.type !== 'text') return { fromContent: 'whole' };
  const text = toPlainText(summary);
  if (text) return text;
  // Plain text content is cheap to read twice, and toHtml reads it differently from toPlainText.
  if (content === null || content.type === 'text') return excerpt(toPlainText(content));
  return { fromContent: 'excerpt' };
}

/** One raw entry, normalized in everything but its content; the feed supplies the language an entry does not state. */
export function draftEntry(entry: RawEntry, feed: Pick<RawFeed, 'language'>): ItemDraft {
  const title = toPlainText(entry.title);
  const link = entryLink(entry);
  const url = link ? stripTrackingParams(link) : null;
  const publishedAt = parseFeedDate(entry.published);
  const updatedAt = parseFeedDate(entry.updated);
  const guid = entry.guid?.trim() || null;
  return {
    identity: itemIdentity({ guid, url, title, publishedAt: publishedAt ?? updatedAt }),
    guid,
    url,
    title,
    summary: draftSummary(entry),
    content: entry.content ?? entry.summary,
    authors: unique(entry.authors.map(personName)),
    categories: unique(entry.categories),
    // An entry without its own date still has to sort somewhere; its last update is the
    // closest the feed says to when it appeared.
    publishedAt: publishedAt ?? updatedAt,
    updatedAt,
    language: languageTag(entry.language) ?? languageTag(feed.language),
    enclosures: enclosures(entry),
  };
}

// BCP 47 separates subtags with "-"; POSIX locales ("en_US") leak into feeds.
function languageTag(value: string | null): string | null {
  return value?.trim().replace(/_/g, '-') || null;
}

function entryLink(entry: RawEntry): string | null {
  if (entry.link) return httpUrl(entry.link, entry.base);
  // RSS 2.0: a permalink guid is the item's URL when <link> is missing.
  if (entry.guid && entry.guidIsPermaLink) return httpUrl(entry.guid, entry.base, true);
  return null;
}

/** An absolute http(s) URL, or null; relative references resolve against `base`. */
export function httpUrl(value: string, base: string, absoluteOnly = false): string | null {
  try {
    const url = absoluteOnly ? new URL(value.trim()) : new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// "&amp;" was already decoded by the XML layer, so only values that still look like markup
// or carry entity references are read as HTML; plain text is decoded exactly once.
// [^<>]* rather than [^>]* keeps the scan linear on text full of unclosed "<a".
const LOOKS_LIKE_HTML = /<\/?[a-zA-Z][^<>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/;

/** A text construct as plain text: tags removed, entities decoded once, whitespace collapsed. */
export function toPlainText(text: RawText | null): string {
  if (!text) return '';
  if (text.type === 'text' && !LOOKS_LIKE_HTML.test(text.value)) return text.value.replace(/\s+/g, ' ').trim();
  return htmlToText(text.value);
}

function toHtml(text: RawText): string {
  if (text.type !== 'text') return text.value;
  return text.value
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeText(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function excerpt(text: string): string {
  if (text.length <= EXCERPT_LENGTH) return text;
  const cut = text.slice(0, EXCERPT_LENGTH);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > EXCERPT_LENGTH / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

// Longer than any name with an address; not worth pattern matching (and never slow to skip).
const MAX_PERSON_LENGTH = 300;

// RSS <author> is an e-mail address with the name in parentheses ("jo@example.com (Jo Smith)");
// feeds also write it the other way round or mail-style ("Jo Smith <jo@example.com>").
function personName(value: string): string {
  const text = htmlToText(value);
  if (text.length > MAX_PERSON_LENGTH) return text;
  const nameAfterEmail = /^\S+@\S+\s*\((.+)\)$/.exec(text);
  if (nameAfterEmail) return (nameAfterEmail[1] as string).trim();
  const nameBeforeEmail = /^(.+?)\s*[(<]\s*[^\s()<>]+@[^\s()<>]+\s*[)>]$/.exec(text);
  return (nameBeforeEmail?.[1] ?? text).trim();
}

/** Trimmed, non-empty, first spelling kept when values differ only in case. */
function unique(values: string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const value of values) {
    const trimmed = value.replace(/\s+/g, ' ').trim();
    const key = trimmed.toLowerCase();
    if (!trimmed || seen.has(key)) continue;
    seen.add(key);
    kept.push(trimmed);
  }
  return kept;
}

function enclosures(entry: RawEntry): Enclosure[] {
  const seen = new Set<string>();
  const kept: Enclosure[] = [];
  for (const enclosure of entry.enclosures) {
    const url = httpUrl(enclosure.url, entry.base);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const length = enclosure.length === null ? NaN : Number.parseInt(enclosure.length, 10);
    kept.push({ url, type: enclosure.type, length: Number.isFinite(length) && length >= 0 ? length : null });
  }
  return kept;
}
