// Turning what a person pastes (a feed URL or the URL of a site's page) into a feed URL. A page
// names its feeds in <link rel="alternate" type="application/rss+xml" href="…"> (the RSS
// autodiscovery convention, also used for Atom and JSON Feed). Every fetch goes through
// fetchFeed, so discovery has the same limits and address guard as ingest.
import { Parser } from 'htmlparser2';
import type { FeedError } from '../model.js';
import { decodeBody } from './decode.js';
import { redactUrl } from '../redact-url.js';
import { type FetchLimits, fetchFeed } from './fetch.js';
import { parseFeedDrafts } from './parse.js';

export type Discovery = { ok: true; feedUrl: string; title: string | null } | { ok: false; error: FeedError };

export interface FeedLink {
  url: string;
  title: string | null;
}

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/rdf+xml',
]);

/** A page may advertise many feeds (comments, categories); the first few are the main ones. */
const MAX_CANDIDATES = 3;

const NO_VALIDATORS = { etag: null, lastModified: null };

/**
 * The feed at `url`: `url` itself when it is a feed, else the first feed its page links to that
 * can be fetched and parsed. Never rejects; a URL that leads to no feed is a 'parse' error.
 */
export async function discoverFeed(url: string, limits: FetchLimits): Promise<Discovery> {
  const fetched = await fetchFeed(url, NO_VALIDATORS, limits);
  if (fetched.status === 'error') return { ok: false, error: fetched.error };
  if (fetched.status === 'not-modified') {
    return failure('http', `GET ${redactUrl(url)}: 304 Not Modified to a request that was not conditional`);
  }
  const parsed = parseFeedDrafts(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType });
  // Only a permanent move replaces what the person typed; a temporary one may move back.
  if (parsed.ok) return { ok: true, feedUrl: fetched.permanentUrl ?? url, title: parsed.feed.title };

  const decoded = decodeBody(fetched.body, fetched.contentType);
  const links = decoded.ok ? feedLinks(decoded.text, fetched.finalUrl) : [];
  if (links.length === 0) {
    const what = isHtml(fetched.contentType, decoded.ok ? decoded.text : '')
      ? 'a web page with no <link rel="alternate"> to an RSS, Atom or JSON feed'
      : `not a feed (${parsed.error.message}) and not a web page that links to one`;
    return failure('parse', `${redactUrl(url)} is ${what}`);
  }
  const candidates = links.slice(0, MAX_CANDIDATES);
  const errors: FeedError[] = [];
  for (const link of candidates) {
    const found = await readLinkedFeed(link, limits);
    if (found.ok) return found;
    errors.push(found.error);
  }
  const last = errors[errors.length - 1]!;
  const tried = candidates.map((link) => redactUrl(link.url)).join(', ');
  return failure(last.kind, `${redactUrl(url)} links to ${tried}, but none of them could be read: ${last.message}`);
}

async function readLinkedFeed(link: FeedLink, limits: FetchLimits): Promise<Discovery> {
  const fetched = await fetchFeed(link.url, NO_VALIDATORS, limits);
  if (fetched.status === 'error') return { ok: false, error: fetched.error };
  if (fetched.status === 'not-modified') return failure('http', `GET ${redactUrl(link.url)}: unexpected 304`);
  const parsed = parseFeedDrafts(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType });
  if (!parsed.ok) return { ok: false, error: { ...parsed.error, message: `${redactUrl(link.url)}: ${parsed.error.message}` } };
  return { ok: true, feedUrl: fetched.permanentUrl ?? link.url, title: parsed.feed.title ?? link.title };
}

/**
 * The feeds an HTML page advertises, in document order, as absolute http(s) URLs resolved
 * against the page's <base href> or else its own URL.
 */
export function feedLinks(html: string, pageUrl: string): FeedLink[] {
  let base: URL | null = toUrl(pageUrl, undefined);
  const links: FeedLink[] = [];
  const seen = new Set<string>();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'base' && attributes.href !== undefined && base !== null) {
          base = toUrl(attributes.href, base) ?? base;
          return;
        }
        if (name !== 'link' || attributes.href === undefined || base === null) return;
        const rel = (attributes.rel ?? '').toLowerCase().split(/\s+/);
        const type = (attributes.type ?? '').split(';')[0]!.trim().toLowerCase();
        if (!rel.includes('alternate') || !FEED_TYPES.has(type)) return;
        const url = toUrl(attributes.href.trim(), base);
        if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || seen.has(url.href)) return;
        seen.add(url.href);
        links.push({ url: url.href, title: attributes.title?.trim() || null });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return links;
}

function isHtml(contentType: string | null, text: string): boolean {
  if (contentType !== null && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) return true;
  return /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html)\b/i.test(text);
}

function toUrl(href: string, base: URL | undefined): URL | null {
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}

function failure(kind: FeedError['kind'], message: string): Discovery {
  return { ok: false, error: { kind, message } };
}
