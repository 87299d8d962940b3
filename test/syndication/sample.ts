// Topic-feed documents built from the seed fixtures' stories, plus the hostile inputs a
// renderer must survive (entities in titles, "]]>" and <script> in content, markup in names).
import type { StoredItem } from '../../src/model.js';
import type { FeedDocument, FeedEntry } from '../../src/syndication/render.js';

export function storedItem(overrides: Partial<StoredItem> & Pick<StoredItem, 'id' | 'title'>): StoredItem {
  return {
    identity: `identity-${overrides.id}`,
    guid: null,
    url: null,
    summary: '',
    contentHtml: '',
    authors: [],
    categories: [],
    publishedAt: null,
    updatedAt: null,
    language: null,
    enclosures: [],
    feedId: 1,
    feedTitle: 'World Wire',
    feedUrl: 'https://worldwire.example/feed.xml',
    firstSeenAt: '2010-11-03T19:00:00.000Z',
    sortAt: '2010-11-03T19:00:00.000Z',
    storyId: null,
    version: `2010-11-03T19:00:00.000Z hash-${overrides.id}`,
    ...overrides,
  };
}

export const seedStory: FeedEntry = {
  item: storedItem({
    id: 12,
    title: 'NATO, Russia consider joint missile defence plan',
    url: 'https://worldwire.example/world/2010/11/03/nato-russia-missile-defence',
    guid: 'worldwire-2010-11-03-0412',
    summary: 'The US is the main backer for the plan to make missile defence NATO-wide.',
    contentHtml:
      '<p>Moscow: NATO and Russia might discuss the possibility of cooperating in an alliance-wide, anti-missile system.</p>' +
      '<p>A common defence system stretching "from Vancouver to Vladivostok" would send out "a powerful political signal".</p>',
    authors: ['World Wire staff'],
    categories: ['World', 'Defence'],
    publishedAt: '2010-11-03T17:05:00.000Z',
    sortAt: '2010-11-03T17:05:00.000Z',
    storyId: 12,
  }),
  alsoReportedBy: [
    { feedTitle: 'Eastern Desk', url: 'https://easterndesk.example/news/88213' },
    { feedTitle: 'Capital <Report> & Co', url: null },
  ],
  sourceFeedUrl: 'https://worldwire.example/rss/world.xml',
};

export const stormStory: FeedEntry = {
  item: storedItem({
    id: 15,
    title: 'High winds & heavy seas',
    url: 'https://worldwire.example/uk/2010/11/03/storm-ferries',
    summary: 'High winds & heavy seas halted crossings from both ports for most of the morning.',
    contentHtml: '<p>Crossings halted; see <a href="https://worldwire.example/ferries">the timetable</a>.</p>',
    categories: ['UK'],
    publishedAt: '2010-11-03T09:10:00.000Z',
    updatedAt: '2010-11-03T10:00:00.000Z',
    sortAt: '2010-11-03T09:10:00.000Z',
    enclosures: [{ url: 'https://worldwire.example/media/storm.jpg', type: 'image/jpeg', length: 12345 }],
  }),
  alsoReportedBy: [],
  sourceFeedUrl: 'https://worldwire.example/rss/world.xml',
};

// Stored before a stricter sanitizer, or written by a hostile source: must come out harmless.
export const hostileStory: FeedEntry = {
  item: storedItem({
    id: 31,
    title: 'Markup <b>in</b> a title ]]> & a "quote"\u0001',
    url: 'https://easterndesk.example/news/88190',
    summary: 'A summary with <tags> & ampersands',
    contentHtml:
      '<p>Before ]]> after</p><script>alert(1)</script><img src="x" onerror="alert(2)">' +
      '<a href="javascript:alert(3)">click</a><p style="position:fixed">overlay</p>',
    authors: ['Tom & Jerry <desk@example>'],
    feedId: 2,
    feedTitle: 'Eastern <Desk> & Partners',
    publishedAt: null,
    sortAt: '2010-11-03T08:15:00.000Z',
  }),
  alsoReportedBy: [{ feedTitle: 'Evil "><script>x</script>', url: 'javascript:alert(4)' }],
};

export function sampleDocument(format: 'rss' | 'atom' | 'json', entries: FeedEntry[] = [seedStory, stormStory, hostileStory]): FeedDocument {
  const base = 'http://127.0.0.1:8080/topics/nato';
  return {
    title: 'NATO & friends',
    description: 'Stories matching "NATO" across all sources',
    htmlUrl: `${base}`,
    selfUrl: `${base}/feed.${format === 'json' ? 'json' : format === 'rss' ? 'rss' : 'atom'}`,
    links: { rss: `${base}/feed.rss`, atom: `${base}/feed.atom`, json: `${base}/feed.json` },
    hubUrl: 'https://hub.example/',
    paging: { first: `${base}/feed.${format}`, next: `${base}/feed.${format}?before=31`, prev: null },
    id: 'tag:feedsieve,2026:topic/nato',
    updated: new Date('2010-11-03T19:02:00.000Z'),
    entries,
  };
}

// What a store row can look like at its worst: no content, no summary, an unreadable date, a
// non-web link, a free-text enclosure type, blank names.
export const degenerateStory: FeedEntry = {
  item: storedItem({
    id: 44,
    title: '',
    url: 'javascript:alert(1)',
    publishedAt: 'not a date',
    updatedAt: null,
    authors: ['', '  '],
    categories: [''],
    enclosures: [
      { url: 'ftp://files.example/a.mp3', type: 'mp3', length: null },
      { url: 'https://files.example/b.mp3', type: 'mp3', length: null },
    ],
    feedTitle: null,
    sortAt: '2010-11-03T07:00:00.000Z',
  }),
  alsoReportedBy: [],
  sourceFeedUrl: 'not a url',
};
