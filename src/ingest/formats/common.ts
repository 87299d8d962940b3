import type { RawEnclosure, RawText } from './raw.js';
import { child, childrenNamed, valueOf, type XmlElement } from './xml.js';

// Pieces shared by the XML formats: extension namespaces (Dublin Core, Media RSS,
// syndication) appear the same way in RSS, RDF and Atom documents.

/** An element's value read as HTML (RSS fields; inline markup counts as HTML too). */
export function htmlText(element: XmlElement | undefined): RawText | null {
  if (!element) return null;
  const value = valueOf(element);
  return value === null ? null : { value, type: 'html', base: element.base };
}

/** An element's value read as plain text unless it holds inline markup. */
export function plainText(element: XmlElement | undefined): RawText | null {
  if (!element) return null;
  const value = valueOf(element);
  if (value === null) return null;
  return { value, type: element.children.length > 0 ? 'html' : 'text', base: element.base };
}

/** Every trimmed, non-empty value of the named children. */
export function texts(element: XmlElement, ...names: string[]): string[] {
  const values: string[] = [];
  for (const found of childrenNamed(element, ...names)) {
    const value = valueOf(found);
    if (value !== null) values.push(value);
  }
  return values;
}

/** Media RSS enclosures, directly under the entry or grouped in <media:group>. */
export function mediaEnclosures(entry: XmlElement): RawEnclosure[] {
  const enclosures: RawEnclosure[] = [];
  const groups = [entry, ...childrenNamed(entry, 'media:group')];
  for (const group of groups) {
    for (const content of childrenNamed(group, 'media:content')) {
      const url = content.attrs.url?.trim();
      if (!url) continue;
      enclosures.push({
        url: resolve(url, content.base),
        type: content.attrs.type?.trim() || mediumType(content.attrs.medium),
        length: content.attrs.filesize?.trim() || null,
      });
    }
  }
  return enclosures;
}

function mediumType(medium: string | undefined): string | null {
  // Media RSS gives a coarse medium when the MIME type is missing; keep its family.
  return medium === 'image' || medium === 'audio' || medium === 'video' ? `${medium}/*` : null;
}

/** <media:description>, directly or in a <media:group>: YouTube-style feeds' only summary. */
export function mediaDescription(entry: XmlElement): RawText | null {
  const found = child(entry, 'media:description') ?? child(child(entry, 'media:group') ?? entry, 'media:description');
  if (!found) return null;
  const value = valueOf(found);
  if (value === null) return null;
  return { value, type: found.attrs.type === 'html' ? 'html' : 'text', base: found.base };
}

const PERIOD_MINUTES: Record<string, number> = {
  hourly: 60,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  yearly: 525600,
};

/** The channel's polling hint: <ttl> minutes, else sy:updatePeriod / sy:updateFrequency. */
export function pollingInterval(channel: XmlElement): number | null {
  const ttl = integerIn(child(channel, 'ttl'));
  if (ttl !== null && ttl > 0) return ttl;
  const period = child(channel, 'sy:updateperiod');
  const periodMinutes = period ? PERIOD_MINUTES[(valueOf(period) ?? '').toLowerCase()] : undefined;
  if (periodMinutes === undefined) return null;
  const frequency = integerIn(child(channel, 'sy:updatefrequency')) ?? 1;
  return Math.max(1, Math.round(periodMinutes / (frequency > 0 ? frequency : 1)));
}

function integerIn(element: XmlElement | undefined): number | null {
  if (!element) return null;
  const value = Number.parseInt(valueOf(element) ?? '', 10);
  return Number.isFinite(value) ? value : null;
}

/** `url` made absolute against `base` when possible, else as written. */
export function resolve(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

/**
 * The WebSub hub and self links among an element's links (atom:link in RSS and RDF channels, the
 * feed's links in Atom), resolved; the first of each. A rel may list several relations.
 */
export function websubLinks(element: XmlElement): { hubUrl: string | null; selfUrl: string | null } {
  let hubUrl: string | null = null;
  let selfUrl: string | null = null;
  for (const link of childrenNamed(element, 'atom:link', 'link')) {
    const href = link.attrs.href?.trim();
    if (!href) continue;
    const rels = (link.attrs.rel ?? '').toLowerCase().split(/\s+/);
    if (hubUrl === null && rels.includes('hub')) hubUrl = resolve(href, link.base);
    if (selfUrl === null && rels.includes('self')) selfUrl = resolve(href, link.base);
  }
  return { hubUrl, selfUrl };
}
