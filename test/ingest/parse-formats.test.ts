import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/ingest/parse.js';
import type { Item, ParsedFeed } from '../../src/model.js';

const URL_OF_FEED = 'https://site.example/feeds/main.xml';

function parse(document: string, url = URL_OF_FEED): ParsedFeed {
  const result = parseFeed(Buffer.from(document), { url, contentType: null });
  if (!result.ok) throw new Error(result.error.message);
  return result.feed;
}

const firstItem = (document: string, url?: string): Item => {
  const item = parse(document, url).items[0];
  if (!item) throw new Error('no items');
  return item;
};

const rss = (item: string, channel = ''): string => `<rss version="2.0"><channel><title>T</title>${channel}<item>${item}</item></channel></rss>`;
const atom = (entry: string, feed = ''): string => `<feed xmlns="http://www.w3.org/2005/Atom"${feed}><title>T</title><entry>${entry}</entry></feed>`;

describe('RSS 0.9x / 2.0', () => {
  it('RSS 0.91 with the Netscape DOCTYPE: HTML named entities are decoded', () => {
    const item = firstItem(`<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf&eacute; news</title><language>fr</language>
<item><title>Cr&egrave;me&nbsp;br&ucirc;l&eacute;e &amp; more</title><link>http://site.example/1</link>
<description>&lt;p&gt;Vive la cr&egrave;me&lt;/p&gt;</description></item></channel></rss>`);
    expect(item.title).toBe('Crème brûlée & more');
    expect(item.summary).toBe('Vive la crème');
    expect(item.language).toBe('fr');
  });

  it('DTD entities: plain literals expand; nested (entity bombs) and external (XXE) ones never do', () => {
    const feed = parse(`<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>T</title><item><title>&a; &b; &xxe; &amp;a;</title></item></channel></rss>`);
    expect(feed.items[0]!.title).toBe('AAAAAAAAAA &b; &xxe; &a;');
  });

  it('a literal DTD entity referenced over and over expands only within a budget', () => {
    const references = '&big;'.repeat(5000);
    const feed = parse(`<!DOCTYPE rss [<!ENTITY big "${'x'.repeat(1000)}">]><rss><channel><title>T</title><item><description>${references}</description></item></channel></rss>`);
    const summary = feed.items[0]!.summary;
    expect(summary.length).toBeLessThan(1_100_000);
    expect(summary.startsWith('x'.repeat(5000))).toBe(true);
    expect(summary.endsWith('&big;')).toBe(true);
  });

  it('guid, permalink guid, dc:creator, categories, enclosure and media:content', () => {
    const item = firstItem(
      rss(`<title>T1</title><guid>https://site.example/p/1</guid>
        <dc:creator>Ann</dc:creator><dc:creator>Bob</dc:creator><author>ann@site.example (Ann)</author>
        <category>World</category><dc:subject>Defence</dc:subject>
        <enclosure url="/a.mp3" length="100" type="audio/mpeg"/>
        <media:content url="https://cdn.example/v.mp4" type="video/mp4" fileSize="2000"/>
        <media:group><media:content url="https://cdn.example/v2.mp4" medium="video"/></media:group>`),
    );
    expect(item).toMatchObject({
      guid: 'https://site.example/p/1',
      url: 'https://site.example/p/1',
      identity: 'https://site.example/p/1',
      authors: ['Ann', 'Bob'],
      categories: ['World', 'Defence'],
      enclosures: [
        { url: 'https://site.example/a.mp3', type: 'audio/mpeg', length: 100 },
        { url: 'https://cdn.example/v.mp4', type: 'video/mp4', length: 2000 },
        { url: 'https://cdn.example/v2.mp4', type: 'video/*', length: null },
      ],
    });
  });

  it('undeclared prefixes, mismatched case and a stray "&" are forgiven', () => {
    const item = firstItem(rss(`<Title>AT&T & Verizon</title><LINK>https://site.example/x</link><PubDate>Wed, 03 Nov 2010 17:05:00 GMT</pubdate><dc:creator>Ann</dc:creator>`));
    expect(item).toMatchObject({ title: 'AT&T & Verizon', url: 'https://site.example/x', publishedAt: '2010-11-03T17:05:00.000Z', authors: ['Ann'] });
  });

  it('a prefix bound to an unknown namespace keeps its name, even a URI named like an object\'s property', () => {
    for (const uri of ['constructor', '__proto__', 'toString', 'urn:x-unknown']) {
      const item = firstItem(`<rss version="2.0" xmlns:dc="${uri}"><channel><title>T</title><item><title>A</title><dc:creator>Ann</dc:creator></item></channel></rss>`);
      expect(item.authors, uri).toEqual(['Ann']);
    }
  });

  it('namespaces resolve the same however many a process has met, in any case and with a trailing "/" or "#"', () => {
    const others = Array.from({ length: 1500 }, (_, n) => ` xmlns:n${n}="urn:x-other:${n}"`).join('');
    for (const uri of ['http://www.w3.org/2005/Atom', 'HTTP://WWW.W3.ORG/2005/ATOM/', ' http://www.w3.org/2005/Atom# ']) {
      const feed = parse(`<feed xmlns="${uri}"${others}><title>T</title><entry><id>1</id><title>A</title><author><name>Ann</name></author></entry></feed>`);
      expect(feed.items[0], uri).toMatchObject({ title: 'A', authors: ['Ann'] });
    }
  });

  it('unescaped HTML inside <description> is kept as HTML', () => {
    const item = firstItem(rss(`<title>x</title><description>Intro <b>bold</b> and <a href="/more">more</a><br></description>`));
    expect(item.summary).toBe('Intro bold and more');
    expect(item.contentHtml).toBe('Intro <b>bold</b> and <a href="https://site.example/more" rel="noopener noreferrer nofollow">more</a><br />');
  });

  it('CDATA is taken verbatim and entities inside it are decoded once, as HTML', () => {
    const item = firstItem(rss(`<title><![CDATA[Fish & chips &amp; peas]]></title><description><![CDATA[<p>5 &lt; 6</p>]]></description>`));
    expect(item.title).toBe('Fish & chips & peas');
    expect(item.contentHtml).toBe('<p>5 &lt; 6</p>');
  });

  it('links resolve against the channel xml:base, else the feed URL', () => {
    expect(firstItem(rss('<link>post/1</link>')).url).toBe('https://site.example/feeds/post/1');
    const based = `<rss version="2.0" xml:base="http://example.org/feeds/"><channel><item><link>post/1</link></item></channel></rss>`;
    expect(firstItem(based).url).toBe('http://example.org/feeds/post/1');
  });

  it('content:encoded wins over description for content, description stays the summary', () => {
    const item = firstItem(rss(`<description>Short</description><content:encoded><![CDATA[<p>Long <img src="i.png"></p>]]></content:encoded>`));
    expect(item.summary).toBe('Short');
    expect(item.contentHtml).toBe('<p>Long <img src="https://site.example/feeds/i.png" /></p>');
  });

  it('items outside <channel> are still read', () => {
    expect(parse(`<rss version="0.92"><channel><title>T</title></channel><item><title>Outside</title></item></rss>`).items.map((item) => item.title)).toEqual(['Outside']);
  });

  it.each([
    ['<ttl>15</ttl>', 15],
    ['<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>', 30],
    ['<sy:updatePeriod>daily</sy:updatePeriod>', 1440],
    ['<ttl>0</ttl><sy:updatePeriod>weekly</sy:updatePeriod>', 10080],
    ['<ttl>soon</ttl>', null],
    ['', null],
  ])('channel %s → minIntervalMinutes %s', (channel, expected) => {
    expect(parse(rss('<title>x</title>', channel)).minIntervalMinutes).toBe(expected);
  });
});

