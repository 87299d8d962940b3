import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshReport } from '../../src/ingest/refresh.js';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';
import { feedIdOf, ingestPass } from '../support/passes.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const HOUR = 3_600_000;

interface EditedItem { id: number; title: string; summary: string; editId: number; editedAt: string; topics: { slug: string }[] }
interface EditPage { items: EditedItem[]; nextAfterEdit: number; more: boolean }

/**
 * A program that follows what is stored with afterId sees an article once, when it is stored; the
 * wire's corrections (a new headline, a changed figure) change the item under the same id. With
 * afterEdit it follows those edits too, in the order they were made, each item as its latest edit
 * left it. Real feeds served on 127.0.0.1 and fetched through the service, four times.
 */
describe('following the items their feeds edit, with afterEdit', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  const passes: Map<string, RefreshReport>[] = [];
  const started = Date.now();
  const entry = (guid: string, title: string, hoursAgo: number, description?: string): FeedEntrySpec =>
    ({ guid, title, publishedAt: new Date(started - hoursAgo * HOUR), description: description ?? `About ${title}.` });
  const summit = (title: string) => entry('w-1', title, 1);
  const budget = (description: string) => entry('w-2', 'NATO defence budgets rise', 2, description);
  const weather = (title: string) => entry('w-3', title, 3);
  const local = entry('l-1', 'Council approves new NATO liaison office', 4);
  // Newest ids and edits read before the edits, as a program starting to follow would.
  let before: { newestId: number; newestEdit: number };
  let afterFirstEdits: EditPage;

  const write = (file: string, title: string, entries: FeedEntrySpec[]): void => writeFileSync(join(dir, file), rssDocument(title, entries));
  const pass = async (): Promise<void> => {
    passes.push(await ingestPass(service));
  };
  const page = async (query: string): Promise<EditPage> => {
    const res = await service.get(`/api/items?${query}`);
    expect(res.status, query).toBe(200);
    return (await res.json()) as EditPage;
  };
  const feedId = (file: string): Promise<number> => feedIdOf(service, file);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-following-edits-'));
    write('wire.rss', 'Wire', [summit('NATO leaders meet in Vilnius'), budget('Spending rises by 8%.'), weather('Storm warning for the coast')]);
    write('local.rss', 'Local', [local]);
    origin = await startStaticServer(dir);
    service = await startTestService({
      feeds: ['wire.rss', 'local.rss'].map((file) => ({ url: origin.url(file) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }, { slug: 'storms', title: 'Storms', query: 'storm' }],
    });
    await pass();
    before = (await (await service.get('/api/items?limit=1')).json()) as typeof before;
    // The wire corrects a headline and a figure, and re-words its weather story.
    write('wire.rss', 'Wire', [summit('NATO leaders meet in Vilnius, agree on Ukraine'), budget('Spending rises by 18%.'), weather('Storm warning lifted')]);
    await pass();
    afterFirstEdits = await page(`afterEdit=${before.newestEdit}`);
    // The summit's headline changes again; the rest is as it was.
    write('wire.rss', 'Wire', [summit('NATO leaders agree on Ukraine in Vilnius'), budget('Spending rises by 18%.'), weather('Storm warning lifted')]);
    await pass();
    // Nothing changes.
    await pass();
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('numbers no edit when entries are first stored', async () => {
    expect(passes[0]!.get('wire.rss')).toMatchObject({ inserted: 3, updated: 0 });
    expect(before.newestEdit).toBe(0);
    expect(before.newestId).toBeGreaterThan(0);
  });

  it('lists each edited item as the edit left it, in the order edited, with where to ask on from', async () => {
    expect(passes[1]!.get('wire.rss')).toMatchObject({ inserted: 0, updated: 3 });
    expect(afterFirstEdits.items.map((item) => item.title))
      .toEqual(['NATO leaders meet in Vilnius, agree on Ukraine', 'NATO defence budgets rise', 'Storm warning lifted']);
    expect(afterFirstEdits.items[1]!.summary).toBe('Spending rises by 18%.');
    const ids = afterFirstEdits.items.map((item) => item.editId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(before.newestEdit);
    expect(afterFirstEdits.nextAfterEdit).toBe(ids[2]);
    expect(afterFirstEdits.more).toBe(false);
    // Under the ids they were stored with: the same items, not new ones.
    const stored = (await (await service.get(`/api/items?feed=${await feedId('wire.rss')}`)).json()) as { items: { id: number }[] };
    expect(afterFirstEdits.items.map((item) => item.id).sort()).toEqual(stored.items.map((item) => item.id).sort());
    for (const item of afterFirstEdits.items) expect(Date.parse(item.editedAt)).toBeGreaterThanOrEqual(started);
  });

  it('brings an item edited again once more, at a new number, and only it to a follower who read the first edits', async () => {
    expect(passes[2]!.get('wire.rss')).toMatchObject({ updated: 1, unchanged: 2 });
    const next = await page(`afterEdit=${afterFirstEdits.nextAfterEdit}`);
    expect(next.items.map((item) => item.title)).toEqual(['NATO leaders agree on Ukraine in Vilnius']);
    expect(next.items[0]!.id).toBe(afterFirstEdits.items[0]!.id);
    expect(next.items[0]!.editId).toBeGreaterThan(afterFirstEdits.nextAfterEdit);
    // From the start: each item once, as its latest edit left it, the summit last.
    const all = await page(`afterEdit=${before.newestEdit}`);
    expect(all.items.map((item) => item.title)).toEqual(['NATO defence budgets rise', 'Storm warning lifted', 'NATO leaders agree on Ukraine in Vilnius']);
  });

  it('numbers nothing when a fetch brings the same entries', async () => {
    expect(passes[3]!.get('wire.rss')?.updated ?? 0).toBe(0);
    const { newestEdit } = (await (await service.get('/api/items?limit=1')).json()) as { newestEdit: number };
    const all = await page('afterEdit=0');
    expect(newestEdit).toBe(all.items.at(-1)!.editId);
    expect(all.items).toHaveLength(3);
  });

  it('follows a topic\'s or a feed\'s edits, and pages by limit', async () => {
    const nato = await page('afterEdit=0&topic=nato');
    expect(nato.items.map((item) => item.title)).toEqual(['NATO defence budgets rise', 'NATO leaders agree on Ukraine in Vilnius']);
    expect(nato.items.every((item) => item.topics.some((t) => t.slug === 'nato'))).toBe(true);
    expect((await page('afterEdit=0&topic=storms')).items.map((item) => item.title)).toEqual(['Storm warning lifted']);
    expect((await page(`afterEdit=0&feed=${await feedId('local.rss')}`)).items).toEqual([]);
    expect((await page(`afterEdit=0&feed=${await feedId('wire.rss')}`)).items).toHaveLength(3);
    const titles: string[] = [];
    let from = 0;
    let asks = 0;
    for (let more = true; more; asks++) {
      const one = await page(`afterEdit=${from}&limit=1`);
      titles.push(...one.items.map((item) => item.title));
      from = one.nextAfterEdit;
      more = one.more;
    }
    expect(asks).toBe(3);
    expect(titles).toEqual(['NATO defence budgets rise', 'Storm warning lifted', 'NATO leaders agree on Ukraine in Vilnius']);
  });

  it('refuses afterEdit with afterId or what lists by time, and one past every edit numbered, saying why', async () => {
    const both = await service.get('/api/items?afterEdit=0&afterId=0');
    expect(both.status).toBe(400);
    expect(((await both.json()) as { detail: string }).detail).toContain('ask for each in a request of its own');
    for (const extra of ['q=NATO', 'since=2026-01-01', 'until=2026-01-01', 'cursor=abc']) {
      const res = await service.get(`/api/items?afterEdit=0&${extra}`);
      expect(res.status, extra).toBe(400);
      const problem = (await res.json()) as { detail: string; errors: { field: string; message: string }[] };
      expect(problem.detail).toContain('afterEdit lists items in the order they were edited');
      expect(problem.errors[0]).toEqual({ field: `query.${extra.split('=')[0]}`, message: 'not with afterEdit' });
    }
    for (const bad of ['-1', '1.5', 'x']) {
      const res = await service.get(`/api/items?afterEdit=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.afterEdit');
    }
    expect((await service.get('/api/items?afterEdit=0&topic=no-such-topic')).status).toBe(404);
    const { newestEdit } = (await (await service.get('/api/items?limit=1')).json()) as { newestEdit: number };
    const ahead = await service.get(`/api/items?afterEdit=${newestEdit + 1}`);
    expect(ahead.status).toBe(409);
    expect(((await ahead.json()) as { detail: string }).detail).toBe(`afterEdit ${newestEdit + 1} is past every edit this database has `
      + `numbered: it comes from another database, or from before this one was restored from a backup; start again from newestEdit (${newestEdit})`);
  });

  it('brings a topic\'s followers the item an edit took out of the topic, with the topics it is in now', async () => {
    const { newestEdit } = (await (await service.get('/api/items?limit=1')).json()) as { newestEdit: number };
    // The summit's headline no longer names NATO.
    write('wire.rss', 'Wire', [summit('Leaders agree on Ukraine in Vilnius'), budget('Spending rises by 18%.'), weather('Storm warning lifted')]);
    await pass();
    const nato = await page(`afterEdit=${newestEdit}&topic=nato`);
    expect(nato.items.map((i) => [i.title, i.topics.map((t) => t.slug)])).toEqual([['Leaders agree on Ukraine in Vilnius', []]]);
    expect((await page(`afterEdit=${newestEdit}&topic=storms`)).items).toEqual([]);
  });

  // Last: it deletes the feed the others read.
  it('forgets a deleted feed\'s edits, yet still knows the numbers it gave them', async () => {
    const { newestEdit, databaseId } = (await (await service.get('/api/items?limit=1')).json()) as { newestEdit: number; databaseId: string };
    expect(await service.core.store.deleteFeed(await feedId('wire.rss'))).toBe(true);
    expect(service.core.store.db.prepare('SELECT count(*) FROM item_edits').pluck().get()).toBe(0);
    // A follower whose mark is the deleted feed's last edit is told there is nothing more, not 409.
    const after = await page(`afterEdit=${newestEdit}`);
    expect(after).toEqual({ items: [], nextAfterEdit: newestEdit, more: false, databaseId });
    expect((await page('afterEdit=0')).items).toEqual([]);
  });
});
