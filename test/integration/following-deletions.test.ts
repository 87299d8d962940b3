import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';
import { feedIdOf, ingestPass } from '../support/passes.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TOKEN = 'deletions-admin-token';

interface Deletion { id: number; feed: { id: number }; deletionId: number; deletedAt: string }
interface DeletionPage { items: Deletion[]; nextAfterDeletion: number; more: boolean; databaseId: string }
interface Listing { items: { id: number; title: string; feed: { id: number } }[]; newestDeletion: number; databaseId: string }

/**
 * A program that mirrors a topic follows what is stored (afterId) and edited (afterEdit); with
 * afterDeletion it hears of the items that go too: those of a feed the operator deletes, and those
 * retention expires. Real feeds served on 127.0.0.1, fetched through the service; the feed deleted
 * through the admin API; retention run by the core on its clock, moved on by days, and the log
 * of deletions aged as the database's clock would age it.
 */
describe('following the items deleted, with afterDeletion', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  let clock = Date.now();
  const started = Date.now();
  const entry = (guid: string, title: string, hoursAgo: number): FeedEntrySpec =>
    ({ guid, title, publishedAt: new Date(started - hoursAgo * HOUR), description: `About ${title}.` });
  let before: Listing;
  let localItems: Listing['items'];
  let afterFeedDeleted: { all: DeletionPage; nato: DeletionPage; storms: DeletionPage; ofWire: DeletionPage };
  let afterRetention: { all: DeletionPage; nato: DeletionPage };

  const get = async <T>(query: string): Promise<T> => {
    const res = await service.get(`/api/items?${query}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as T;
  };
  const problem = async (query: string) => {
    const res = await service.get(`/api/items?${query}`);
    return { status: res.status, body: (await res.json()) as { detail: string; errors: { field: string }[] } };
  };
  const admin = (method: string, path: string, body?: unknown) => service.admin(method, path, body);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-following-deletions-'));
    writeFileSync(join(dir, 'wire.rss'), rssDocument('Wire', [entry('w-1', 'NATO leaders meet in Vilnius', 1), entry('w-2', 'Storm warning for the coast', 2)]));
    writeFileSync(join(dir, 'local.rss'), rssDocument('Local', [entry('l-1', 'Council approves new NATO liaison office', 3), entry('l-2', 'Library reopens', 4)]));
    origin = await startStaticServer(dir);
    service = await startTestService({
      feeds: [{ url: origin.url('wire.rss') }],
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'storms', title: 'Storms', query: 'storm' }],
      adminToken: TOKEN,
      extra: { retention: { maxAgeDays: 7 } },
      now: () => new Date(clock),
    });
    expect((await admin('POST', '/api/feeds', { url: origin.url('local.rss') })).status).toBe(201);
    await ingestPass(service);
    before = await get<Listing>('limit=10');
    const localId = await feedIdOf(service, 'local.rss');
    localItems = before.items.filter((item) => item.feed.id === localId);

    expect((await admin('DELETE', `/api/feeds/${localId}`)).status).toBe(204);
    const after = `afterDeletion=${before.newestDeletion}`;
    afterFeedDeleted = {
      all: await get(after),
      nato: await get(`${after}&topic=nato`),
      storms: await get(`${after}&topic=storms`),
      ofWire: await get(`${after}&feed=${await feedIdOf(service, 'wire.rss')}`),
    };

    // Eight days on, retention expires the wire's items too.
    clock += 8 * DAY;
    expect(await service.core.expire()).toBe(2);
    afterRetention = {
      all: await get(`afterDeletion=${afterFeedDeleted.all.nextAfterDeletion}`),
      nato: await get(`afterDeletion=${afterFeedDeleted.nato.nextAfterDeletion}&topic=nato`),
    };
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('numbers no deletion while nothing is deleted, and a listing says where to start following them', () => {
    expect(before.items).toHaveLength(4);
    expect(localItems).toHaveLength(2);
    expect(before.newestDeletion).toBe(0);
  });

  it('brings the items of a deleted feed, each by its id and feed, in the order deleted', () => {
    const { all } = afterFeedDeleted;
    expect(all.items.map((d) => d.id).sort()).toEqual(localItems.map((item) => item.id).sort());
    expect(all.items.map((d) => d.deletionId)).toEqual([1, 2]);
    expect(new Set(all.items.map((d) => d.feed.id))).toEqual(new Set([localItems[0]!.feed.id]));
    for (const d of all.items) expect(Math.abs(Date.parse(d.deletedAt) - Date.now())).toBeLessThan(60_000);
    expect(all).toMatchObject({ nextAfterDeletion: 2, more: false, databaseId: before.databaseId });
  });

  it('brings a topic\'s followers the items deleted that were in the topic, and a feed\'s its own', () => {
    const council = localItems.find((item) => item.title.startsWith('Council'))!;
    expect(afterFeedDeleted.nato.items.map((d) => d.id)).toEqual([council.id]);
    expect(afterFeedDeleted.nato.nextAfterDeletion).toBe(2);
    expect(afterFeedDeleted.storms.items).toEqual([]);
    expect(afterFeedDeleted.storms.nextAfterDeletion).toBe(2);
    expect(afterFeedDeleted.ofWire.items).toEqual([]);
  });

  it('brings the items retention expires, from where the follower stood', () => {
    const wire = before.items.filter((item) => !localItems.includes(item));
    expect(afterRetention.all.items.map((d) => d.id).sort()).toEqual(wire.map((item) => item.id).sort());
    expect(afterRetention.all.items.map((d) => d.deletionId)).toEqual([3, 4]);
    const summit = wire.find((item) => item.title.startsWith('NATO'))!;
    expect(afterRetention.nato.items.map((d) => d.id)).toEqual([summit.id]);
  });

  it('goes on from the last deletion a backup held, for a follower of the history the database was restored from', async () => {
    // As a restore from a backup that held item 10, edit 5 and deletion 1 remembers the history it was copied from.
    const earlier = 'b'.repeat(32);
    service.core.store.db.prepare('INSERT INTO earlier_histories (id, items_through, edits_through, deletions_through) VALUES (?, 10, 5, 1)')
      .run(earlier);
    try {
      const page = await get<DeletionPage>(`afterDeletion=4&databaseId=${earlier}`);
      expect(page.items.map((d) => d.deletionId)).toEqual([2, 3, 4]);
      expect(page.databaseId).toBe(before.databaseId);
    } finally {
      service.core.store.db.prepare('DELETE FROM earlier_histories WHERE id = ?').run(earlier);
    }
  });

  it('forgets deletions once they are as old as the items retention keeps, and answers a follower that missed some 410', async () => {
    const newest = afterRetention.all.nextAfterDeletion;
    // Retention's next run finds them kept for as long as retention keeps items.
    await service.core.expire();
    expect((await get<DeletionPage>(`afterDeletion=0`)).items).toHaveLength(4);
    // The log is aged by the database's clock, which wrote deletedAt: deletions made eight days ago.
    service.core.store.db.prepare('UPDATE item_deletions SET deleted_at = ?').run(new Date(Date.now() - 8 * DAY).toISOString());
    await service.core.expire();
    const missed = await problem(`afterDeletion=${afterFeedDeleted.all.nextAfterDeletion}`);
    expect(missed.status).toBe(410);
    expect(missed.body.detail).toContain(`list the items again, and follow deletions from newestDeletion (${newest})`);
    expect(missed.body.errors.map((e) => e.field)).toEqual(['query.afterDeletion']);
    // A follower that had read them all goes on.
    expect(await get<DeletionPage>(`afterDeletion=${newest}`)).toMatchObject({ items: [], nextAfterDeletion: newest, more: false });
    expect((await get<Listing>('limit=1')).newestDeletion).toBe(newest);
  });

  it('answers a mark past every deletion 409, another database\'s 409, and a mark with another follower\'s or a listing\'s fields 400', async () => {
    const newest = (await get<Listing>('limit=1')).newestDeletion;
    const past = await problem(`afterDeletion=${newest + 1}`);
    expect(past.status).toBe(409);
    expect(past.body.detail).toContain(`start again from newestDeletion (${newest})`);
    const elsewhere = await problem(`afterDeletion=${newest}&databaseId=${'0'.repeat(32)}`);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.errors.map((e) => e.field)).toEqual(['query.databaseId']);
    expect((await get<DeletionPage>(`afterDeletion=${newest}&databaseId=${before.databaseId}`)).nextAfterDeletion).toBe(newest);
    for (const [query, field] of [
      ['afterId=0&afterDeletion=0', 'query.afterDeletion'], ['afterDeletion=0&afterEdit=0', 'query.afterDeletion'],
      ['afterDeletion=0&q=nato', 'query.q'], ['afterDeletion=0&since=2026-01-01T00:00:00Z', 'query.since'], ['afterDeletion=-1', 'query.afterDeletion'],
    ] as const) {
      const bad = await problem(query);
      expect(bad.status, query).toBe(400);
      expect(bad.body.errors.map((e) => e.field), query).toContain(field);
    }
  });
});
