import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody, MAX_INFLATED_BYTES } from '../../src/ingest/decode.js';
import { parseFeed } from '../../src/ingest/parse.js';
import { CORPUS_DIR } from './support/corpus.js';

const rss = (title: string, encoding?: string): string =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?>\n<rss version="2.0"><channel><title>${title}</title></channel></rss>`;

function decoded(body: Buffer, contentType: string | null = null): string {
  const result = decodeBody(body, contentType);
  if (!result.ok) throw new Error(result.message);
  return result.text;
}

describe('decodeBody', () => {
  it.each([
    ['windows-1252 declared in the prolog', iconv.encode(rss('Euro € “quoted”', 'windows-1252'), 'windows-1252'), null, 'Euro € “quoted”'],
    ['ISO-8859-1 declared in the prolog', iconv.encode(rss('Café £400', 'ISO-8859-1'), 'latin1'), null, 'Café £400'],
    ['KOI8-R declared in the prolog', iconv.encode(rss('Пример ленты', 'KOI8-R'), 'koi8-r'), null, 'Пример ленты'],
    ['windows-1251 declared in the prolog', iconv.encode(rss('Новости дня', 'windows-1251'), 'windows-1251'), null, 'Новости дня'],
    ['Shift_JIS declared in the prolog', iconv.encode(rss('日本語のニュース', 'Shift_JIS'), 'shift_jis'), null, '日本語のニュース'],
    ['GB2312 declared in the prolog', iconv.encode(rss('中文新闻', 'gb2312'), 'gb2312'), null, '中文新闻'],
    ['EUC-KR declared in the prolog', iconv.encode(rss('한국어 뉴스', 'euc-kr'), 'euc-kr'), null, '한국어 뉴스'],
    ['a blank line before the prolog', iconv.encode(`\n\n${rss('Café', 'iso-8859-1')}`, 'latin1'), null, 'Café'],
  ])('%s', (_label, body, contentType, expected) => {
    expect(decoded(body, contentType)).toContain(`<title>${expected}</title>`);
  });

  it('the HTTP charset outranks the prolog', () => {
    const body = iconv.encode(rss('Новости', 'utf-8'), 'windows-1251');
    expect(decoded(body, 'application/rss+xml; charset=windows-1251')).toContain('<title>Новости</title>');
  });

  it('a UTF-8 HTTP charset that the bytes contradict gives way to the prolog', () => {
    const body = iconv.encode(rss('Новости дня', 'windows-1251'), 'windows-1251');
    expect(decoded(body, 'text/xml; charset=utf-8')).toContain('<title>Новости дня</title>');
  });

  it('windows-1252 punctuation smuggled in as C1 controls is restored', () => {
    expect(decoded(Buffer.from(rss('don\u0092t \u0093quote\u0094')))).toContain('<title>don’t “quote”</title>');
  });

  it.each([
    // UTF-16 holds no byte 0xC2 at all.
    ['UTF-16LE', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rss('don\u0092t \u0093quote\u0094'), 'utf-16le')])],
    ['UTF-16BE', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(rss('don\u0092t \u0093quote\u0094'), 'utf-16be')])],
  ])('C1 controls decoded from %s are restored as windows-1252 punctuation too', (_label, body) => {
    expect(body.includes(0xc2)).toBe(false);
    expect(decoded(body)).toContain('<title>don’t “quote”</title>');
  });

  it.each([
    ['UTF-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rss('Zoë', 'iso-8859-1'))])],
    ['UTF-16LE', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rss('Zoë'), 'utf-16le')])],
    ['UTF-16BE', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(rss('Zoë'), 'utf-16be')])],
  ])('a %s byte-order mark outranks everything and is removed', (_label, body) => {
    const text = decoded(body, 'text/xml; charset=iso-8859-1');
    expect(text.startsWith('<?xml')).toBe(true);
    expect(text).toContain('<title>Zoë</title>');
  });

  it.each([
    ['UTF-16LE', iconv.encode(rss('Zoë', 'utf-16'), 'utf-16le')],
    ['UTF-16BE', iconv.encode(rss('Zoë', 'utf-16'), 'utf-16be')],
    ['UTF-32LE', iconv.encode(rss('Zoë', 'utf-32'), 'utf-32le')],
    ['UTF-32BE', iconv.encode(rss('Zoë', 'utf-32'), 'utf-32be')],
  ])('%s without a byte-order mark is recognized from "<?"', (_label, body) => {
    expect(decoded(body)).toContain('<title>Zoë</title>');
  });

  it('windows-1252 bytes declared UTF-8 fall back to a single-byte reading', () => {
    const body = iconv.encode(rss('Caf\u00e9 owners say \u201cno\u201d', 'utf-8'), 'windows-1252');
    expect(decoded(body)).toContain('<title>Café owners say “no”</title>');
  });

  it('UTF-8 bytes under a stale ISO-8859-1 prolog are read as UTF-8', () => {
    expect(decoded(Buffer.from(rss('테스트 피드 Café', 'ISO-8859-1')))).toContain('<title>테스트 피드 Café</title>');
  });

  it('undeclared non-UTF-8 bytes are sniffed', () => {
    const text = 'Le Cercle Psy : les émotions, la mémoire et le développement de l’enfant à l’école';
    expect(decoded(iconv.encode(rss(text), 'windows-1252'))).toContain(text);
  });

  it('an unknown declared encoding is ignored, not fatal', () => {
    expect(decoded(Buffer.from(rss('Zoë', 'x-no-such-charset')))).toContain('<title>Zoë</title>');
  });

  it('invalid bytes in UTF-8 with a BOM become U+FFFD, not an exception', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss><channel><title>a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('b</title></channel></rss>')]);
    expect(decoded(body)).toMatch(/<title>a\uFFFD+b<\/title>/);
  });

  it('gzip bodies are inflated first', () => {
    const body = gzipSync(iconv.encode(rss('Новости', 'windows-1251'), 'windows-1251'));
    expect(decoded(body)).toContain('<title>Новости</title>');
  });

  it('a gzip bomb is refused, not inflated', () => {
    const bomb = gzipSync(Buffer.alloc(MAX_INFLATED_BYTES + 1024, 0x20));
    const result = decodeBody(bomb, null);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message).toMatch(/inflates beyond/);
  });

  it('a corrupt gzip body is an error value', () => {
    const result = decodeBody(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), null);
    expect(result.ok).toBe(false);
  });
});

describe('charsetFromContentType', () => {
  it.each([
    ['text/xml; charset=utf-8', 'utf-8'],
    ['text/xml;charset= "us-ascii"', 'us-ascii'],
    ['application/rss+xml; Charset=ISO-8859-1; q=1', 'ISO-8859-1'],
    ['text/xml', null],
    [null, null],
  ])('%j → %j', (header, expected) => {
    expect(charsetFromContentType(header)).toBe(expected);
  });
});

describe('corpus encoding cases end to end', () => {
  const title = (file: string, contentType: string | null = null): string | null => {
    const result = parseFeed(readFileSync(join(CORPUS_DIR, file)), { url: 'http://corpus.example/', contentType });
    if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
    return result.feed.title;
  };

  it.each([
    ['miniflux/encoding/iso-8859-1.xml', 'Café'],
    ['miniflux/encoding/koi8r.xml', 'Пример RSS ленты'],
    ['miniflux/encoding/windows-1252.xml', 'Euro €'],
    ['miniflux/encoding/windows-1252-incorrect-prolog.xml', 'Euro €'],
    ['miniflux/encoding/utf8-incorrect-prolog.xml', '테스트 피드'],
    ['miniflux/encoding/invalid-prolog.xml', '테스트 피드'],
    ['miniflux/encoding/utf8.xml', '테스트 피드'],
  ])('%s has the title %s', (file, expected) => {
    expect(title(file)).toBe(expected);
  });

  it('rsparser/kc0011.rss (gb2312) reads its Chinese title', () => {
    expect(title('rsparser/kc0011.rss')).toBe('投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文');
  });

  it('node-feedparser/compressed.xml (gzip + windows-1251) yields its 10 items in Cyrillic', () => {
    const result = parseFeed(readFileSync(join(CORPUS_DIR, 'node-feedparser/compressed.xml')), { url: 'http://corpus.example/', contentType: null });
    expect(result.ok && result.feed.items.length).toBe(10);
    if (result.ok) expect(result.feed.items[0]!.title).toMatch(/[\u0400-\u04ff]/);
  });
});
