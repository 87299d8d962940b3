// How serve hears of the items another process stores: two stores opened over one real file, the
// watch on one of them, the other writing as a `feedsieve ingest` run beside serve writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchChangesElsewhere } from '../src/changes-elsewhere.js';
import { createLogger } from '../src/log.js';
import type { Item } from '../src/model.js';
import { type FetchResultToSave, type ItemToSave, openStore, type Store } from '../src/store/index.js';
import type { ChangedFeeds } from '../src/websub.js';
import { until } from './support/until.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');

const entry = (identity: string, slugs: string[]): ItemToSave => ({
  item: {
    identity, guid: identity, url: `https://x.example/${identity}`, title: identity, summary: identity, contentHtml: '<p>t</p>',
    authors: [], categories: [], publishedAt: '2026-11-01T10:00:00.000Z', updatedAt: null, language: 'en', enclosures: [],
  } satisfies Item,
  contentHash: 'v1', markupHash: null, story: null, matches: slugs.map((slug) => ({ slug, terms: ['t'] })),
});

const fetched = (items: ItemToSave[]): FetchResultToSave => ({
  fetchedAt: NOW, httpStatus: 200, newUrl: null, fetchedAs: null, validators: { etag: null, lastModified: null, contentHash: `h${Math.random()}` },
  feedInfo: { title: 'Source', siteUrl: null, minIntervalMinutes: null }, items, error: null,
  next: { nextFetchAt: new Date(NOW.getTime() + 900_000), consecutiveFailures: 0, disabled: false },
});

describe('watching for the items another process stores', () => {
  let dir: string;
  let serving: Store;
  let elsewhere: Store;
  let heard: ChangedFeeds[];
  let ownFeed: number;
  let otherFeed: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedsieve-elsewhere-'));
    serving = openStore(join(dir, 'db.sqlite'));
    elsewhere = openStore(join(dir, 'db.sqlite'));
    for (const slug of ['nato', 'gas']) await serving.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
    ownFeed = (await serving.addFeed({ url: 'https://own.example/', title: null, origin: 'api' }, NOW)).id;
    otherFeed = (await serving.addFeed({ url: 'https://other.example/', title: null, origin: 'api' }, NOW)).id;
    heard = [];
  });
  afterEach(async () => {
    await elsewhere.close();
    await serving.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hears of what another connection stored, and of nothing its own store wrote', async () => {
    const watch = await watchChangesElsewhere(serving, (changed) => heard.push(changed), createLogger('silent'), 60_000);
    try {
      await serving.saveFetchResult(ownFeed, fetched([entry('s-1', ['gas'])]));
      await watch.check();
      expect(heard).toEqual([]);

      await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', ['nato'])]));
      await watch.check();
      expect(heard).toEqual([{ slugs: ['nato'], all: true }]);
      // Heard once: the marks moved on.
      await watch.check();
      expect(heard).toHaveLength(1);

      // Another connection's commit that stores no item (a feed added) changes no feed.
      await elsewhere.addFeed({ url: 'https://third.example/', title: null, origin: 'api' }, NOW);
      await watch.check();
      expect(heard).toHaveLength(1);

      // Both wrote since the last read: this store's item is named again, which it had sent already.
      await serving.saveFetchResult(ownFeed, fetched([entry('s-2', ['gas'])]));
      await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-2', ['nato'])]));
      await watch.check();
      expect(heard.at(-1)).toEqual({ slugs: ['gas', 'nato'], all: true });
    } finally {
      watch.stop();
    }
  });

  it('reads again on its own every so often, until stopped', async () => {
    const watch = await watchChangesElsewhere(serving, (changed) => heard.push(changed), createLogger('silent'), 20);
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-1', ['gas'])]));
    await until(() => heard.length, (count) => count === 1, 'the watch');
    expect(heard).toEqual([{ slugs: ['gas'], all: true }]);
    watch.stop();
    await elsewhere.saveFetchResult(otherFeed, fetched([entry('o-2', ['nato'])]));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(heard).toHaveLength(1);
  });
});