describe('RSS 1.0 (RDF) and RSS 0.90', () => {
  it('RSS 0.90 with the Netscape namespace', () => {
    const feed = parse(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
      <channel><title>Old</title><link>http://old.example/</link></channel>
      <item><title>One</title><link>http://old.example/1</link></item></rdf:RDF>`);
    expect(feed).toMatchObject({ format: 'rdf', title: 'Old', siteUrl: 'http://old.example/' });
    expect(feed.items[0]).toMatchObject({ title: 'One', url: 'http://old.example/1', guid: null, identity: 'http://old.example/1' });
  });

  it('content:encoded, dc:date, dc:subject and dc:language in RSS 1.0', () => {
    const item = firstItem(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
      xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
      <channel rdf:about="x"><title>C</title><dc:language>de</dc:language></channel>
      <item rdf:about="http://c.example/1"><title>Eins</title><link>http://c.example/1</link><dc:date>2010-11-04T09:30:00+01:00</dc:date>
      <dc:subject>Politik</dc:subject><content:encoded>&lt;p&gt;Text&lt;/p&gt;</content:encoded></item></rdf:RDF>`);
    expect(item).toMatchObject({ guid: 'http://c.example/1', publishedAt: '2010-11-04T08:30:00.000Z', categories: ['Politik'], language: 'de', contentHtml: '<p>Text</p>' });
  });
});

describe('Atom', () => {
  it('xml:base applies at feed, entry, link and content level', () => {
    const item = firstItem(
      atom(
        `<link href="entry/1"/><content type="html" xml:base="/media/">&lt;img src="pic.png"&gt;</content>`,
        ' xml:base="http://example.com/blog/"',
      ),
    );
    expect(item.url).toBe('http://example.com/blog/entry/1');
    expect(item.contentHtml).toBe('<img src="http://example.com/media/pic.png" />');
    const nested = firstItem(atom(`<link xml:base="http://other.example/a/" href="b"/>`, ' xml:base="http://example.com/"'));
    expect(nested.url).toBe('http://other.example/a/b');
  });

  it('xhtml content: the wrapping div is dropped, prefixed XHTML becomes plain HTML', () => {
    const item = firstItem(
      atom(`<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <em>new</em> &amp; better</div></title>
        <content type="xhtml"><xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>Hello <xhtml:a href="/x">x</xhtml:a></xhtml:p></xhtml:div></content>`),
    );
    expect(item.title).toBe('A new & better');
    expect(item.contentHtml).toBe('<p>Hello <a href="https://site.example/x" rel="noopener noreferrer nofollow">x</a></p>');
  });

  it('text content is escaped, html content is read as HTML', () => {
    expect(firstItem(atom(`<content type="text">1 &lt; 2 &amp; &lt;b&gt;</content>`)).contentHtml).toBe('<p>1 &lt; 2 &amp; &lt;b&gt;</p>');
    expect(firstItem(atom(`<content type="html">&lt;b&gt;bold&lt;/b&gt;</content>`)).contentHtml).toBe('<b>bold</b>');
  });

  it('alternate HTML link is preferred; enclosures come from rel="enclosure"', () => {
    const item = firstItem(
      atom(`<link rel="self" href="/self"/><link rel="alternate" type="application/json" href="/json"/>
        <link rel="alternate" type="text/html" href="/html"/><link rel="enclosure" href="/ep.mp3" type="audio/mpeg" length="42"/>`),
    );
    expect(item.url).toBe('https://site.example/html');
    expect(item.enclosures).toEqual([{ url: 'https://site.example/ep.mp3', type: 'audio/mpeg', length: 42 }]);
  });

  it('several authors, categories by term, summary vs content', () => {
    const item = firstItem(
      atom(`<author><name>Ann</name></author><author><name>Bob</name><email>b@x.example</email></author>
        <category term="nato" label="NATO"/><category term="nato"/><summary>Sum</summary><content type="html">&lt;p&gt;Body&lt;/p&gt;</content>`),
    );
    expect(item).toMatchObject({ authors: ['Ann', 'Bob'], categories: ['nato'], summary: 'Sum', contentHtml: '<p>Body</p>' });
  });

  it('Atom 0.3: issued/modified dates, escaped mode, base64 mode', () => {
    const feed = parse(`<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
      <entry><title mode="base64">SGVsbG8gV29ybGQ=</title><issued>2003-12-13T08:29:29-04:00</issued><modified>2003-12-13T18:30:02Z</modified>
      <content type="text/html" mode="escaped">&lt;p&gt;Esc&lt;/p&gt;</content><link rel="alternate" type="text/html" href="http://o.example/1"/></entry></feed>`);
    expect(feed.format).toBe('atom');
    expect(feed.items[0]).toMatchObject({
      title: 'Hello World',
      publishedAt: '2003-12-13T12:29:29.000Z',
      updatedAt: '2003-12-13T18:30:02.000Z',
      contentHtml: '<p>Esc</p>',
      url: 'http://o.example/1',
    });
  });

  it('an Atom feed without its namespace is still Atom', () => {
    const feed = parse(`<feed><title>No NS</title><entry><id>1</id><title>E</title></entry></feed>`);
    expect(feed).toMatchObject({ format: 'atom', title: 'No NS' });
    expect(feed.items[0]).toMatchObject({ identity: '1', title: 'E' });
  });

  it('xml:lang on the entry beats the feed', () => {
    const feed = parse(atom('<title>x</title>', ' xml:lang="en"').replace('<entry>', '<entry xml:lang="de">'));
    expect(feed.language).toBe('en');
    expect(feed.items[0]!.language).toBe('de');
  });
});

describe('JSON Feed', () => {
  it('1.0 author, attachments, numeric id, external_url and relative urls', () => {
    const feed = parse(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1',
        title: 'J',
        home_page_url: '/',
        author: { name: 'Feed Author' },
        items: [
          { id: 42, external_url: '/elsewhere', title: 'One', content_text: 'Hi', attachments: [{ url: '/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 9 }] },
          { id: 'x', url: 'https://j.example/2', content_html: '<p>Two</p>', authors: [{ name: 'Item Author' }], date_modified: '2020-01-01T00:00:00Z' },
          'not an item',
        ],
      }),
      'https://j.example/feed.json',
    );
    expect(feed.siteUrl).toBe('https://j.example/');
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      guid: '42',
      url: 'https://j.example/elsewhere',
      authors: ['Feed Author'],
      enclosures: [{ url: 'https://j.example/a.mp3', type: 'audio/mpeg', length: 9 }],
    });
    expect(feed.items[1]).toMatchObject({ title: '', authors: ['Item Author'], publishedAt: '2020-01-01T00:00:00.000Z', summary: 'Two' });
  });
});

describe('the WebSub hub a feed names, and its own address there', () => {
  const ATOM_NS = 'xmlns:atom="http://www.w3.org/2005/Atom"';

  it('reads atom:link rel="hub" and rel="self" from an RSS channel, resolved, the first of each', () => {
    const feed = parse(`<rss version="2.0" ${ATOM_NS}><channel><title>T</title><link>https://site.example/</link>
<atom:link rel="self" type="application/rss+xml" href="https://site.example/feeds/main.xml"/>
<atom:link rel="hub" href="https://hub.example/"/><atom:link rel="hub" href="https://second-hub.example/"/>
<item><title>x</title><atom:link rel="hub" href="https://item-hub.example/"/></item></channel></rss>`);
    expect(feed).toMatchObject({ hubUrl: 'https://hub.example/', selfUrl: 'https://site.example/feeds/main.xml', siteUrl: 'https://site.example/' });
  });

  it('reads them from an Atom feed, under any prefix, relative ones against xml:base, with a rel listing several relations', () => {
    const feed = parse(`<a:feed xmlns:a="http://www.w3.org/2005/Atom" xml:base="https://site.example/news/"><a:title>T</a:title>
<a:link rel="alternate" href="/"/><a:link rel="HUB  other" href="../hub"/><a:link rel="self" href="atom.xml"/>
<a:entry><a:title>x</a:title></a:entry></a:feed>`);
    expect(feed).toMatchObject({ hubUrl: 'https://site.example/hub', selfUrl: 'https://site.example/news/atom.xml' });
  });

  it('reads them from an RDF channel', () => {
    const feed = parse(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" ${ATOM_NS}>
<channel><title>T</title><link>https://site.example/</link><atom:link rel="hub" href="https://hub.example/"/></channel>
<item><title>x</title><link>https://site.example/1</link></item></rdf:RDF>`);
    expect(feed).toMatchObject({ hubUrl: 'https://hub.example/', selfUrl: null });
  });

  it('reads a JSON Feed\'s WebSub hub from its hubs, and its feed_url, against where it was fetched', () => {
    const feed = parse(JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1', title: 'T', feed_url: '/feed.json',
      hubs: [{ type: 'rssCloud', url: 'https://cloud.example/' }, { type: 'WebSub', url: 'https://hub.example/' }],
      items: [{ id: '1', content_text: 'x' }],
    }));
    expect(feed).toMatchObject({ hubUrl: 'https://hub.example/', selfUrl: 'https://site.example/feed.json' });
  });

  it('names no hub where a feed names none, or only one that is not http(s)', () => {
    expect(parse(rss('<title>x</title>'))).toMatchObject({ hubUrl: null, selfUrl: null });
    expect(parse(rss('<title>x</title>', `<atom:link ${ATOM_NS} rel="hub" href="javascript:alert(1)"/>`)).hubUrl).toBeNull();
    expect(parse(atom('<title>x</title>', ' xml:base="ftp://files.example/"')).hubUrl).toBeNull();
    expect(parse(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', hubs: 'https://hub.example/', items: [] })).hubUrl).toBeNull();
  });
});
