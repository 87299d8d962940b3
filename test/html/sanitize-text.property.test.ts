import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeContent, sanitizeContentWithSourceText, sanitizeContentWithText } from '../../src/html/sanitize.js';
import { htmlToText } from '../../src/html/text.js';

// The text ingest matches topics on is collected while sanitizing; it must be exactly the text a
// second parse of the sanitized HTML reads, or a topic would match an item at ingest and not
// when stored items are matched again.

const PIECES = [
  'NATO', 'missile', 'defence', ' ', '  ', '\n', '\u00a0', '\t', '\r\n', '\u2028', '\u3000', 'a\nb', ' x ', '&amp;', '&lt;b&gt;', '&nbsp;', '&copy;', '&amp;lt;', '&', '<', '>',
  '<p>', '</p>', '<div>', '</div>', '<br>', '<img src="a.png">', '<li>', '</li>', '<ul>', '</ul>', '<section>', '</section>',
  '<b>', '</b>', '<span>', '</span>', '<a href="/x">', '</a>', '<script>', '</script>', '<style>', '</style>',
  '<noscript>', '</noscript>', '<template>', '</template>', '<title>', '</title>', '<option>', '</option>',
  '<textarea>', '</textarea>', '<svg>', '</svg>', '<iframe src="https://evil.example/">', '</iframe>',
  '<table>', '<tr>', '<td>', '</td>', '</tr>', '</table>', '<!-- note -->', '<![CDATA[x]]>', '<h1>', '</h1>',
];

describe('sanitizeContentWithText', () => {
  it('gives sanitizeContent\'s HTML and the text htmlToText reads from it, for any mix of markup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (pieces) => {
        const html = pieces.join('');
        const clean = sanitizeContent(html, 'https://example.com/');
        expect(sanitizeContentWithText(html, 'https://example.com/')).toEqual({ html: clean, text: htmlToText(clean) });
      }),
      { numRuns: 3000 },
    );
  });

  it('collapses every kind of whitespace as htmlToText does, each alone between words and in runs', () => {
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      for (const html of [`<p>a${char}b</p>`, `<p>a ${char}</p><p>${char} b</p>`]) {
        const clean = sanitizeContent(html, null);
        if (sanitizeContentWithText(html, null).text !== htmlToText(clean)) wrong.push(unit.toString(16));
      }
    }
    expect(wrong).toEqual([]);
  });

  it('separates words at kept block elements and drops the text of non-text elements', () => {
    const { text } = sanitizeContentWithText('<p>one</p><p>two<script>three</script></p>four<br>five', null);
    expect(text).toBe('one two four five');
  });
});

// An entry whose summary is its content's HTML takes the summary's text from the content's
// sanitizing pass: it must be what htmlToText reads from the HTML as given, for an item's summary
// is the same whichever way the entry was read.
const SOURCE_PIECES = [
  ...PIECES, '<xmp>', '</xmp>', '<noembed>', '</noembed>', '<noframes>', '</noframes>', '<plaintext>', '<math>', '</math>',
  '<head>', '</head>', '<article>', '</article>', '<nav>', '</nav>', '<iframe/>', '<svg><style>', '</style></svg>',
  '<foreignObject>', '</foreignObject>', '<P>', '<XMP>', '<Svg>', '&amp', '&#38;', '&notin;', '&noti;', '<font>', '</font>',
  '<select>', '</select>', '&#0;', '\u0001', '\u000b', '\ufffe', '\ud800', '\ud83d\ude00',
];

describe('sanitizeContentWithSourceText', () => {
  it('gives sanitizeContentWithText\'s HTML and text, and the text htmlToText reads from the HTML as given', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SOURCE_PIECES), { maxLength: 30 }), (pieces) => {
        const html = pieces.join('');
        expect(sanitizeContentWithSourceText(html, 'https://example.com/'))
          .toEqual({ ...sanitizeContentWithText(html, 'https://example.com/'), sourceText: htmlToText(html) });
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the HTML again where the sanitizer shapes its text otherwise: raw text, hidden text, dropped blocks', () => {
    const html = '<p>one</p><xmp>Tom &amp; Jerry</xmp><svg><text>drawn</text></svg><section>two</section>three';
    const { html: clean, sourceText } = sanitizeContentWithSourceText(html, null);
    expect(sourceText).toBe('one Tom & Jerry two three');
    expect(htmlToText(clean)).toBe('one Tom &amp; Jerrydrawntwothree');
  });
});
