import { describe, expect, it } from 'vitest';
import { type EntryForIdentity, identitySchemeOf, itemIdentity } from '../../src/ingest/identity.js';
import { prepareFeed } from '../../src/ingest/prepare.js';
import { buildTopicIndex } from '../../src/topics/topic-index.js';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';

const AT = new Date('2026-11-20T09:00:00Z');
const read = (guid: string | null, url: string | null, title: string): EntryForIdentity => {
  const source = { guid, url, title, publishedAt: AT.toISOString() };
  return { draft: { ...source, identity: itemIdentity(source) } };
};
// Recognized by its markup as the stored entry `identity`; read again only when asked, and counted.
let readAgain = 0;
const recognized = (identity: string, url: string | null, title: string): EntryForIdentity => ({
  draft: null, identity, readAgain: () => {
    readAgain++;
    return { guid: identity, url, title, publishedAt: AT.toISOString() };
  },
});

describe('itemIdentity by scheme', () => {
  const entry = { guid: 'N/A', url: 'https://shop.example/', title: 'Blue shirt', publishedAt: AT.toISOString() };
  const linkless = { ...entry, url: null };

  it('takes the guid, then the link, then the link, title and date', () => {
    expect(itemIdentity(entry, 0)).toBe('N/A');
    expect(itemIdentity(entry, 1)).toBe('https://shop.example/');
    expect(itemIdentity(entry, 2)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(itemIdentity(entry, 2)).not.toBe(itemIdentity({ ...entry, title: 'Red shirt' }, 2));
    expect(itemIdentity(entry, 2)).not.toBe(itemIdentity({ ...entry, url: 'https://shop.example/red' }, 2));
    expect(itemIdentity(entry, 2)).not.toBe(itemIdentity({ ...entry, publishedAt: '2026-11-20T09:05:00.000Z' }, 2));
  });

  it('gives an entry without a link the hash of its title and date under every scheme but the first', () => {
    const hashed = itemIdentity({ ...linkless, guid: null }, 0);
    expect(hashed).toMatch(/^sha256:/);
    expect(itemIdentity(linkless, 1)).toBe(hashed);
    expect(itemIdentity(linkless, 2)).toBe(hashed);
  });
});

describe('identitySchemeOf', () => {
  it('keeps guids when every entry has its own', () => {
    expect(identitySchemeOf([read('a', 'https://x.example/1', 'One'), read('b', 'https://x.example/1', 'Two')], 0)).toBe(0);
  });

  it('keeps guids when a feed lists one entry twice', () => {
    expect(identitySchemeOf([read('a', 'https://x.example/1', 'One'), read('a', 'https://x.example/1', 'One')], 0)).toBe(0);
  });

  it('moves to links when one guid names entries with different links', () => {
    expect(identitySchemeOf([read('N/A', 'https://x.example/1', 'One'), read('N/A', 'https://x.example/2', 'Two')], 0)).toBe(1);
  });

  it('moves to link, title and date when the entries that share a guid share their link too', () => {
    // A weblog's untitled posts of one day, its page and an anchor as link and guid for each, by time.
    const later = (entry: EntryForIdentity): EntryForIdentity =>
      entry.draft === null ? entry : { draft: { ...entry.draft, publishedAt: '2026-11-20T09:05:00.000Z' } };
    expect(identitySchemeOf([read('https://x.example/day#a1', 'https://x.example/day#a1', ''), later(read('https://x.example/day#a1', 'https://x.example/day#a1', ''))], 0)).toBe(2);
    expect(identitySchemeOf([read('N/A', 'https://x.example/', 'One'), read('N/A', 'https://x.example/', 'Two')], 0)).toBe(2);
    // No guids at all, every entry linking to the home page, as some shops' feeds do.
    expect(identitySchemeOf([read(null, 'https://x.example/', 'One'), read(null, 'https://x.example/', 'Two')], 0)).toBe(2);
  });

  it('reads an entry recognized by its markup when a read one claims its identity, and compares the two', () => {
    readAgain = 0;
    // A new entry under the guid the one stored has: another entry.
    expect(identitySchemeOf([read('N/A', 'https://x.example/2', 'Two'), recognized('N/A', 'https://x.example/1', 'One')], 0)).toBe(1);
    expect(readAgain).toBe(1);
    // A pinned copy whose markup differs from the copy stored: the same entry.
    expect(identitySchemeOf([recognized('a', 'https://x.example/1', 'One'), read('a', 'https://x.example/1', 'One')], 0)).toBe(0);
    expect(readAgain).toBe(2);
    // Under links, the entry stored under the guid has an identity no read one claims: nothing is read.
    expect(identitySchemeOf([recognized('N/A', 'https://x.example/1', 'One'), read('N/A', 'https://x.example/2', 'Two')], 1)).toBe(1);
    expect(identitySchemeOf([recognized('N/A', 'https://x.example/1', 'One'), recognized('N/A', 'https://x.example/1', 'One')], 0)).toBe(0);
    expect(readAgain).toBe(2);
  });

  it('never moves back', () => {
    expect(identitySchemeOf([read('a', 'https://x.example/1', 'One')], 1)).toBe(1);
    expect(identitySchemeOf([read('a', 'https://x.example/1', 'One')], 2)).toBe(2);
  });
});

describe('prepareFeed with a feed that gives every entry one guid', () => {
  const topics = buildTopicIndex([]);
  const source = { url: 'https://tracker.example/feed.xml', contentType: 'application/rss+xml' };
  const releases: FeedEntrySpec[] = ['16.91', '16.90', '16.89'].map((build, i) =>
    ({ guid: 'N/A', title: `Build ${build} released`, publishedAt: new Date(AT.getTime() - i * 86_400_000), link: `https://tracker.example/builds/${build}` }));
  const prepare = (entries: FeedEntrySpec[], identityScheme?: 0 | 1 | 2) => {
    const body = Buffer.from(rssDocument('Builds', entries));
    const result = prepareFeed({ body, ...source, storedHashes: new Map(), storedMarkup: new Map(), feed: { id: 1, title: null, identityScheme } }, topics);
    if (!result.ok) throw new Error(result.error.message);
    return result;
  };

  it('prepares each entry, told apart by its link, and says the feed is to be read so from now on', () => {
    const result = prepare(releases);
    expect(result.entries.map((entry) => entry.item.title)).toEqual(['Build 16.91 released', 'Build 16.90 released', 'Build 16.89 released']);
    expect(result.identities).toEqual(releases.map((release) => release.link));
    expect(result.entries.map((entry) => entry.item.guid)).toEqual(['N/A', 'N/A', 'N/A']);
    expect(result.identityScheme).toBe(1);
  });

  it('tells a feed read by links apart by links, though one document has guids of its own', () => {
    const fixed = releases.map((release, i) => ({ ...release, guid: `build-${i}` }));
    const result = prepare(fixed, 1);
    expect(result.identities).toEqual(releases.map((release) => release.link));
    expect(result.identityScheme).toBe(1);
    expect(prepare(fixed).identities).toEqual(['build-0', 'build-1', 'build-2']);
  });
});
