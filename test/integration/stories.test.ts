import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { rssDocument } from '../support/feeds.js';
import { startTestService, type TestService } from '../support/service.js';
import { AIR_POLICING as AIR, ANKARA_VISIT as ANKARA, STORY_DAY as DAY } from '../support/stories.js';


describe('stories across feeds, end to end', () => {
  let origin: FaultServer;
  let service: TestService;
  beforeAll(async () => {
    origin = await startFaultServer({
      '/a.rss': { body: rssDocument('Agency Wire', [
        { guid: 'a-1', title: 'NATO extends Baltic air policing', description: AIR, publishedAt: DAY },
        { guid: 'a-2', title: 'NATO chief in Ankara for talks', description: ANKARA, publishedAt: new Date(DAY.getTime() + 3_600_000) },
      ]) },
      // The same agency story, retitled slightly and with a byline line, from another outlet.
      '/b.rss': { body: rssDocument('City Paper', [
        { guid: 'b-77', title: 'NATO extends Baltic air policing mission', description: `By City Paper staff. ${AIR}`, publishedAt: new Date(DAY.getTime() + 1_800_000) },
      ]) },
    });
    service = await startTestService({ feeds: [{ url: origin.url('/a.rss') }, { url: origin.url('/b.rss') }] });
    await service.core.ingest(await service.core.store.listFeeds());
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('keeps two different NATO stories of the same day apart, and shows a syndicated copy once', async () => {
    const feed = await new Parser().parseString(await (await service.get('/topics/nato.rss')).text());
    expect(feed.items.map((i) => i.title).sort()).toEqual(['NATO chief in Ankara for talks', 'NATO extends Baltic air policing']);
    const { stories } = (await (await service.get('/api/stories?topic=nato')).json()) as { stories: { title: string; items: { feed: { title: string } }[] }[] };
    const air = stories.find((s) => s.title === 'NATO extends Baltic air policing')!;
    expect(air.items.map((i) => i.feed.title)).toEqual(['Agency Wire', 'City Paper']);
    expect(stories.find((s) => s.title.includes('Ankara'))!.items).toHaveLength(1);
  });
});

describe('a story whose earlier-dated copy is fetched after a later one', () => {
  let origin: FaultServer;
  let service: TestService;
  beforeAll(async () => {
    origin = await startFaultServer({
      // Filed at 09:30 by the outlet fetched first, at 09:00 by the agency fetched later.
      '/paper.rss': { body: rssDocument('City Paper', [
        { guid: 'p-1', title: 'NATO extends Baltic air policing mission', description: `By City Paper staff. ${AIR}`, publishedAt: new Date(DAY.getTime() + 1_800_000) },
      ]) },
      '/agency.rss': { body: rssDocument('Agency Wire', [
        { guid: 'a-1', title: 'NATO extends Baltic air policing', description: AIR, publishedAt: DAY },
      ]) },
    });
    service = await startTestService({ feeds: [{ url: origin.url('/paper.rss') }, { url: origin.url('/agency.rss') }] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  const entries = async (path: string) => (await new Parser().parseString(await (await service.get(path)).text())).items
    .map((i) => ({ guid: i.guid, title: i.title }));

  it('stays the entry readers got first, in the topic feed and the combined one; the story is listed once, with both sources', async () => {
    const [paper, agency] = await service.core.store.listFeeds();
    await service.core.ingest([paper!]);
    const topicBefore = await entries('/topics/nato.rss');
    const allBefore = await entries('/feeds/all.rss');
    expect(topicBefore.map((e) => e.title)).toEqual(['NATO extends Baltic air policing mission']);
    service.cache.invalidateAll();

    await service.core.ingest([agency!]);
    expect(await entries('/topics/nato.rss')).toEqual(topicBefore);
    expect(await entries('/feeds/all.rss')).toEqual(allBefore);
    const { stories } = (await (await service.get('/api/stories?topic=nato')).json()) as { stories: { title: string; items: { feed: { title: string } }[] }[] };
    expect(stories).toHaveLength(1);
    expect(stories[0]!.items.map((i) => i.feed.title).sort()).toEqual(['Agency Wire', 'City Paper']);
  });
});
