import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateStory, renderRss, typeset, writeFeeds, writeFeedVersions } from '../../bench/generate.js';
import { median, percentile } from '../../bench/stats.js';
import { generateTopics, SERVED_TOPIC } from '../../bench/topic-queries.js';
import { parseFeed } from '../../src/ingest/parse.js';
import { parseQuery } from '../../src/topics/query.js';
import { BENCH_DIST } from '../support/built.js';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('generated feeds', () => {
  const stories = Array.from({ length: 20 }, (_, i) => generateStory(7, i, NOW, 5800));
  const xml = renderRss(7, stories);

  it('parse through the ingest parser into every story, in order', () => {
    const parsed = parseFeed(Buffer.from(xml), { url: 'http://127.0.0.1/feed-00007.rss', contentType: 'application/rss+xml' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.feed.items.map((item) => item.title)).toEqual(stories.map((story) => story.headline));
    expect(parsed.feed.items[3]!.categories).toEqual(stories[3]!.categories);
  });

  it('carry about 7 KB per item of escaped HTML with links and images', () => {
    const perItem = Buffer.byteLength(xml) / stories.length;
    expect(perItem).toBeGreaterThan(5000);
    expect(perItem).toBeLessThan(9000);
    expect(xml).toContain('&lt;a href=');
    expect(xml).toContain('&lt;img src=');
    expect(xml).not.toContain('<![CDATA[');
  });

  it('tag some links with utm_* parameters', () => {
    const links = Array.from({ length: 200 }, (_, i) => generateStory(1, i, NOW, 0).link);
    const tracked = links.filter((link) => link.includes('utm_source=')).length;
    expect(tracked).toBeGreaterThan(20);
    expect(tracked).toBeLessThan(180);
  });

  it('are the same bytes for the same feed and time', () => {
    expect(renderRss(7, Array.from({ length: 20 }, (_, i) => generateStory(7, i, NOW, 5800)))).toBe(xml);
  });
});

describe('generated feeds in typographic text', () => {
  const ascii = Array.from({ length: 50 }, (_, i) => generateStory(3, i, NOW, 5800));
  const stories = ascii.map(typeset);
  const xml = renderRss(3, stories);

  it('write news\'s apostrophes, quotes, dashes and accents, a few dozen an item, and parse into every story', () => {
    for (const character of ['’', '“', '”', '—', 'é']) expect(xml, character).toContain(character);
    const typographic = [...xml].filter((character) => character.charCodeAt(0) > 0x7f).length / stories.length;
    expect(typographic).toBeGreaterThan(15);
    expect(typographic).toBeLessThan(80);
    const parsed = parseFeed(Buffer.from(xml), { url: 'http://127.0.0.1/feed-00003.rss', contentType: 'application/rss+xml' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.feed.items.map((item) => item.title)).toEqual(stories.map((story) => story.headline));
    expect(parsed.feed.items.map((item) => item.summary).join(' ')).toContain('’');
  });

  it('are what writeFeeds writes when asked, and ASCII otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-generate-'));
    try {
      for (const style of ['ascii', 'typographic'] as const) {
        const set = writeFeeds(join(dir, style), 2, 5, NOW, style);
        const bytes = readFileSync(join(set.dir, set.files[1]!));
        expect(bytes.some((byte) => byte > 0x7f), style).toBe(style === 'typographic');
      }
      expect(readFileSync(join(dir, 'typographic', 'feed-00001.rss'), 'utf8'))
        .toBe(renderRss(1, Array.from({ length: 5 }, (_, i) => typeset(generateStory(1, i, NOW, 5800)))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep every link, id and date as the ASCII stories have them', () => {
    expect(stories.map(({ link, guid, publishedAt, categories, authors }) => ({ link, guid, publishedAt, categories, authors })))
      .toEqual(ascii.map(({ link, guid, publishedAt, categories, authors }) => ({ link, guid, publishedAt, categories, authors })));
    expect(stories.some((story, i) => story.contentHtml !== ascii[i]!.contentHtml)).toBe(true);
  });
});

describe('generated feeds as a later poll finds them', () => {
  const items = (xml: string) => xml.match(/<item>[\s\S]*?<\/item>/g) ?? [];

  it('are written with the first version in one pass, the same files as each written alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-generate-'));
    try {
      for (const style of ['ascii', 'typographic'] as const) {
        const alone = [writeFeeds(join(dir, `${style}-first`), 3, 6, NOW, style), writeFeeds(join(dir, `${style}-later`), 3, 6, NOW, style, 2)];
        const together = writeFeedVersions([{ dir: join(dir, `${style}-both-first`), newEntries: 0 }, { dir: join(dir, `${style}-both-later`), newEntries: 2 }],
          3, 6, NOW, style);
        expect(together).toHaveLength(2);
        together.forEach((set, v) => {
          const single = alone[v]!;
          expect({ ...set, dir: '' }).toEqual({ ...single, dir: '' });
          expect(readdirSync(set.dir).sort()).toEqual([...single.files].sort());
          for (const file of set.files) {
            expect(readFileSync(join(set.dir, file)).equals(readFileSync(join(single.dir, file))), `${style} ${v} ${file}`).toBe(true);
            expect(statSync(join(set.dir, file)).mtimeMs).toBe(statSync(join(single.dir, file)).mtimeMs);
          }
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are written by threads apart, each a range of the feeds, into the same files as on one thread', async () => {
    // The compiled module: its threads run the compiled generate-worker.js beside it.
    const built = await import(pathToFileURL(join(BENCH_DIST, 'generate.js')).href) as typeof import('../../bench/generate.js');
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-generate-'));
    try {
      const versions = (name: string) => [{ dir: join(dir, `${name}-first`), newEntries: 0 }, { dir: join(dir, `${name}-later`), newEntries: 2 }];
      const one = writeFeedVersions(versions('one'), 5, 4, NOW, 'typographic');
      // Three threads over five feeds: ranges of two, two and one, put back in feed order.
      const apart = await built.writeFeedVersionsApart(versions('apart'), 5, 4, NOW, 'typographic', 3);
      expect(apart.map((set) => ({ ...set, dir: '' }))).toEqual(one.map((set) => ({ ...set, dir: '' })));
      apart.forEach((set, v) => {
        expect(set.files).toEqual(['feed-00000.rss', 'feed-00001.rss', 'feed-00002.rss', 'feed-00003.rss', 'feed-00004.rss']);
        expect(readdirSync(set.dir).sort()).toEqual(set.files);
        for (const file of set.files) {
          expect(readFileSync(join(set.dir, file)).equals(readFileSync(join(one[v]!.dir, file))), `${v} ${file}`).toBe(true);
          expect(statSync(join(set.dir, file)).mtimeMs).toBe(statSync(join(one[v]!.dir, file)).mtimeMs);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hold newer entries on top, lose as many of the oldest, and keep every other entry\'s bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-generate-'));
    try {
      for (const style of ['ascii', 'typographic'] as const) {
        const first = writeFeeds(join(dir, `${style}-first`), 3, 6, NOW, style);
        const later = writeFeeds(join(dir, `${style}-later`), 3, 6, NOW, style, 2);
        expect(later.files).toEqual(first.files);
        for (const file of first.files) {
          const before = readFileSync(join(first.dir, file), 'utf8');
          const after = readFileSync(join(later.dir, file), 'utf8');
          expect(items(after), `${style} ${file}`).toHaveLength(6);
          // Each file dated by its newest entry: the later one always later, whatever its size.
          expect(statSync(join(later.dir, file)).mtimeMs).toBeGreaterThan(statSync(join(first.dir, file)).mtimeMs + 30 * 60_000);
          expect(items(after).slice(2), `${style} ${file}`).toEqual(items(before).slice(0, 4));
          const parse = (xml: string) => {
            const parsed = parseFeed(Buffer.from(xml), { url: `http://127.0.0.1/${file}`, contentType: 'application/rss+xml' });
            if (!parsed.ok) throw new Error(parsed.error.message);
            return parsed.feed.items;
          };
          const [newer, older] = [parse(after), parse(before)];
          const known = new Set(older.map((item) => item.guid));
          expect(newer.slice(0, 2).filter((item) => known.has(item.guid))).toEqual([]);
          // Newer than anything the first version held, and in no other feed's entries.
          for (const item of newer.slice(0, 2)) expect(item.publishedAt! > older[0]!.publishedAt!).toBe(true);
          expect(statSync(join(later.dir, file)).mtime.toISOString()).toBe(newer[0]!.publishedAt);
          expect(new Set(newer.map((item) => item.guid)).size).toBe(6);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generated topics', () => {
  const topics = generateTopics(1000);

  it('all parse, with unique slugs, the served topic first', () => {
    expect(topics[0]).toEqual(SERVED_TOPIC);
    expect(new Set(topics.map((t) => t.slug)).size).toBe(1000);
    const failures = topics.filter((t) => !parseQuery(t.query).ok);
    expect(failures).toEqual([]);
  });

  it.each([
    ['OR', / OR /],
    ['NOT', / NOT /],
    ['a phrase', /"[^"]+ [^"]+"/],
    ['a field', /\b(title|author|category):/],
    ['a prefix', /\*$/],
  ])('include queries with %s', (_name, pattern) => {
    expect(topics.some((t) => pattern.test(t.query))).toBe(true);
  });
});

describe('stats', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5], 5],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });
});
