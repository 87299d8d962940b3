// The allowlist as sanitize-html options: the reference the one-pass sanitizer in
// src/html/sanitize.ts is held to (sanitize-agreement.property.test.ts).
import sanitizeHtml from 'sanitize-html';
import { BREAKING, collapse } from '../../src/html/text.js';

// Hosts whose embeds are safe enough to keep as iframes (video players); anything else is dropped.
const IFRAME_HOSTS = ['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com'];

const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'poster']);
// Size attributes are kept only as plain numbers of sane size: a "99999" or "1e9" wide image or
// embed laid over a page is how a fragment hides the reader's own interface.
const SIZE_ATTRIBUTES = new Set(['width', 'height']);
const SANE_SIZE = /^(\d{1,4}|\d{1,3}%)$/;
// An allowed embed still runs someone else's script: keep it in a sandbox without top-level
// navigation or forms, and send it no more than our origin as referrer.
const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-presentation allow-popups';
// A tag name no allowlist contains: renaming an element to it drops the element but keeps its
// text, as disallowedTagsMode 'discard' does for any other refused tag.
const DROPPED = 'feedsieve-dropped';

function absolutize(value: string, baseUrl: string | null): string | null {
  try {
    const url = baseUrl ? new URL(value, baseUrl) : new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

// sanitize-html's host check only strips a refused src and leaves an empty frame behind; an
// embed from anywhere else is dropped here instead, keeping its fallback text.
function iframe(attribs: Record<string, string>): { tagName: string; attribs: Record<string, string> } {
  const src = attribs.src;
  if (!src || !IFRAME_HOSTS.includes(new URL(src).hostname) || !src.startsWith('https:')) {
    return { tagName: DROPPED, attribs: {} };
  }
  return { tagName: 'iframe', attribs: { ...attribs, sandbox: IFRAME_SANDBOX, referrerpolicy: 'strict-origin-when-cross-origin' } };
}

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'details', 'dfn', 'div',
  'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'iframe', 'img',
  'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'picture', 'pre', 'q', 's', 'samp', 'small', 'source', 'span',
  'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u',
  'ul', 'var', 'audio', 'video',
];
// Elements dropped with everything inside them, text included.
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title'];
/** Kept elements that separate words in the visible text. */
const BREAKING_KEPT = new Set(ALLOWED_TAGS.filter((tag) => BREAKING.has(tag)));
const NON_TEXT = new Set(NON_TEXT_TAGS);

function options(baseUrl: string | null): sanitizeHtml.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "title", "hreflang", "rel"],
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
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster'],
    allowProtocolRelative: false,
    allowedIframeHostnames: IFRAME_HOSTS,
    allowIframeRelativeUrls: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    transformTags: {
      '*': (tagName, attribs) => {
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(attribs)) {
          if (SIZE_ATTRIBUTES.has(name)) {
            if (SANE_SIZE.test(value.trim())) out[name] = value.trim();
          } else if (URL_ATTRIBUTES.has(name)) {
            const absolute = absolutize(value.trim(), baseUrl);
            if (absolute) out[name] = absolute;
          } else {
            out[name] = value;
          }
        }
        if (tagName === 'a' && out.href) {
          out.rel = 'noopener noreferrer nofollow';
        }
        if (tagName === 'iframe') return iframe(out);
        return { tagName, attribs: out };
      },
    },
  };
}

/**
 * Allowlist sanitizing for anything we republish: no scripts, handlers, styles, forms or
 * non-http(s) URLs; relative URLs made absolute against the entry's base.
 */
export function referenceSanitizeContent(html: string, baseUrl: string | null): string {
  if (!html) return '';
  const cleaned = sanitizeHtml(html, options(baseUrl));
  return cleaned.trim();
}

const ESCAPED = /&(amp|lt|gt);/g;
const UNESCAPED: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/**
 * sanitizeContent, plus the visible text of the result (what htmlToText would read from it),
 * collected during the same parse: ingest needs both, and parsing the HTML again to get the
 * text cost as much as a third of sanitizing.
 */
export function referenceSanitizeContentWithText(html: string, baseUrl: string | null): { html: string; text: string } {
  if (!html) return { html: '', text: '' };
  let text = '';
  // Mirrors sanitize-html's own count: inside a dropped non-text element, nothing is kept.
  let hidden = 0;
  const cleaned = sanitizeHtml(html, {
    ...options(baseUrl),
    onOpenTag(name) {
      if (hidden > 0) hidden++;
      else if (NON_TEXT.has(name)) hidden = 1;
      else if (BREAKING_KEPT.has(name)) text += ' ';
    },
    onCloseTag(name) {
      if (hidden > 0) hidden--;
      else if (BREAKING_KEPT.has(name)) text += ' ';
    },
    // Called with each kept text, escaped: the text is the same characters unescaped.
    textFilter(escaped) {
      text += escaped.indexOf('&') === -1 ? escaped : escaped.replace(ESCAPED, (_, name: string) => UNESCAPED[name] as string);
      return escaped;
    },
  });
  return { html: cleaned.trim(), text: collapse(text) };
}

