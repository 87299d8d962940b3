import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapse, htmlToText } from '../../src/html/text.js';

describe('htmlToText', () => {
  it.each([
    ['plain text stays', 'NATO summit', 'NATO summit'],
    ['tags go, words stay apart across blocks', '<p>one</p><p>two</p>', 'one two'],
    ['inline tags do not split words', 'NA<b>TO</b>', 'NATO'],
    ['entities decode once', 'High winds &amp; heavy seas &amp;amp;', 'High winds & heavy seas &amp;'],
    ['named, numeric and legacy entities', 'caf&eacute; &#233; &#xE9; &copy 2010', 'café é é © 2010'],
    ['&nbsp; is a space', 'a&nbsp;b', 'a b'],
    ['script and style bodies are not text', 'a <script>NATO()</script><style>.x{}</style>b', 'a b'],
    ['URLs in attributes are not text', '<a href="https://x.example/nato/">more</a>', 'more'],
    ['escaped markup in text stays text', '&lt;script&gt;x&lt;/script&gt;', '<script>x</script>'],
    ['whitespace collapses', '  a \n\t b  ', 'a b'],
    ['empty', '', ''],
  ])('%s', (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe('collapse', () => {
  // The definition: every run of whitespace is one space, and none at either end.
  const reference = (text: string) => text.replace(/\s+/g, ' ').trim();
  const PIECES = ['a', 'NATO', '.', ' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u2003', '\ufeff', '\u3000', ' \n '];

  it('equals the definition on any mix of words and whitespace', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(collapse(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
  });
});
