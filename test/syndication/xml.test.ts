import { describe, expect, it } from 'vitest';
import { escapeXml, htmlElement, lines } from '../../src/syndication/xml.js';

describe('escapeXml', () => {
  it('escapes markup and drops forbidden characters in one value', () => {
    expect(escapeXml('a<b & "c" \'d\'\u0000>')).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });
});

describe('lines', () => {
  it('puts each part on its own indented line and leaves out null and empty parts', () => {
    expect(lines(['<a/>', null, '', '<b>x</b>'], '  ')).toBe('\n  <a/>\n  <b>x</b>');
    expect(lines([], '  ')).toBe('');
  });
});

describe('htmlElement', () => {
  // What an XML parser reads back from the element's body: CDATA sections joined, as text.
  const readBack = (xml: string): string => [...xml.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]).join('');

  it('holds the HTML as it is, in a CDATA section', () => {
    expect(htmlElement('content', '<p>a &amp; "b"</p>', { type: 'html' })).toBe('<content type="html"><![CDATA[<p>a &amp; "b"</p>]]></content>');
    expect(htmlElement('content', '')).toBe('<content><![CDATA[]]></content>');
  });

  it('splits each "]]>" across two sections, so none ends the body early', () => {
    for (const html of [']]>', 'a]]>b]]>c', ']]]]>', '<![CDATA[x]]>']) {
      const xml = htmlElement('c', html);
      expect(xml.slice('<c><![CDATA['.length, -']]></c>'.length)).not.toMatch(/\]\]>(?!<!\[CDATA\[)/);
      expect(readBack(xml)).toBe(html);
    }
  });
});
