import { Parser } from 'htmlparser2';
import { isCanonicalHttpUrl } from './canonical-url.js';
import { BREAKING, collapse, htmlToText, INVISIBLE } from './text.js';
import { HAS_MARKUP, HAS_UNEVEN_SPACE, scanTextChunk } from './text-scan.js';
import { SkippingTokenizer } from './tokenizer.js';
import { FORBIDDEN_CLASS, withForbiddenSpacesKept } from './xml-chars.js';

// Allowlist sanitizing in one pass of htmlparser2, the tokenizer sanitize-html is built on, with
// sanitize-html's rules for the options in test/html/reference-sanitizer.ts. sanitize-html
// rebuilds its option maps, parser and per-element frames on every call: ~145 µs on a ~7 KB item,
// against ~85 here. This module is held to its output (test/html/sanitize-agreement.property.test.ts).
// What comes out is built only from allowed tags, allowed attributes with escaped values, and
// escaped text: nothing of the input is copied through raw.

/**
 * What may be republished. The test reference (test/html/reference-sanitizer.ts) configures
 * sanitize-html from these same lists.
 */
export const SANITIZE_RULES = {
  tags: [
    'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'details', 'dfn', 'div',
    'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'iframe', 'img',
    'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'picture', 'pre', 'q', 's', 'samp', 'small', 'source', 'span',
    'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u',
    'ul', 'var', 'audio', 'video',
  ],
  /** Attributes kept per tag; a tag not named here keeps none. */
  attributes: {
    a: ['href', 'title', 'hreflang', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    iframe: ['src', 'width', 'height', 'allowfullscreen', 'sandbox', 'referrerpolicy'],
    source: ['src', 'type'],
    audio: ['src', 'controls'],
    video: ['src', 'poster', 'controls', 'width', 'height'],
    blockquote: ['cite'],
    q: ['cite'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
    time: ['datetime'],
    abbr: ['title'],
  } as Record<string, string[]>,
  /** Elements dropped with everything inside them, text included. */
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title'],
  /** Attributes holding a URL: made absolute, and dropped unless http, https or mailto. */
  urlAttributes: ['href', 'src', 'cite', 'poster'],
};

// Hosts whose embeds are safe enough to keep as iframes (video players); anything else is dropped.
const IFRAME_HOSTS = ['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com'];
const URL_ATTRIBUTES = new Set(SANITIZE_RULES.urlAttributes);
// Size attributes are kept only as plain numbers of sane size: a "99999" or "1e9" wide image or
// embed laid over a page is how a fragment hides the reader's own interface.
const SIZE_ATTRIBUTES = new Set(['width', 'height']);
const SANE_SIZE = /^(\d{1,4}|\d{1,3}%)$/;
// An allowed embed still runs someone else's script: keep it in a sandbox without top-level
// navigation or forms, and send it no more than our origin as referrer.
const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-presentation allow-popups';
const IFRAME_REFERRER = 'strict-origin-when-cross-origin';
const LINK_REL = 'noopener noreferrer nofollow';

const ALLOWED_TAGS = new Set(SANITIZE_RULES.tags);
const ALLOWED_ATTRIBUTES = new Map<string, ReadonlySet<string>>(
  Object.entries(SANITIZE_RULES.attributes).map(([tag, names]) => [tag, new Set(names)]),
);
// Of those, the ones that mean something without a value; any other left empty is dropped, except
// alt="" (an image that says it is decoration).
const BARE_ATTRIBUTES = new Set(['allowfullscreen', 'controls']);
const NON_TEXT = new Set(SANITIZE_RULES.nonTextTags);
// Written as <img ... />, with no closing tag.
const SELF_CLOSING = new Set(['img', 'br', 'hr']);
// A name that could end the attribute or the tag early is never written.
const VALID_ATTRIBUTE_NAME = /^[^\0\t\n\f\r /<=>]+$/;
/**
 * Elements whose text htmlToText reads otherwise from the HTML as given than from the sanitized
 * HTML: text it hides and the sanitizer keeps (svg), text the sanitizer drops and it shows
 * (textarea), and raw text (an xmp's), which it decodes and the tokenizer leaves as written.
 */
const TEXT_APART = new Set([...INVISIBLE, ...SANITIZE_RULES.nonTextTags, 'iframe', 'noembed', 'noframes', 'xmp', 'plaintext']);
/** Kept elements that separate words in the visible text. */
const BREAKING_KEPT = new Set([...ALLOWED_TAGS].filter((tag) => BREAKING.has(tag)));

// An absolute http(s) URL resolves to itself whatever the base: most links in feeds are absolute,
// and parsing the base again for each of them cost as much as parsing the link.
const ABSOLUTE_HTTP = /^https?:\/\//i;

function absolutize(value: string, baseUrl: string | null): string | null {
  if (isCanonicalHttpUrl(value)) return value;
  try {
    const url = baseUrl && !ABSOLUTE_HTTP.test(value) ? new URL(value, baseUrl) : new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

// An attribute's value, most often a URL without any of these, is scanned once rather than given
// four replacements that change nothing. Characters XML forbids are dropped with the escaping, so
// stored content needs no scan when it is written into a feed (syndication/xml.ts). A surrogate
// pair is found too, and kept. (Text is escaped as scanTextChunk finds it needs.)
const NEEDS_ATTRIBUTE_ESCAPE = new RegExp(`[&<>"${FORBIDDEN_CLASS}]`);
const escapeMarkup = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAll = (value: string): string => escapeMarkup(withForbiddenSpacesKept(value));
const escapeAttribute = (value: string): string => (NEEDS_ATTRIBUTE_ESCAPE.test(value) ? escapeAll(value).replace(/"/g, '&quot;') : value);

/** Attribute names and values, in order, as a flat list: [name, value, name, value, …]. */
export type AttributeList = string[];

function setAttribute(list: AttributeList, name: string, value: string): void {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) {
      list[i + 1] = value;
      return;
    }
  }
  list.push(name, value);
}

function attributeOf(list: AttributeList, name: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
  return undefined;
}

/** Sizes made sane and URLs absolute (http, https or mailto), or the attribute dropped. */
export function cleanAttributes(attribs: Record<string, string>, baseUrl: string | null): AttributeList {
  const list: AttributeList = [];
  for (const name of Object.keys(attribs)) {
    let value = attribs[name] as string;
    if (SIZE_ATTRIBUTES.has(name)) {
      value = value.trim();
      if (!SANE_SIZE.test(value)) continue;
    } else if (URL_ATTRIBUTES.has(name)) {
      const absolute = absolutize(value.trim(), baseUrl);
      if (absolute === null) continue;
      value = absolute;
    }
    list.push(name, value);
  }
  return list;
}

/**
 * The tag to write for an element, or null to drop the element and keep its text. An embed from
 * any host but the allowed players is dropped, keeping its fallback text; an allowed one is
 * sandboxed. Links are marked nofollow.
 */
export function keptTag(name: string, attributes: AttributeList): string | null {
  if (!ALLOWED_TAGS.has(name)) return null;
  if (name === 'a' && attributeOf(attributes, 'href')) setAttribute(attributes, 'rel', LINK_REL);
  if (name === 'iframe') {
    const src = attributeOf(attributes, 'src');
    if (!src || !src.startsWith('https:') || !IFRAME_HOSTS.includes(new URL(src).hostname)) return null;
    setAttribute(attributes, 'sandbox', IFRAME_SANDBOX);
    setAttribute(attributes, 'referrerpolicy', IFRAME_REFERRER);
  }
  return name;
}

function openingTag(tag: string, attributes: AttributeList): string {
  let html = '<' + tag;
  const allowed = ALLOWED_ATTRIBUTES.get(tag);
  if (allowed) {
    for (let i = 0; i < attributes.length; i += 2) {
      const name = attributes[i] as string;
      const value = attributes[i + 1] as string;
      if (!allowed.has(name) || !VALID_ATTRIBUTE_NAME.test(name)) continue;
      if (value !== '') html += ' ' + name + '="' + escapeAttribute(value) + '"';
      else if (name === 'alt') html += ' alt=""';
      else if (BARE_ATTRIBUTES.has(name)) html += ' ' + name;
    }
  }
  return html + (SELF_CLOSING.has(tag) ? ' />' : '>');
}

interface Frame {
  /** The element's name as the parser reported it: its closing tag is matched against this. */
  name: string;
  /** The tag written for it, or null when it was dropped. */
  tag: string | null;
}

interface Sanitized {
  html: string;
  /** The visible text, to be read collapsed: words, with whitespace where kept elements break them. */
  text: string;
  /** Whether the text may hold whitespace other than single spaces; when not, trimming collapses it. */
  unevenSpace: boolean;
  /**
   * Whether htmlToText may read other text from the HTML as given: an element of TEXT_APART, one
   * that separates words and was dropped, or characters XML forbids. When not, it reads `text`.
   * Told only when asked (tellsTextApart); false otherwise.
   */
  textApart: boolean;
}

// JavaScript's \s, which is what collapse() and trim() take for whitespace.
const WHITESPACE_ONLY = /^\s+$/;
function isWhitespace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code >= 0xa0 && WHITESPACE_ONLY.test(String.fromCharCode(code)));
}

function sanitizePass(html: string, baseUrl: string | null, tellsTextApart = false): Sanitized {
  let out = '';
  let text = '';
  // Whether the text ends in whitespace, or is empty. The text is only ever read collapsed, so a
  // run of whitespace may as well be written as one space: no separator is added after another,
  // a chunk of whitespace alone becomes one space, and a chunk's leading whitespace after a
  // separator is left out. Between paragraphs ("</p>\n<p>") that is all the whitespace there is,
  // and collapse() has nothing to do: its test and replace were 5-7% of a parser worker's profile.
  let spaced = true;
  let unevenSpace = false;
  let textApart = false;
  const separate = () => {
    if (!spaced) {
      text += ' ';
      spaced = true;
    }
  };
  // Depth inside a non-text element: nothing inside it is kept, text included.
  let skipped = 0;
  const stack: Frame[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (skipped > 0) {
          skipped++;
          return;
        }
        if (tellsTextApart && TEXT_APART.has(name)) textApart = true;
        if (BREAKING_KEPT.has(name)) separate();
        const attributes = cleanAttributes(attribs, baseUrl);
        const tag = keptTag(name, attributes);
        if (tellsTextApart && tag === null && BREAKING.has(name)) textApart = true;
        stack.push({ name, tag });
        if (tag !== null) out += openingTag(tag, attributes);
        else if (NON_TEXT.has(name)) skipped = 1;
      },
      ontext(decoded) {
        if (skipped > 0) return;
        // Raw-text content (an iframe's, an xmp's) comes here too, and is escaped like any text.
        if (decoded === '') return;
        const found = scanTextChunk(decoded);
        // Out of the text too, so it reads as the HTML does.
        const chunk = found & HAS_MARKUP ? withForbiddenSpacesKept(decoded) : decoded;
        // htmlToText keeps what XML forbids.
        if (tellsTextApart && chunk !== decoded) textApart = true;
        if (chunk === '') return;
        out += found & HAS_MARKUP ? escapeMarkup(chunk) : chunk;
        if (!isWhitespace(chunk.charCodeAt(0))) text += chunk;
        else if (WHITESPACE_ONLY.test(chunk)) {
          separate();
          return;
        } else if (spaced) text += chunk.trimStart();
        else text += chunk;
        // Found anywhere in the chunk, so also where trimStart took it away: then only a collapse
        // that finds nothing to do.
        if (found & HAS_UNEVEN_SPACE) unevenSpace = true;
        spaced = isWhitespace(chunk.charCodeAt(chunk.length - 1));
      },
      onclosetag(name) {
        if (skipped > 0 && --skipped > 0) return;
        if (BREAKING_KEPT.has(name)) separate();
        // A closing tag that does not close the innermost open element is ignored.
        if (stack.at(-1)?.name !== name) return;
        const { tag } = stack.pop() as Frame;
        if (tag !== null && !SELF_CLOSING.has(tag)) out += '</' + tag + '>';
      },
    },
    { decodeEntities: true, Tokenizer: SkippingTokenizer },
  );
  parser.end(html);
  return { html: out, text, unevenSpace, textApart };
}

