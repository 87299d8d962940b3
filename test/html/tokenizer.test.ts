import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Parser, type ParserOptions, Tokenizer } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { SkippingTokenizer, TOKENIZER_SKIPS } from '../../src/html/tokenizer.js';
import { loadCorpus } from './corpus.js';

type Event = [string, ...unknown[]];

/** Every event the parser emits, with its source offsets: the tokenizer's whole output. */
function events(chunks: string[], options: ParserOptions): Event[] {
  const seen: Event[] = [];
  const parser: Parser = new Parser(
    {
      onopentagname: (name) => seen.push(['opentagname', name, parser.startIndex]),
      onattribute: (name, value, quote) => seen.push(['attribute', name, value, quote]),
      onopentag: (name, attribs, implied) => seen.push(['opentag', name, { ...attribs }, implied, parser.endIndex]),
      ontext: (text) => seen.push(['text', text, parser.startIndex, parser.endIndex]),
      onclosetag: (name, implied) => seen.push(['closetag', name, implied, parser.startIndex]),
      oncomment: (data) => seen.push(['comment', data]),
      oncdatastart: () => seen.push(['cdatastart']),
      oncdataend: () => seen.push(['cdataend']),
      onprocessinginstruction: (name, data) => seen.push(['pi', name, data]),
      onend: () => seen.push(['end', parser.endIndex]),
    },
    options,
  );
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  return seen;
}

const MODES: ParserOptions[] = [
  { decodeEntities: true },
  { decodeEntities: false },
  { decodeEntities: true, xmlMode: true },
  { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  { xmlMode: true, decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true },
];

function agree(chunks: string[], mode: ParserOptions): void {
  expect(events(chunks, { ...mode, Tokenizer: SkippingTokenizer })).toEqual(events(chunks, mode));
}

// Pieces that move the tokenizer between its states: text, entities whole, cut short and
// unknown, tags with every kind of attribute value, raw-text and escapable raw-text elements,
// comments, CDATA, processing instructions and stray markup characters.
const piece = fc.constantFrom(
  'plain text ', 'é', '\u2019', '\n', ' ', '&amp;', '&lt;', '&gt', '&quot;', '&#39;', '&#x41;', '&#65', '&nbsp;x',
  '&notin;', '&notit;', '&unknown;', '&', '&&', '&;', '<p>', '</p>', '<P class="a&amp;b">', "<a href='x?a=1&b=2'>",
  '<a href=x&amp;y title=unquoted>', '<img src="a.png" alt="&quot;q&quot; &c">', '<br/>', '<hr />', '</a>', '</ div>',
  '<script>if (a < b && c) x = "</p>";</script>', '<style>p>a { content: "&amp;" }</style>', '<title>a &amp; b</title>',
  '<textarea>&lt;b&gt; &</textarea>', '<!-- comment & <p> -->', '<![CDATA[ x < y & z ]]>', '<?xml version="1.0"?>',
  '<!DOCTYPE html>', '<', '>', '"', "'", '=', '</', '<a', '<a b', '<a b="', "<a b='c", '<div x=">', '<x:y z:w="1">',
);

describe('SkippingTokenizer', () => {
  it('replaces the states it speeds up, so the fast paths are in use with the installed htmlparser2', () => {
    expect(TOKENIZER_SKIPS).toBe(true);
    const skipping = SkippingTokenizer.prototype as unknown as Record<string, unknown>;
    const plain = Tokenizer.prototype as unknown as Record<string, unknown>;
    expect(skipping.stateText).not.toBe(plain.stateText);
    expect(skipping.handleInAttributeValue).not.toBe(plain.handleInAttributeValue);
    expect(skipping.fastForwardTo).not.toBe(plain.fastForwardTo);
  });

  it('finds every "&" when the same text comes in chunk after chunk', () => {
    // Where the next "&" is, is remembered per buffer: each chunk must start afresh.
    for (const chunk of ['a &amp; b', 'x&lt;y', '&amp;', 'text <a href="?a=1&amp;b=2">l</a> &', 'no entity here ']) {
      for (const mode of MODES) agree([chunk, chunk, chunk], mode);
    }
  });

  it('finds every "&" of a document parsed after another by the same parser', () => {
    const documents = ['<p>plain text, then &amp; late</p>', '<p>&amp; early, then plain text</p>', '<a href="x&amp;y">&lt;</a>'];
    const seen = (Tokenizer: typeof SkippingTokenizer | undefined): string[] => {
      const texts: string[] = [];
      const parser = new Parser({ ontext: (text) => texts.push(text), onattribute: (_name, value) => texts.push(value) },
        { decodeEntities: true, ...(Tokenizer ? { Tokenizer } : {}) });
      for (const document of documents) parser.parseComplete(document);
      return texts;
    };
    expect(seen(SkippingTokenizer)).toEqual(seen(undefined));
    expect(seen(SkippingTokenizer).join('')).toContain('& early');
  });

  it('emits what htmlparser2 emits for every fragment of the sanitizer corpus, whole and cut into pieces', () => {
    let compared = 0;
    for (const { fragments } of loadCorpus()) {
      for (const html of fragments) {
        compared++;
        agree([html], MODES[0]!);
        const third = Math.ceil(html.length / 3);
        agree([html.slice(0, third), html.slice(third, 2 * third), html.slice(2 * third)], MODES[0]!);
      }
    }
    expect(compared).toBeGreaterThan(700);
  });

  it('emits what htmlparser2 emits for the seed story feeds, read as HTML and as XML', () => {
    for (const name of ['world-wire.rss', 'eastern-desk.atom', 'capital-report.rdf', 'broken.rss']) {
      const text = readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'latin1');
      for (const mode of MODES) agree([text], mode);
    }
  });

  it('emits what htmlparser2 emits for any markup, in every mode, however it is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom(...MODES),
        (pieces, cuts, mode) => {
          const html = pieces.join('');
          const at = [...new Set(cuts.map((cut) => cut % (html.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((start, i) => html.slice(start, at[i] ?? html.length));
          agree(chunks, mode);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
