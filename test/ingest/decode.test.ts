import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody, MAX_INFLATED_BYTES, SNIFF_SAMPLE_BYTES, sniffSample } from '../../src/ingest/decode.js';
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

describe('sniffing undeclared text', () => {
  // 70 KB of ASCII before the text: a feed with a long channel description or comment up front.
  const lateText = (text: string): string => `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Feed</title><!-- ${'x'.repeat(70 * 1024)} -->${
    Array.from({ length: 20 }, (_, n) => `<item><title>${text} ${n}</title><description>${text} ${text}</description></item>`).join('')}</channel></rss>`;

  it.each([
    ['windows-1251', 'Правительство объявило о новых мерах поддержки экономики, сообщили в министерстве финансов.'],
    ['koi8-r', 'Правительство объявило о новых мерах поддержки экономики, сообщили в министерстве финансов.'],
    ['shift_jis', '政府は経済を支援するための新しい措置を発表したと財務省が伝えた。'],
    ['euc-jp', '政府は経済を支援するための新しい措置を発表したと財務省が伝えた。'],
    ['euc-kr', '정부는 경제를 지원하기 위한 새로운 조치를 발표했다고 재무부가 밝혔다.'],
    ['gb18030', '政府宣布支持经济的新措施，财政部表示。'],
    ['windows-1252', 'Governo anuncia novas medidas de apoio à economia, informou o ministério da fazenda, após reunião.'],
  ])('%s text after 70 KB of ASCII is read by its text, not by the markup before it', (encoding, text) => {
    expect(decoded(iconv.encode(lateText(text), encoding))).toContain(`<title>${text} 19</title>`);
  });

  it('reads each non-ASCII byte with the bytes around it, up to a bound however long the body', () => {
    const plain = `${'plain words '.repeat(20)}MIDDLE${' plain words'.repeat(20)}`;
    const body = iconv.encode(`<rss>${`<item><title>Café crème à la carte</title><description>${plain}</description></item>`.repeat(4_000)}</rss>`, 'windows-1252');
    const sample = sniffSample(body);
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(sample.length).toBeGreaterThanOrEqual(SNIFF_SAMPLE_BYTES);
    expect(sample.length).toBeLessThan(SNIFF_SAMPLE_BYTES + 256);
    const text = iconv.decode(sample, 'windows-1252');
    expect(text).toContain('Café crème à la carte');
    // Over 200 bytes from the nearest accented letter.
    expect(text).not.toContain('MIDDLE');
  });

  it('ends a window before a byte below 0x40, not inside a two-byte character', () => {
    // Shift_JIS puts ASCII letters in second bytes: a window ending a fixed distance past the
    // first non-ASCII byte would end inside this run of 36 characters (72 bytes).
    const text = '日本語の記事は長い文章です。政府は新しい措置を発表したと財務省が伝えた';
    const body = iconv.encode(`<a>${'x'.repeat(500)}${text}</a>${'y'.repeat(500)}`, 'shift_jis');
    expect(iconv.decode(sniffSample(body), 'shift_jis')).toBe(`${'x'.repeat(48)}${text}`);
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
