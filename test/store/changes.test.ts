// What another connection to the same database stored, edited and deleted past a set of marks: two
// stores opened over one real file, as serve and a `feedsieve ingest` run beside it open it.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model.js';
import { LISTED_AT_MOST } from '../../src/store/changes.js';
import type { FetchResultToSave, ItemToSave, Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');

const item = (identity: string, title: string): Item => ({
  identity, guid: identity, url: `https://x.example/${identity}`, title, summary: title, contentHtml: `<p>${title}</p>`,
  authors: [], categories: [], publishedAt: '2026-11-01T10:00:00.000Z', updatedAt: null, language: 'en', enclosures: [],
});

const entry = (identity: string, title: string, slugs: string[], hash = 'v1'): ItemToSave =>
  ({ item: item(identity, title), contentHash: hash, markupHash: null, story: null, matches: slugs.map((slug) => ({ slug, terms: ['t'] })) });

const fetched = (items: ItemToSave[]): FetchResultToSave => ({
  fetchedAt: NOW, httpStatus: 200, newUrl: null, fetchedAs: null, validators: { etag: null, lastModified: null, contentHash: `h${Math.random()}` },
  feedInfo: { title: 'Source', siteUrl: 'https://x.example/', minIntervalMinutes: null }, items, error: null,
  next: { nextFetchAt: new Date(NOW.getTime() + 900_000), consecutiveFailures: 0, disabled: false },
});

describe('the items another connection changed past a set of marks', () => {
  const temp = useTempStores('changes');
  let serving: Store;
  let elsewhere: Store;

  beforeEach(async () => {
    serving = temp.open();
    elsewhere = temp.open();
    for (const slug of ['nato', 'gas', 'quiet']) await serving.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
  });

  it('names the topics of the items stored, edited and deleted, bounded by the later marks, and moves the version with the other connection only', async () => {
    const own = await serving.addFeed({ url: 'https://own.example/', title: null, origin: 'api' }, NOW);
    const other = await elsewhere.addFeed({ url: 'https://other.example/', title: null, origin: 'api' }, NOW);
    const start = await serving.changeMarks();

    await elsewhere.saveFetchResult(other.id, fetched([entry('o-1', 'NATO summit', ['nato']), entry('o-2', 'Harbour budget', [])]));
    const stored = await serving.changeMarks();
    expect(stored.version).not.toBe(start.version);
    expect(stored.item).toBeGreaterThan(start.item);
    expect(await serving.itemChangesBetween(start, stored)).toEqual({ slugs: ['nato'], any: true });

    // This connection's own commits leave the version where it was; what they stored is past the marks all the same.
    await serving.saveFetchResult(own.id, fetched([entry('s-1', 'Gas prices', ['gas'])]));
    const own1 = await serving.changeMarks();
    expect(own1.version).toBe(stored.version);
    expect(await serving.itemChangesBetween(stored, own1)).toEqual({ slugs: ['gas'], any: true });
    // Bounded by the later marks: the item stored after them is not named.
    expect(await serving.itemChangesBetween(start, stored)).toEqual({ slugs: ['nato'], any: true });

    // An edit names the topics its item left and those it is in now.
    await elsewhere.saveFetchResult(other.id, fetched([entry('o-1', 'Gas summit', ['gas'], 'v2'), entry('o-2', 'Harbour budget', [])]));
    const edited = await serving.changeMarks();
    expect(edited.edit).toBeGreaterThan(own1.edit);
    expect(await serving.itemChangesBetween(own1, edited)).toEqual({ slugs: ['gas', 'nato'], any: true });

    // A deletion names the topics its item was in; an item in none changes the combined feed alone.
    await elsewhere.saveFetchResult(other.id, fetched([entry('o-3', 'Port dredging', [])]));
    const untopical = await serving.changeMarks();
    expect(await serving.itemChangesBetween(edited, untopical)).toEqual({ slugs: [], any: true });
    await elsewhere.deleteFeed(other.id);
    const deleted = await serving.changeMarks();
    expect(deleted.deletion).toBe(untopical.deletion + 3);
    expect(await serving.itemChangesBetween(untopical, deleted)).toEqual({ slugs: ['gas'], any: true });

    expect(await serving.itemChangesBetween(deleted, deleted)).toEqual({ slugs: [], any: false });
    expect(await serving.itemChangesBetween(deleted, await serving.changeMarks())).toEqual({ slugs: [], any: false });
  });

  it('takes every topic as changed past so many items, rather than reading each one\'s topics', async () => {
    const now = await serving.changeMarks();
    // Numbers past the marks, not items found: none of these was given. At the limit they are read, past it not.
    const atLimit = { ...now, item: now.item + LISTED_AT_MOST - 1, edit: now.edit + 1 };
    expect(await serving.itemChangesBetween(now, atLimit)).toEqual({ slugs: [], any: true });
    expect(await serving.itemChangesBetween(now, { ...atLimit, deletion: now.deletion + 1 })).toEqual({ slugs: 'every', any: true });
  });

  it('keeps one set of marks the hub sent through, none before the first', async () => {
    expect(await serving.hubSentThrough()).toBeNull();
    await serving.keepHubSentThrough({ item: 3, edit: 1, deletion: 0 });
    await elsewhere.keepHubSentThrough({ item: 7, edit: 2, deletion: 4 });
    expect(await serving.hubSentThrough()).toEqual({ item: 7, edit: 2, deletion: 4 });
    expect(serving.db.prepare('SELECT count(*) FROM hub_item_marks').pluck().get()).toBe(1);
  });
});
