import { readFileSync } from 'node:fs';
import Parser from 'rss-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeDoc, type MatchableDoc } from '../../src/topics/text.js';
import { buildTopicIndex, matchTopics } from '../../src/topics/topic-index.js';

// The seed-story facts from the shared fixtures README, checked against the real fixture texts.

const FEEDS = new URL('../fixtures/feeds/', import.meta.url);

interface FixtureItem {
  feed: string;
  doc: MatchableDoc;
}

type XmlItem = Parser.Item & { 'content:encoded'?: string; summary?: string };

async function xmlItems(file: string, encoding: BufferEncoding, feedId: number): Promise<FixtureItem[]> {
  const text = readFileSync(new URL(file, FEEDS)).toString(encoding);
  const feed = await new Parser<Record<string, never>, XmlItem>().parseString(text);
  return feed.items.map((item) => {
    const isAtom = item.summary !== undefined;
    return {
      feed: file,
      doc: {
        title: item.title ?? '',
        summary: isAtom ? (item.summary ?? '') : (item.contentSnippet ?? ''),
        contentHtml: item['content:encoded'] ?? (isAtom ? (item.content ?? '') : ''),
        categories: item.categories ?? [],
        authors: item.creator ? [item.creator] : [],
        feedTitle: feed.title ?? null,
        feedId,
        language: feed.language ?? null,
      },
    };
  });
}

interface JsonFeedItem {
  title?: string;
  summary?: string;
  content_html?: string;
  content_text?: string;
  tags?: string[];
  authors?: { name: string }[];
}

function jsonItems(file: string, feedId: number): FixtureItem[] {
  const feed = JSON.parse(readFileSync(new URL(file, FEEDS), 'utf8')) as { title: string; language?: string; items: JsonFeedItem[] };
  return feed.items.map((item) => ({
    feed: file,
    doc: {
      title: item.title ?? '',
      summary: item.summary ?? '',
      contentHtml: item.content_html ?? item.content_text ?? '',
      categories: item.tags ?? [],
      authors: (item.authors ?? []).map((a) => a.name),
      feedTitle: feed.title,
      feedId,
      language: feed.language ?? null,
    },
  }));
}

let items: FixtureItem[] = [];

beforeAll(async () => {
  items = [
    ...(await xmlItems('world-wire.rss', 'utf8', 1)),
    ...(await xmlItems('eastern-desk.atom', 'utf8', 2)),
    ...(await xmlItems('capital-report.rdf', 'latin1', 3)),
    ...jsonItems('briefs.json', 4),
  ];
});

const index = buildTopicIndex([
  { slug: 'nato', query: 'NATO' },
  { slug: 'missile-defence', query: '"missile defence"' },
]);

function topicsOf(title: string, feed?: string): string[] {
  const found = items.filter((i) => i.doc.title.startsWith(title) && (feed === undefined || i.feed === feed));
  expect(found, `fixture item "${title}"`).toHaveLength(1);
  return matchTopics(index, analyzeDoc((found[0] as FixtureItem).doc)).map((m) => m.slug);
}

describe('seed-story topic facts', () => {
  it('reads every fixture item', () => {
    expect(items.length).toBe(10);
  });

  it.each([
    ['the seed story (World Wire)', 'NATO, Russia consider joint missile defence plan', 'world-wire.rss'],
    ['the seed story (Eastern Desk)', 'NATO, Russia consider joint missile defence plan', 'eastern-desk.atom'],
    ['"Afghan transit route reopens…" (NATO-led)', 'Afghan transit route reopens', undefined],
    ['the Lisbon summit preview (text and tag)', 'What to expect from the Lisbon summit', undefined],
  ])('nato matches %s', (_name, title, feed) => {
    expect(topicsOf(title, feed)).toContain('nato');
  });

  it('nato does not match "Senator questions harbour dredging budget"', () => {
    expect(topicsOf('Senator questions harbour dredging budget')).not.toContain('nato');
  });

  it.each([
    ['the seed story (World Wire)', 'NATO, Russia consider joint missile defence plan', 'world-wire.rss'],
    ['the seed story (Eastern Desk)', 'NATO, Russia consider joint missile defence plan', 'eastern-desk.atom'],
    ['the Lisbon summit preview', 'What to expect from the Lisbon summit', undefined],
    ['the US-spelled "missile defense" story', 'Pentagon weighs new interceptor sites for missile defense', undefined],
  ])('missile-defence matches %s', (_name, title, feed) => {
    expect(topicsOf(title, feed)).toContain('missile-defence');
  });

  it.each(['Storm closes two ferry ports', 'Gas transit talks resume in Kyiv', 'Central bank holds rates'])(
    '%s is in neither topic',
    (title) => {
      expect(topicsOf(title)).toEqual([]);
    },
  );

  it('the Lisbon preview matches nato in both its text and its tag', () => {
    const preview = items.find((i) => i.doc.title.startsWith('What to expect'))?.doc as MatchableDoc;
    const tagOnly = analyzeDoc({ ...preview, summary: '', contentHtml: '' });
    const textOnly = analyzeDoc({ ...preview, categories: [] });
    expect(matchTopics(index, tagOnly).map((m) => m.slug)).toContain('nato');
    expect(matchTopics(index, textOnly).map((m) => m.slug)).toContain('nato');
  });

  it('the Latin-1 café story matches café licence through accents and spelling', () => {
    const cafe = buildTopicIndex([{ slug: 'cafe-licence', query: 'cafe licence' }]);
    const story = items.find((i) => i.doc.title.startsWith('Caf'))?.doc as MatchableDoc;
    expect(story.title).toBe('Café owners protest new licence fees');
    expect(matchTopics(cafe, analyzeDoc(story))).toEqual([{ slug: 'cafe-licence', terms: ['Café', 'cafés', 'licence'] }]);
  });

  it('the seed story says why it matched', () => {
    const seed = items.find((i) => i.feed === 'world-wire.rss' && i.doc.title.startsWith('NATO'))?.doc as MatchableDoc;
    expect(matchTopics(index, analyzeDoc(seed))).toEqual([
      { slug: 'nato', terms: ['NATO'] },
      { slug: 'missile-defence', terms: ['missile defence'] },
    ]);
  });
});
