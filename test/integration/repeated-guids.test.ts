import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshReport } from '../../src/ingest/refresh.js';
import { rssDocument, type FeedEntrySpec } from '../support/feeds.js';
import { feedIdOf, ingestPass } from '../support/passes.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startTestService, type TestService } from '../support/service.js';

const HOUR = 3_600_000;

interface ApiItem { id: number; title: string; url: string | null }

/**
 * Feeds that give one guid to different entries ("N/A", the site's address), or no guid and one
 * link to all of them (a shop's daily offers, every one linking to its home page). Told apart by
 * guid alone, every entry after the first was taken for a repeat and never shown; each must be
 * stored once, stay one item at every later fetch, and keep its id when new entries come in.
 */
describe('a feed that gives different entries one guid', () => {
  let dir: string;
  let origin: StaticServer;
  let service: TestService;
  const passes: Map<string, RefreshReport>[] = [];
  const started = Date.now();
  const ago = (ms: number): Date => new Date(started - ms);
  const build = (version: string, hoursAgo: number): FeedEntrySpec => ({
    guid: 'N/A', title: `NATO planning tool ${version} released`, publishedAt: ago(hoursAgo * HOUR),
    link: `https://tools.example/releases/${version}`, description: `Version ${version} of the NATO planning tool is out.`,
  });
  // Its own site, worded apart from the tools' releases, so that no story joins the two feeds' entries.
  const firmware = (version: string, hoursAgo: number): FeedEntrySpec => ({
    guid: 'https://radios.example/', title: `Field radio firmware ${version} for NATO networks`, publishedAt: ago(hoursAgo * HOUR),
    link: `https://radios.example/firmware/${version}`, description: `Download firmware ${version} for the field radio.`,
  });
  const offer = (title: string): FeedEntrySpec =>
    ({ title, publishedAt: ago(HOUR), link: 'https://shop.example/', description: `Today only: ${title}, NATO surplus.` });
  // An entry listed twice, as some feeds do, pinned at the top with a line of its own; and one with
  // a guid of its own.
  const listedTwice: FeedEntrySpec = { guid: 'w-1', title: 'NATO ministers meet in Brussels', publishedAt: ago(2 * HOUR) };
  const pinned: FeedEntrySpec = { ...listedTwice, description: 'Pinned: NATO ministers meet in Brussels' };
  const other: FeedEntrySpec = { guid: 'w-2', title: 'NATO chief visits Ankara', publishedAt: ago(3 * HOUR) };
  // A weblog's untitled posts, minutes apart, each with its day's page and one anchor as link and guid.
  const post = (minutesAgo: number, text: string): FeedEntrySpec =>
    ({ guid: 'https://blog.example/2026/12/07.html#a0800', title: '', publishedAt: ago(minutesAgo * 60_000), link: 'https://blog.example/2026/12/07.html#a0800', description: text });

  const write = (file: string, title: string, entries: FeedEntrySpec[]): void => writeFileSync(join(dir, file), rssDocument(title, entries));
  const pass = async (): Promise<void> => {
    passes.push(await ingestPass(service));
  };
  const feedId = (file: string): Promise<number> => feedIdOf(service, file);
  const itemsOf = async (file: string): Promise<ApiItem[]> =>
    ((await (await service.get(`/api/items?feed=${await feedId(file)}&limit=100`)).json()) as { items: ApiItem[] }).items;
  let firstTools: ApiItem[];
  let firstLegacy: ApiItem[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-repeated-guids-'));
    write('tools.rss', 'Tool releases', [build('3.2', 2), build('3.1', 26), build('3.0', 50)]);
    write('shop.rss', 'Daily offers', [offer('Field jacket'), offer('Mess tin'), offer('Compass')]);
    // One entry to begin with: nothing in its first document shows that its guid names any entry.
    write('legacy.rss', 'Radios', [firmware('1.0', 30)]);
    write('wire.rss', 'Wire', [pinned, other, listedTwice]);
    write('weblog.rss', 'Weblog', [post(5, 'Good morning, readers.'), post(10, 'Two years ago today I wrote about file sync.')]);
    origin = await startStaticServer(dir);
    service = await startTestService({
      feeds: ['tools.rss', 'shop.rss', 'legacy.rss', 'wire.rss', 'weblog.rss'].map((file) => ({ url: origin.url(file) })),
      topics: [{ slug: 'nato', title: 'NATO', query: 'NATO' }],
    });
    await pass();
    firstTools = await itemsOf('tools.rss');
    firstLegacy = await itemsOf('legacy.rss');
    const tools = [build('3.3', 0.5), build('3.2', 2), build('3.1', 26), build('3.0', 50)];
    const shop = [offer('Water bottle'), offer('Field jacket'), offer('Mess tin'), offer('Compass')];
    const radios = [firmware('1.1', 0.5), firmware('1.0', 30)];
    write('tools.rss', 'Tool releases', tools);
    write('shop.rss', 'Daily offers', shop);
    write('legacy.rss', 'Radios', radios);
    await pass();
    // The same entries in documents that changed elsewhere: read again, and found stored.
    write('tools.rss', 'Tool releases, all of them', tools);
    write('shop.rss', 'Daily offers, while stocks last', shop);
    write('legacy.rss', 'Field radios', radios);
    write('wire.rss', 'Wire, all day', [pinned, other, listedTwice]);
    await pass();
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores each entry, once, told apart by its link', async () => {
    expect(passes[0]!.get('tools.rss')).toMatchObject({ status: 'stored', inserted: 3 });
    expect(firstTools.map((item) => item.title)).toEqual(['3.2', '3.1', '3.0'].map((v) => `NATO planning tool ${v} released`));
    const full = (await (await service.get(`/api/items/${firstTools[0]!.id}`)).json()) as { guid: string; url: string };
    expect(full).toMatchObject({ guid: 'N/A', url: 'https://tools.example/releases/3.2' });
  });

  it('adds a new entry under the same guid as one item, the others unchanged and keeping their ids', async () => {
    expect(passes[1]!.get('tools.rss')).toMatchObject({ status: 'stored', inserted: 1, updated: 0, unchanged: 3 });
    const items = await itemsOf('tools.rss');
    expect(items.map((item) => item.title)).toEqual(['3.3', '3.2', '3.1', '3.0'].map((v) => `NATO planning tool ${v} released`));
    expect(items.slice(1).map((item) => item.id)).toEqual(firstTools.map((item) => item.id));
  });

  it('finds every entry stored when the same entries come again in a document changed elsewhere', async () => {
    for (const [file, count] of [['tools.rss', 4], ['shop.rss', 4], ['legacy.rss', 2], ['wire.rss', 2]] as const) {
      expect(passes[2]!.get(file), file).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: count });
    }
  });

  it('keeps every offer of a feed without guids whose entries all link to one page', async () => {
    expect(passes[0]!.get('shop.rss')).toMatchObject({ inserted: 3 });
    expect(passes[1]!.get('shop.rss')).toMatchObject({ inserted: 1, updated: 0, unchanged: 3 });
    expect((await itemsOf('shop.rss')).map((item) => item.title).sort()).toEqual(['Compass', 'Field jacket', 'Mess tin', 'Water bottle']);
  });

  it('keeps a weblog\'s untitled posts that share a link and guid, told apart by their times', async () => {
    expect(passes[0]!.get('weblog.rss')).toMatchObject({ inserted: 2 });
    const posts = await Promise.all((await itemsOf('weblog.rss')).map(async (item) =>
      ((await (await service.get(`/api/items/${item.id}`)).json()) as { summary: string }).summary));
    expect(posts).toEqual(['Good morning, readers.', 'Two years ago today I wrote about file sync.']);
  });

  it('does not take the entry stored under the guid for the new one that shares it', async () => {
    expect(passes[1]!.get('legacy.rss')).toMatchObject({ inserted: 1, updated: 0 });
    const items = await itemsOf('legacy.rss');
    expect(items.map((item) => item.title)).toEqual(['Field radio firmware 1.1 for NATO networks', 'Field radio firmware 1.0 for NATO networks']);
    expect(items[1]!.id).toBe(firstLegacy[0]!.id);
  });

  it('tells the feeds it read so apart by link, or by link, title and date, from then on; other feeds by guid', async () => {
    const schemes = Object.fromEntries((await service.core.store.listFeeds()).map((feed) => [feed.url.slice(feed.url.lastIndexOf('/') + 1), feed.identityScheme]));
    expect(schemes).toEqual({ 'tools.rss': 1, 'shop.rss': 2, 'legacy.rss': 1, 'wire.rss': 0, 'weblog.rss': 2 });
    // 3.3 came alone under the guid, beside entries recognized by their markup: its link names it too.
    const identities = service.core.store.db.prepare('SELECT identity FROM items WHERE feed_id = ? ORDER BY id').pluck().all(await feedId('tools.rss'));
    expect(identities).toEqual(['3.2', '3.1', '3.0', '3.3'].map((v) => `https://tools.example/releases/${v}`));
    const { feeds } = (await (await service.get('/api/feeds')).json()) as { feeds: { url: string; status: { entriesToldApartBy: string } }[] };
    expect(Object.fromEntries(feeds.map((feed) => [feed.url.slice(feed.url.lastIndexOf('/') + 1), feed.status.entriesToldApartBy])))
      .toEqual({ 'tools.rss': 'link', 'shop.rss': 'linkTitleAndDate', 'legacy.rss': 'link', 'wire.rss': 'guid', 'weblog.rss': 'linkTitleAndDate' });
  });

  it('shows an entry a feed lists twice once, though its copies differ', async () => {
    expect(passes[0]!.get('wire.rss')).toMatchObject({ inserted: 2 });
    expect((await itemsOf('wire.rss')).map((item) => item.title)).toEqual(['NATO ministers meet in Brussels', 'NATO chief visits Ankara']);
  });

  it('puts every entry in the topic feed once', async () => {
    const { items } = await new Parser().parseString(await (await service.get('/topics/nato.rss?limit=100')).text());
    const titles = items.map((item) => item.title);
    for (const title of ['NATO planning tool 3.3 released', 'NATO planning tool 3.0 released', 'Compass', 'Water bottle', 'Field radio firmware 1.0 for NATO networks']) {
      expect(titles.filter((t) => t === title), title).toHaveLength(1);
    }
    expect(titles).toHaveLength(4 + 4 + 2 + 2);
    // Each entry under an id of its own, whatever guid its source gave it.
    expect(new Set(items.map((item) => item.guid)).size).toBe(items.length);
  });
});
