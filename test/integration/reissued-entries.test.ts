import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshReport } from '../../src/ingest/refresh.js';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';
import { AIR_POLICING as AIR, ANKARA_VISIT as ANKARA } from '../support/stories.js';

const HOUR = 3_600_000;
const AIR_LINK = 'https://wire.example/2026/nato-baltic-air-policing';
const UPDATED_TITLE = 'NATO extends Baltic air policing, adds four jets';
const UPDATE = 'The first of the jets is due in Lithuania on Monday.';
const LIVE_LINK = 'https://wire.example/live/nato-ministers';
const DREDGING = 'Dredging of the outer harbour resumes on Monday after a two-week pause for repairs to the dredger, the port authority said, and the channel will be closed to ships longer than 200 metres until the work ends in March.';
const LIVE = 'NATO defence ministers meet in Brussels today: statements on spending pledges, the Baltic rotation and support for Ukraine as they arrive at the alliance headquarters, with reactions from capitals through the day.';

interface FeedItem { title?: string; guid?: string; content?: string }

/**
 * A site that issues an article again under a new guid (a correction, an update, a CMS that makes
 * guids from revisions) and drops the old one from its feed: a reader of a topic feed must see the
 * entry it has, updated, not a second copy. A live page whose feed keeps each update, every one
 * linking to the same page, keeps every update. A feed that gives its entry a new guid at every
 * fetch keeps one entry, and its topic's readers are told nothing changed.
 */
describe('an article its feed issues again under a new guid', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  let before: FeedItem[];
  let after: FeedItem[];
  let secondFetchAt: number;
  let harbourEtag: string | null;
  const secondPass = new Map<string, RefreshReport>();
  const started = Date.now();
  const ago = (ms: number): Date => new Date(started - ms);
  const ankara: FeedEntrySpec = { guid: 'w-2', title: 'NATO chief in Ankara for talks', description: ANKARA, publishedAt: ago(3 * HOUR) };
  const firstLive: FeedEntrySpec = { guid: 'live-1', title: 'NATO ministers meet: the day so far', description: LIVE, publishedAt: ago(2 * HOUR), link: LIVE_LINK };

  // A feed that gives its entry a new guid each time it is fetched, all else the same.
  const rotated = (fetch: string): FeedEntrySpec =>
    ({ guid: `dredging-${fetch}`, title: 'Harbour dredging resumes', description: DREDGING, publishedAt: ago(4 * HOUR), link: 'https://port.example/notices/dredging' });

  const topicFeed = async (): Promise<FeedItem[]> => {
    const res = await service.get('/topics/nato.rss');
    expect(res.status).toBe(200);
    return (await new Parser().parseString(await res.text())).items as FeedItem[];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-reissue-'));
    writeFileSync(join(dir, 'wire.rss'), rssDocument('Wire', [
      { guid: 'w-1', title: 'NATO extends Baltic air policing', description: AIR, publishedAt: ago(2 * HOUR), link: AIR_LINK },
      ankara,
    ]));
    writeFileSync(join(dir, 'live.rss'), rssDocument('Live desk', [firstLive]));
    writeFileSync(join(dir, 'port.rss'), rssDocument('Port notices', [rotated('fetch-1')]));
    origin = await startStaticServer(dir);
    service = await startTestService({
      feeds: ['wire.rss', 'live.rss', 'port.rss'].map((file) => ({ url: origin.url(file) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'harbour', title: 'Harbour', query: 'harbour' }],
    });
    await service.core.ingest(await service.core.store.listFeeds());
    before = await topicFeed();
    harbourEtag = (await service.get('/topics/harbour.rss')).headers.get('etag');
    secondFetchAt = Date.now();
    writeFileSync(join(dir, 'wire.rss'), rssDocument('Wire', [
      { guid: 'w-1-rev2', title: UPDATED_TITLE, description: `${AIR} ${UPDATE}`, publishedAt: ago(HOUR / 2), link: AIR_LINK },
      ankara,
    ]));
    writeFileSync(join(dir, 'live.rss'), rssDocument('Live desk', [
      { guid: 'live-2', title: 'NATO ministers meet: latest', description: LIVE, publishedAt: ago(HOUR / 2), link: LIVE_LINK },
      firstLive,
    ]));
    writeFileSync(join(dir, 'port.rss'), rssDocument('Port notices', [rotated('fetch-2')]));
    // As the service's own passes do: the pages of the topics a save touched are rendered again.
    await service.core.ingest(await service.core.store.listFeeds(), (report) => {
      secondPass.set(report.url.slice(report.url.lastIndexOf('/') + 1), report);
      service.cache.invalidate(report.touchedTopics);
    });
    after = await topicFeed();
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is the entry readers have, updated: same entry id, new title and text, no second copy', async () => {
    const air = before.find((item) => item.title === 'NATO extends Baltic air policing');
    expect(air?.guid).toBeDefined();
    const airAfter = after.filter((item) => item.title?.includes('Baltic air policing'));
    expect(airAfter.map((item) => item.title)).toEqual([UPDATED_TITLE]);
    expect(airAfter[0]!.guid).toBe(air!.guid);
    expect(airAfter[0]!.content).toContain(UPDATE);
    expect(after.filter((item) => item.title === 'NATO chief in Ankara for talks')).toHaveLength(1);
  });

  it('keeps its id and first sight in the API, under the guid the feed gives it now', async () => {
    const { items } = (await (await service.get('/api/items?topic=nato&limit=100')).json()) as { items: { id: number; title: string }[] };
    const air = items.filter((item) => item.title.includes('Baltic air policing'));
    expect(air).toHaveLength(1);
    const full = (await (await service.get(`/api/items/${air[0]!.id}`)).json()) as { guid: string; url: string; firstSeenAt: string };
    expect(full).toMatchObject({ guid: 'w-1-rev2', url: AIR_LINK });
    expect(Date.parse(full.firstSeenAt)).toBeLessThan(secondFetchAt);
    const [wire] = (await service.core.store.listFeeds()).filter((feed) => feed.url.endsWith('/wire.rss'));
    expect(wire!.itemCount).toBe(2);
  });

  it('keeps each update of a live page its feed still carries, though they share a link and read alike', () => {
    expect(before.filter((item) => item.title?.startsWith('NATO ministers meet'))).toHaveLength(1);
    expect(after.filter((item) => item.title?.startsWith('NATO ministers meet')).map((item) => item.title).sort())
      .toEqual(['NATO ministers meet: latest', 'NATO ministers meet: the day so far']);
  });

  it('is one entry, unchanged to its readers, when its feed gives it a new guid at every fetch', async () => {
    expect(secondPass.get('port.rss')).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 1, touchedTopics: [] });
    expect(secondPass.get('wire.rss')).toMatchObject({ inserted: 0, updated: 1 });
    expect(harbourEtag).toBeTruthy();
    expect((await service.get('/topics/harbour.rss', { 'If-None-Match': harbourEtag! })).status).toBe(304);
    const { items } = (await (await service.get('/api/items?topic=harbour')).json()) as { items: { id: number }[] };
    expect(items).toHaveLength(1);
    const full = (await (await service.get(`/api/items/${items[0]!.id}`)).json()) as { guid: string };
    expect(full.guid).toBe('dredging-fetch-2');
  });
});
