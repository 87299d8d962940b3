// sanitize-html configured with the project's allowlist: the reference the one-pass sanitizer in
// src/html/sanitize.ts is held to (sanitize-agreement.property.test.ts).
import sanitizeHtml from 'sanitize-html';
import { cleanAttributes, keptTag, SANITIZE_RULES } from '../../src/html/sanitize.js';
import { BREAKING, collapse } from '../../src/html/text.js';
import { withForbiddenSpacesKept } from '../../src/html/xml-chars.js';

// A tag name no allowlist contains: renaming an element to it drops the element but keeps its
// text, as disallowedTagsMode 'discard' does for any other refused tag.
const DROPPED = 'feedsieve-dropped';

/** Kept elements that separate words in the visible text. */
const BREAKING_KEPT = new Set(SANITIZE_RULES.tags.filter((tag) => BREAKING.has(tag)));
const NON_TEXT = new Set(SANITIZE_RULES.nonTextTags);

// The same allowlist, and the same decisions for one element's attributes and its embed host
// (cleanAttributes, keptTag): what the comparison holds equal is everything else, sanitize-html's
// filtering, escaping, nesting and dropping against the one pass's.
function options(baseUrl: string | null): sanitizeHtml.IOptions {
  return {
    allowedTags: SANITIZE_RULES.tags,
    allowedAttributes: SANITIZE_RULES.attributes,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: SANITIZE_RULES.urlAttributes,
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: SANITIZE_RULES.nonTextTags,
    transformTags: {
      '*': (tagName, attribs) => {
        const attributes = cleanAttributes(attribs, baseUrl);
        const kept = keptTag(tagName, attributes);
        const out: Record<string, string> = {};
        // Characters XML forbids are dropped from values and text alike (SANITIZE_POLICY 2).
        for (let i = 0; i < attributes.length; i += 2) out[attributes[i]!] = withForbiddenSpacesKept(attributes[i + 1]!);
        // Refused tags keep their names, which sanitize-html needs to drop non-text content.
        return { tagName: kept ?? (tagName === 'iframe' ? DROPPED : tagName), attribs: out };
      },
    },
    textFilter: withForbiddenSpacesKept,
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
    textFilter(given) {
      const escaped = withForbiddenSpacesKept(given);
      text += escaped.indexOf('&') === -1 ? escaped : escaped.replace(ESCAPED, (_, name: string) => UNESCAPED[name] as string);
      return escaped;
    },
  });
  return { html: cleaned.trim(), text: collapse(text) };
}