/**
 * The version of the rules above. Change it with any change to what they let through: content
 * stored under an older version is sanitized again when it is republished (republishableHtml).
 * 2: characters XML forbids are dropped (a vertical tab or a form feed becomes a space).
 */
export const SANITIZE_POLICY = 2;

/**
 * Allowlist sanitizing for anything we republish: no scripts, handlers, styles, forms or
 * non-http(s) URLs; relative URLs made absolute against the entry's base.
 */
export function sanitizeContent(html: string, baseUrl: string | null): string {
  if (!html) return '';
  return sanitizePass(html, baseUrl).html.trim();
}

/**
 * sanitizeContent, plus the visible text of the result (what htmlToText would read from it),
 * collected during the same parse: ingest needs both.
 */
export function sanitizeContentWithText(html: string, baseUrl: string | null): { html: string; text: string } {
  if (!html) return { html: '', text: '' };
  const { html: cleaned, text, unevenSpace } = sanitizePass(html, baseUrl);
  return { html: cleaned.trim(), text: unevenSpace ? collapse(text) : text.trim() };
}

/**
 * sanitizeContentWithText, plus what htmlToText reads from the HTML as given (sourceText): the
 * same text, but where the sanitizer shapes the text otherwise (an element of TEXT_APART, a
 * dropped block, characters XML forbids), which is then read again. Most HTML has none of them:
 * an entry whose summary is its content's HTML gets both from one pass.
 */
export function sanitizeContentWithSourceText(html: string, baseUrl: string | null): { html: string; text: string; sourceText: string } {
  if (!html) return { html: '', text: '', sourceText: '' };
  const { html: cleaned, text, unevenSpace, textApart } = sanitizePass(html, baseUrl, true);
  const visible = unevenSpace ? collapse(text) : text.trim();
  return { html: cleaned.trim(), text: visible, sourceText: textApart ? htmlToText(html) : visible };
}

/**
 * An item's stored content as it may be republished: as stored when the current rules sanitized
 * it at ingest, sanitized again otherwise (rows from before a stricter allowlist).
 */
export function republishableHtml(item: { contentHtml: string; url: string | null; sanitizedWith?: number }): string {
  return item.sanitizedWith === SANITIZE_POLICY ? item.contentHtml : sanitizeContent(item.contentHtml, item.url);
}
