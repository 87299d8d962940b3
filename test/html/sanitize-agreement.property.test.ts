import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeContentWithText } from '../../src/html/sanitize.js';
import { loadCorpus } from './corpus.js';
import { referenceSanitizeContentWithText } from './reference-sanitizer.js';

// The one-pass sanitizer must write what sanitize-html writes with the same rules, HTML and text
// alike, on hostile and ordinary input. Both read the markup with the same htmlparser2 (the
// package's overrides give sanitize-html the project's version), so this compares the rules.
const BASE = 'http://example.com/feed/';

describe('the one-pass sanitizer agrees with sanitize-html', () => {
  it('on every fragment of the sanitizer corpus', () => {
    const differing: string[] = [];
    let compared = 0;
    for (const { file, fragments } of loadCorpus()) {
      fragments.forEach((html, i) => {
        compared++;
        const ours = sanitizeContentWithText(html, BASE);
        const reference = referenceSanitizeContentWithText(html, BASE);
        if (ours.html !== reference.html || ours.text !== reference.text) differing.push(`${file}#${i}`);
      });
    }
    expect(compared).toBeGreaterThan(700);
    expect(differing).toEqual([]);
  });

  // Markup built from the pieces that matter to the rules: allowed, dropped, non-text and
  // raw-text elements, mismatched closing tags, URLs of every kind, sizes, empty and odd
  // attributes, entities and characters that must be escaped.
  const tag = fc.constantFrom(
    'p', 'a', 'b', 'i', 'div', 'span', 'img', 'br', 'hr', 'table', 'tr', 'td', 'li', 'ul', 'blockquote', 'q', 'time', 'abbr',
    'video', 'audio', 'source', 'picture', 'figure', 'figcaption', 'pre', 'code', 'h2', 'iframe',
    'script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'form', 'input', 'svg', 'math', 'object',
    'embed', 'base', 'meta', 'link', 'font', 'center', 'select', 'xmp', 'button',
  );
  const value = fc.constantFrom(
    '', ' ', 'x', '/rel/path', '../up', '//proto.relative/x', 'https://ok.example/a?b=1&c=2', 'http://www.youtube.com/embed/1',
    'https://www.youtube.com/embed/1', 'https://player.vimeo.com/video/2', 'https://evil.example/', 'javascript:alert(1)',
    ' jav&#x09;ascript:x', 'data:text/html,x', 'mailto:a@b.example', 'tel:1', '640', ' 50% ', '99999', '1e9', 'a"b', "a'b",
    '<b>', '&amp;', '&lt;x&gt;', 'noopener', '_blank',
  );
  const attributeName = fc.constantFrom(
    'href', 'src', 'alt', 'title', 'width', 'height', 'rel', 'hreflang', 'cite', 'poster', 'controls', 'allowfullscreen',
    'sandbox', 'referrerpolicy', 'colspan', 'scope', 'datetime', 'type', 'style', 'class', 'id', 'onerror', 'onclick',
    'srcset', 'target', 'ping', 'formaction', 'xlink:href', 'data-x', 'a"b', 'x=y',
  );
  const attributes = fc.array(fc.tuple(attributeName, value, fc.constantFrom('"', "'", '')), { maxLength: 4 })
    .map((list) => list.map(([name, v, quote]) => (quote === '' && /^[^\s"'=<>`]+$/.test(v) ? ` ${name}=${v}` : ` ${name}=${quote || '"'}${v.replaceAll(quote || '"', '')}${quote || '"'}`)).join(''));
  const piece = fc.oneof(
    fc.tuple(tag, attributes, fc.boolean()).map(([name, attrs, slash]) => `<${name}${attrs}${slash ? ' /' : ''}>`),
    tag.map((name) => `</${name}>`),
    fc.constantFrom('word', 'two words', ' ', '\n', 'a & b', 'x < y > z', '"quoted"', '&amp;', '&lt;script&gt;', '&nbsp;', '&#x27;',
      '&unknown;', 'café', '<!-- comment -->', '<![CDATA[x]]>', '<?pi x?>', '<!DOCTYPE x>', '<!DOCTYPE', '</>', '<', '>', '&'),
  );
  const markup = fc.array(piece, { maxLength: 25 }).map((pieces) => pieces.join(''));

  it('on generated markup', () => {
    fc.assert(
      fc.property(markup, fc.constantFrom(BASE, null), (html, base) => {
        const ours = sanitizeContentWithText(html, base);
        const reference = referenceSanitizeContentWithText(html, base);
        // sanitize-html's one defect here: an element renamed to be dropped (a refused iframe)
        // leaves its new name to the next element at its depth, which then closes with
        // "</feedsieve-dropped>". Ours closes it with its own name.
        fc.pre(!reference.html.includes('feedsieve-dropped'));
        expect(ours.html).toBe(reference.html);
        expect(ours.text).toBe(reference.text);
      }),
      { numRuns: 3000 },
    );
  });
});
