import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssDocument } from '../support/feeds.js';
import { ingestPass } from '../support/passes.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const TOKEN = 'topic-changes-admin-token';

interface FollowPage { items: { id: number; title: string }[]; topicMatchedAs?: string; topicRematching?: boolean }

/**
 * A program that follows a topic with afterId, afterEdit and afterDeletion hears of each item as it
 * is stored, edited or deleted. When the topic's query is edited, every stored item is matched
 * again, and items join or leave the topic that no follower's mark reaches: the pages it follows
 * say so, by a mark that changes then. Real feeds on 127.0.0.1, fetched through the service; the
 * topic made and edited through the admin API.
 */
describe('following a topic whose query is edited', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  const started = Date.now();

  const page = async (query: string): Promise<FollowPage> => {
    const res = await service.get(`/api/items?${query}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as FollowPage;
  };
  const admin = (method: string, path: string, body?: unknown) => service.admin(method, path, body);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-topic-changes-'));
    writeFileSync(join(dir, 'wire.rss'), rssDocument('Wire', [
      { guid: 'w-1', title: 'NATO leaders meet in Vilnius', publishedAt: new Date(started - 3_600_000) },
      { guid: 'w-2', title: 'Storm warning for the coast', publishedAt: new Date(started - 7_200_000) },
    ]));
    origin = await startStaticServer(dir);
    service = await startTestService({ feeds: [{ url: origin.url('wire.rss') }], topics: [], adminToken: TOKEN });
    expect((await admin('POST', '/api/topics', { slug: 'nato', title: 'NATO', query: 'NATO' })).status).toBe(201);
    await ingestPass(service);
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says on every page followed with a topic what its matches are made under, and changes it only when every item is matched again', async () => {
    const first = await page('afterId=0&topic=nato');
    expect(first.items.map((item) => item.title)).toEqual(['NATO leaders meet in Vilnius']);
    expect(first.topicMatchedAs).toMatch(/^\d+\.\d+$/);
    expect(first.topicRematching).toBe(false);
    for (const query of ['afterEdit=0&topic=nato', 'afterDeletion=0&topic=nato']) {
      expect(await page(query)).toMatchObject({ topicMatchedAs: first.topicMatchedAs, topicRematching: false });
    }
    // Without a topic there is nothing to say.
    expect(Object.keys(await page('afterId=0'))).not.toContain('topicMatchedAs');

    // A new title matches nothing anew.
    expect((await admin('PUT', '/api/topics/nato', { title: 'NATO news', query: 'NATO' })).status).toBe(200);
    expect((await page('afterId=0&topic=nato')).topicMatchedAs).toBe(first.topicMatchedAs);

    // A new query: the storm warning joins the topic, though no follower's mark reaches it; the
    // mark changes, and the topic listed anew holds it.
    expect((await admin('PUT', '/api/topics/nato', { title: 'NATO news', query: 'NATO OR storm' })).status).toBe(200);
    const newest = ((await (await service.get('/api/items?limit=1')).json()) as { newestId: number }).newestId;
    const after = await page(`afterId=${newest}&topic=nato`);
    expect(after.items).toEqual([]);
    expect(after.topicMatchedAs).not.toBe(first.topicMatchedAs);
    expect(after.topicRematching).toBe(false);
    const listed = await page('topic=nato');
    expect(listed.items.map((item) => item.title).sort()).toEqual(['NATO leaders meet in Vilnius', 'Storm warning for the coast']);
  });

  it('says while every item is being matched again, and gives a topic made again under its slug a mark of its own', async () => {
    const before = await page('afterId=0&topic=nato');
    const { db } = service.core.store;
    // As a rematch under way (or cut short, to go on at the next start) leaves the topic.
    db.prepare(`UPDATE topics SET backfilled_through = 0 WHERE slug = 'nato'`).run();
    try {
      expect(await page('afterId=0&topic=nato')).toMatchObject({ topicMatchedAs: before.topicMatchedAs, topicRematching: true });
    } finally {
      db.prepare(`UPDATE topics SET backfilled_through = NULL WHERE slug = 'nato'`).run();
    }
    // Made, deleted and made again, never edited: another topic to its followers.
    expect((await admin('POST', '/api/topics', { slug: 'weather', title: 'Weather', query: 'storm' })).status).toBe(201);
    const made = await page('afterId=0&topic=weather');
    expect(made.items.map((item) => item.title)).toEqual(['Storm warning for the coast']);
    expect((await admin('DELETE', '/api/topics/weather')).status).toBe(204);
    expect((await admin('POST', '/api/topics', { slug: 'weather', title: 'Weather', query: 'storm' })).status).toBe(201);
    const again = await page('afterId=0&topic=weather');
    expect(again.topicMatchedAs).not.toBe(made.topicMatchedAs);
    expect(again.items.map((item) => item.title)).toEqual(['Storm warning for the coast']);
  });
});
