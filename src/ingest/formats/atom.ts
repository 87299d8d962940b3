import { isUtf8 } from 'node:buffer';
import { mediaDescription, mediaEnclosures, resolve, texts, websubLinks } from './common.js';
import type { RawEnclosure, RawEntry, RawText, XmlRawFeed } from './raw.js';
import { child, childText, descendantsNamed, innerMarkup, textOf, valueOf, type XmlElement } from './xml.js';

// Atom 1.0 (RFC 4287) and Atom 0.3. Elements are matched with and without the Atom
// namespace, since feeds that forget xmlns are common and otherwise unambiguous.

function atom(element: XmlElement, name: string): XmlElement | undefined {
  return child(element, `atom:${name}`, name);
}

function atoms(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((candidate) => candidate.name === `atom:${name}` || candidate.name === name);
}

function atomText(element: XmlElement, ...names: string[]): string | null {
  return childText(element, ...names.flatMap((name) => [`atom:${name}`, name]));
}

export function readAtom(root: XmlElement): XmlRawFeed {
  const alternate = alternateLink(root);
  return {
    format: 'atom',
    title: textConstruct(atom(root, 'title')),
    siteUrl: alternate,
    base: root.base,
    language: root.lang ?? childText(root, 'dc:language'),
    minIntervalMinutes: null,
    ...websubLinks(root),
    // An unclosed <link …> (no "/>") would otherwise swallow the entries after it.
    entryElements: descendantsNamed(root, 'atom:entry', 'entry'),
    readEntry,
  };
}

function readEntry(entry: XmlElement): RawEntry {
  return {
    base: entry.base,
    guid: atomText(entry, 'id'),
    guidIsPermaLink: false,
    link: alternateLink(entry),
    title: textConstruct(atom(entry, 'title')) ?? textConstruct(child(child(entry, 'media:group') ?? entry, 'media:title')),
    summary: textConstruct(atom(entry, 'summary')) ?? mediaDescription(entry),
    content: textConstruct(atom(entry, 'content')),
    published: atomText(entry, 'published', 'issued', 'created') ?? childText(entry, 'dc:date'),
    updated: atomText(entry, 'updated', 'modified'),
    authors: [...personNames(entry), ...texts(entry, 'dc:creator')],
    categories: [...categories(entry), ...texts(entry, 'dc:subject')],
    language: entry.lang,
    enclosures: [...linkEnclosures(entry), ...mediaEnclosures(entry)],
  };
}

/** rel="alternate" (the default rel), preferring an HTML one; resolved at the link's own base. */
function alternateLink(element: XmlElement): string | null {
  let fallback: string | null = null;
  for (const link of atoms(element, 'link')) {
    const href = link.attrs.href?.trim() ?? (link.children.length === 0 ? textOf(link).trim() : '');
    const rel = link.attrs.rel?.trim().toLowerCase() || 'alternate';
    if (!href || rel !== 'alternate') continue;
    const type = link.attrs.type?.toLowerCase();
    if (!type || type === 'text/html' || type === 'application/xhtml+xml') return resolve(href, link.base);
    fallback ??= resolve(href, link.base);
  }
  return fallback;
}

function linkEnclosures(entry: XmlElement): RawEnclosure[] {
  const found: RawEnclosure[] = [];
  for (const link of atoms(entry, 'link')) {
    const href = link.attrs.href?.trim();
    if (!href || link.attrs.rel?.trim().toLowerCase() !== 'enclosure') continue;
    found.push({ url: resolve(href, link.base), type: link.attrs.type?.trim() || null, length: link.attrs.length?.trim() || null });
  }
  return found;
}

function personNames(entry: XmlElement): string[] {
  const names: string[] = [];
  for (const author of atoms(entry, 'author')) {
    const name = atomText(author, 'name') ?? atomText(author, 'email') ?? (author.children.length === 0 ? valueOf(author) : null);
    if (name) names.push(name);
  }
  return names;
}

function categories(entry: XmlElement): string[] {
  const found: string[] = [];
  for (const category of atoms(entry, 'category')) {
    const term = category.attrs.term?.trim() || category.attrs.label?.trim() || valueOf(category);
    if (term) found.push(term);
  }
  return found;
}

/**
 * An Atom text construct (RFC 4287 §3.1) as a RawText. Atom 0.3 used MIME types and a
 * `mode` attribute instead of text/html/xhtml; both spellings are read.
 */
function textConstruct(element: XmlElement | undefined): RawText | null {
  if (!element || element.attrs.src) return null;
  const type = atomType(element.attrs.type);
  const wrapper = wrappingDiv(element);
  // TypePad writes type="html" as escaped HTML inside an unescaped XHTML <div>.
  if (type === 'html' && wrapper && wrapper.children.length === 0) return rawText(textOf(wrapper), 'html', wrapper.base);
  if (type === 'xhtml' || element.children.length > 0) return rawText(xhtmlMarkup(wrapper ?? element), 'html', element.base);
  if (element.attrs.mode?.toLowerCase() === 'base64' || isBase64Type(element.attrs.type)) {
    const decoded = fromBase64(textOf(element).trim(), element.attrs.type);
    // The MIME type of base64 content says nothing about markup; look at what it holds.
    return decoded === null ? null : rawText(decoded, LOOKS_LIKE_MARKUP.test(decoded) ? 'html' : type, element.base);
  }
  return rawText(textOf(element), type, element.base);
}

function rawText(value: string, type: RawText['type'], base: string): RawText | null {
  const trimmed = value.trim();
  return trimmed ? { value: trimmed, type, base } : null;
}

const LOOKS_LIKE_MARKUP = /<\/?[a-zA-Z][^<>]*>/;

// RFC 4287 §4.1.3.3: content of a MIME type that is neither text nor XML is base64-encoded.
function isBase64Type(type: string | undefined): boolean {
  const normalized = type?.trim().toLowerCase() ?? '';
  return normalized.includes('/') && !normalized.startsWith('text/') && !/[/+]xml$/.test(normalized);
}

// Binary payloads (images, sound) have no place in a text field; text that only claims an
// odd MIME type without being base64 stays as written.
function fromBase64(value: string, type: string | undefined): string | null {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > 0 && isUtf8(bytes)) return bytes.toString('utf8');
  return /^(image|audio|video)\//i.test(type?.trim() ?? '') ? null : value;
}

function atomType(type: string | undefined): 'text' | 'html' | 'xhtml' {
  const normalized = type?.trim().toLowerCase() ?? 'text';
  if (normalized === 'html' || normalized === 'text/html') return 'html';
  if (normalized === 'xhtml' || normalized === 'application/xhtml+xml') return 'xhtml';
  return 'text';
}

// xhtml content sits inside one wrapping <div> that is not part of the content (§3.1.1.3).
function wrappingDiv(element: XmlElement): XmlElement | null {
  const only = element.children.length === 1 ? element.children[0] : undefined;
  return only && /(^|:)div$/.test(only.name) && textOf(element).trim() === '' ? only : null;
}

// Prefixed XHTML tags (<xhtml:p>) are plain HTML tags to everything downstream.
function xhtmlMarkup(element: XmlElement): string {
  return innerMarkup(element).replace(/<(\/?)[A-Za-z][\w.-]*:(?=[A-Za-z])/g, '<$1').trim();
}
