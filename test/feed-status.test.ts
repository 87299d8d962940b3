// What `feedsieve feeds` prints for each state a feed can be in.
import { describe, expect, it } from 'vitest';
import { feedState, feedStatusLines } from '../src/feed-status.js';
import type { FeedRecord } from '../src/model.js';

const base: FeedRecord = {
  id: 1, url: 'https://a.example/feed', title: null, siteUrl: null, origin: 'api', disabled: false,
  etag: null, lastModified: null, contentHash: null, lastFetchedAt: null, lastStatus: null, lastError: null,
  consecutiveFailures: 0, nextFetchAt: null, minIntervalMinutes: null, intervalMinutes: null, movedTo: null, itemCount: 0, identityScheme: 0,
  websub: null,
};
const HUB = { hub: 'https://hub.example/', topic: 'https://h.example/self' };
const LEASED = { state: 'verified' as const, leaseExpiresAt: '2026-12-15T15:20:31.000Z', error: null, lastNotifiedAt: null, notifications: 0, changesAnnounced: 0, lastUnannouncedChangeAt: null };
const fetched = { lastFetchedAt: '2026-12-05T15:20:31.000Z', nextFetchAt: '2026-12-05T16:20:31.000Z', lastStatus: 200 };

describe('feed status lines', () => {
  it.each<[string, Partial<FeedRecord>, string]>([
    ['never fetched', {}, 'waiting'],
    ['fetched without error', fetched, 'ok'],
    ['failing', { ...fetched, lastError: { kind: 'timeout', message: 'timed out' }, consecutiveFailures: 3 }, 'failing'],
    ['disabled by a 410', { ...fetched, disabled: true, lastError: { kind: 'gone', message: 'HTTP 410' } }, 'disabled'],
  ])('names the state of a feed %s', (_name, over, state) => {
    expect(feedState({ ...base, ...over })).toBe(state);
  });

  it('prints a header, a line a feed in aligned columns, and under a feed what the operator must act on or may tell its site', () => {
    const lines = feedStatusLines([
      { ...base, ...fetched, itemCount: 4 },
      { ...base, ...fetched, id: 12, url: 'https://b.example/rss', consecutiveFailures: 3, itemCount: 120,
        lastError: { kind: 'rate-limited', message: 'HTTP 503 from https://b.example/rss' } },
      { ...base, ...fetched, id: 13, url: 'https://c.example/old', origin: 'config', movedTo: 'https://c.example/new' },
      { ...base, ...fetched, id: 14, url: 'https://d.example/x', disabled: true, lastError: { kind: 'gone', message: 'HTTP 410' } },
      { ...base, id: 15, url: 'https://e.example/dup', movedTo: 'https://a.example/feed', ...fetched },
      { ...base, ...fetched, id: 16, url: 'https://f.example/na', identityScheme: 1 },
      { ...base, ...fetched, id: 17, url: 'https://g.example/shop', identityScheme: 2 },
      { ...base, ...fetched, id: 18, url: 'https://h.example/hubbed', websub: { ...HUB, subscription: { ...LEASED, state: 'denied', error: 'topic not allowed' } } },
      { ...base, ...fetched, id: 19, url: 'https://i.example/hubbed', websub: { ...HUB, subscription: { ...LEASED, state: 'failed', error: 'the hub answered 503' } } },
      { ...base, ...fetched, id: 20, url: 'https://j.example/hubbed', websub: { ...HUB, subscription: LEASED } },
      { ...base, ...fetched, id: 21, url: 'https://k.example/hubbed', websub: { ...HUB, subscription: null } },
    ]);
    expect(lines).toEqual([
      'id  state       items  last fetch (UTC)  next fetch (UTC)  url',
      ' 1  ok              4  2026-12-05 15:20  2026-12-05 16:20  https://a.example/feed',
      '12  failing x3    120  2026-12-05 15:20  2026-12-05 16:20  https://b.example/rss',
      '    error rate-limited: HTTP 503 from https://b.example/rss',
      '13  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://c.example/old',
      '    moved permanently to https://c.example/new: put it in the config file; the feed keeps its items',
      '14  disabled        0  2026-12-05 15:20  -                 https://d.example/x',
      '    error gone: HTTP 410',
      '15  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://e.example/dup',
      '    moved permanently to https://a.example/feed: another feed has that URL',
      '16  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://f.example/na',
      '    gave different entries one guid: its entries are told apart by link',
      '17  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://g.example/shop',
      '    gave different entries one guid: its entries are told apart by link, title and date (it gave them one link too)',
      '18  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://h.example/hubbed',
      '    WebSub subscription at https://hub.example/ refused: topic not allowed',
      '19  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://i.example/hubbed',
      '    WebSub subscription at https://hub.example/ failed: the hub answered 503',
      '20  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://j.example/hubbed',
      '21  ok              0  2026-12-05 15:20  2026-12-05 16:20  https://k.example/hubbed',
    ]);
  });

  it('shows a URL, and where it moved, without the password it carries', () => {
    const lines = feedStatusLines([{ ...base, ...fetched, url: 'https://desk:s3cret@a.example/feed', origin: 'config', movedTo: 'https://desk:s3cret@a.example/new' }]);
    expect(lines[1]).toMatch(/ https:\/\/a\.example\/feed$/);
    expect(lines[2]).toContain('moved permanently to https://a.example/new:');
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('prints the header alone when there is no feed', () => {
    expect(feedStatusLines([])).toEqual(['id  state  items  last fetch (UTC)  next fetch (UTC)  url']);
  });
});
