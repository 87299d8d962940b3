import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { SkippingTokenizer } from './tokenizer.js';

// Elements whose bodies a reader never sees as text.
export const INVISIBLE: ReadonlySet<string> = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'svg', 'math']);
// Elements that separate words even when the markup has no whitespace between them
// ("<p>one</p><p>two</p>" reads as two words).
export const BREAKING: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'td', 'th', 'tr', 'ul', 'img', 'caption', 'tbody', 'thead', 'tfoot', 'option',
]);

/**
 * The visible text of an HTML fragment: tags, attributes (so URLs) and script/style bodies
 * dropped, entities decoded, whitespace collapsed.
 */
export function htmlToText(html: string): string {
  if (!html) return '';
  if (html.indexOf('<') === -1 && html.indexOf('&') === -1) return collapse(html);
  let out = '';
  let hidden = 0;
  // Entities are decoded here, per text chunk that has any, not by the tokenizer: its decoding
  // state machine runs on every character and made this twice as slow, while most text has no "&".
  const parser = new Parser(
    {
      onopentagname(name) {
        if (INVISIBLE.has(name)) hidden++;
        else if (BREAKING.has(name)) out += ' ';
      },
      onclosetag(name) {
        if (INVISIBLE.has(name)) hidden = Math.max(0, hidden - 1);
        else if (BREAKING.has(name)) out += ' ';
      },
      ontext(text) {
        if (hidden === 0) out += text.indexOf('&') === -1 ? text : decodeHTML(text);
      },
    },
    { decodeEntities: false, lowerCaseTags: true, Tokenizer: SkippingTokenizer },
  );
  parser.end(html);
  return collapse(out);
}

// Most text has only single spaces between words: nothing to replace, and no replace to pay for.
const COLLAPSIBLE = /[^\S ]| {2}/;
// Only what must change: runs of two or more, and single whitespace other than a space. Replacing
// every run, single spaces included, cost six times as much on article text.
const NEEDS_SPACE = /\s{2,}|[^\S ]/g;

/**
 * Runs of whitespace (no-break spaces too: \s has them) as one space, none at either end. Trimmed
 * first, so that a replace leaves a string of its own, not a slice of a larger one: words are read
 * from it character by character, a third slower through a slice (topics/text.ts).
 */
export function collapse(text: string): string {
  const trimmed = text.trim();
  if (!COLLAPSIBLE.test(trimmed)) return trimmed;
  return trimmed.replace(NEEDS_SPACE, ' ');
}
