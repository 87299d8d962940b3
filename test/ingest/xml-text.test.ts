import { describe, expect, it } from 'vitest';
import { child, parseXml, textOf, type XmlElement } from '../../src/ingest/formats/xml.js';

function rootOf(xml: string): XmlElement {
  const parsed = parseXml([xml], 'https://feeds.example/feed.xml');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.root;
}

describe('an element\'s text', () => {
  it('is decoded when first read, and only text with references waits for it', () => {
    const root = rootOf('<feed><a>Tom &amp; Jerry &#x2014; <![CDATA[&amp; stays]]> &eacute;t&eacute;</a><b>plain</b></feed>');
    const [a, b] = [child(root, 'a')!, child(root, 'b')!];
    expect(b.text).toBe('plain');
    expect(a.text).toBeNull();
    expect(textOf(a)).toBe('Tom & Jerry — &amp; stays été');
    // Decoded once: the pieces are let go and the text kept.
    expect(a.text).toBe('Tom & Jerry — &amp; stays été');
    expect(a.textParts).toEqual([]);
    expect(textOf(a)).toBe(a.text);
  });

  it('takes the DOCTYPE\'s entities when read, however late', () => {
    const root = rootOf('<!DOCTYPE rss [<!ENTITY who "the desk">]><rss><t>from &who;</t><u>&who; &amp; co</u></rss>');
    expect(textOf(child(root, 'u')!)).toBe('the desk & co');
    expect(textOf(child(root, 't')!)).toBe('from the desk');
  });
});
