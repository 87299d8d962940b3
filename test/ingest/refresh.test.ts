import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/html/text.js';
import { fingerprintStory, serializeSignature, storyText } from '../../src/stories/fingerprint.js';
import { BACKLOG_PER_FETCH, ingestFeeds } from '../../src/ingest/run.js';
import { backfillTopic } from '../../src/ingest/topic-registry.js';
import { openStore } from '../../src/store/index.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { startTestService, type TestService } from '../support/service.js';

const entry = (id: number, content: string, unread = '') => `<item><title>NATO item ${id}</title><guid>g-${id}</guid>
  <pubDate>Wed, 03 Nov 2010 1${id}:00:00 GMT</pubDate><description><![CDATA[${content}]]></description>${unread}</item>`;
const doc = (items: string[], title = 'T') => `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title>${items.join('')}</channel></rss>`;

describe('refreshFeed on a feed that changes', () => {
  let origin: FaultServer;
  let service: TestService;
  let version = 1;

  beforeAll(async () => {
    origin = await startFaultServer({
      '/feed.rss': () => ({
        body: version === 1
          ? doc([entry(1, '<p>one</p>'), entry(2, '<p>two</p>'), entry(3, '<p>three</p>')])
          : doc([[1, '<p>one</p>'], [2, '<p>two, revised</p><script>alert(1)</script>'], [3, '<p>three</p>'], [4, '<p onclick="x()">four</p>']]
            .map(([id, content]) => entry(id as number, content as string, version >= 6 ? `<slash:comments>${version}</slash:comments>` : '')),
          `T, build ${version}`),
      }),
    });
    service = await startTestService({ feeds: [{ url: origin.url('/feed.rss') }] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('stores the new entry, updates the changed one sanitized, and leaves the rest alone', async () => {
    const first = await service.core.ingest(await service.core.store.listFeeds());
    expect(first.status === 'done' && first.reports[0]).toMatchObject({ status: 'stored', inserted: 3, updated: 0 });
    version = 2;
    const second = await service.core.ingest(await service.core.store.listFeeds());
    expect(second.status === 'done' && second.reports[0]).toMatchObject({ status: 'stored', inserted: 1, updated: 1, unchanged: 2 });
    const items = await service.core.store.listItems({ limit: 10 });
    const byGuid = new Map(items.map((i) => [i.guid, i]));
    expect(byGuid.get('g-2')!.contentHtml).toBe('<p>two, revised</p>');
    expect(byGuid.get('g-4')!.contentHtml).toBe('<p>four</p>');
    // The revision keeps the item's place and its topic match.
    expect((await service.core.store.matchesForItems([byGuid.get('g-2')!.id])).get(byGuid.get('g-2')!.id)).toEqual([{ slug: 'nato', terms: ['NATO'] }]);
  });

  it('recognizes the entries it stored by their markup when the feed around them changes, without reading them again', async () => {
    const db = service.core.store.db;
    const markup = () => new Map((db.prepare('SELECT guid, markup_hash FROM items').all() as { guid: string; markup_hash: string | null }[])
      .map((row) => [row.guid, row.markup_hash]));
    const stored = markup();
    expect([...stored.values()].every((hash) => hash !== null && /^m1:[0-9a-f]{16}$/.test(hash))).toBe(true);
    expect(new Set(stored.values()).size).toBe(4);
    const pass = async (next: number) => {
      version = next;
      const result = await service.core.ingest(await service.core.store.listFeeds());
      return result.status === 'done' ? result.reports[0] : null;
    };
    // Only the channel's title differs: every entry is the one stored, and nothing is written to it.
    expect(await pass(3)).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 4 });
    expect(markup()).toEqual(stored);
    // Entries stored without a markup hash (before the column) are read, found unchanged by their
    // content hash, and given their markup hash, so that the next fetch recognizes them unread.
    db.exec('UPDATE items SET markup_hash = NULL');
    expect(await pass(4)).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 4 });
    expect(markup()).toEqual(stored);
    // Recognized by their markup, the entries are not read, so their content hashes are not even
    // compared: spoiled ones go unnoticed.
    const contentHashes = db.prepare('SELECT id, content_hash FROM items').all() as { id: number; content_hash: string }[];
    db.exec("UPDATE items SET content_hash = 'e3:0000000000000000'");
    expect(await pass(5)).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 4 });
    const restore = db.prepare('UPDATE items SET content_hash = ? WHERE id = ?');
    for (const row of contentHashes) restore.run(row.content_hash, row.id);
    // Markup the reading passes over (a comment count) changes every entry's hash but not its
    // content: each is read and found unchanged, and its current hash is left as it was.
    expect(await pass(6)).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 4 });
    expect(markup()).toEqual(stored);
  });

  it('stores each entry under the fingerprint of its title and the opening of its text', async () => {
    // g-2 was revised after it was stored: an item keeps the story it joined when first seen.
    const items = (await service.core.store.listItems({ limit: 10 })).filter((item) => item.guid !== 'g-2');
    expect(items).toHaveLength(3);
    const stored = service.core.store.db.prepare('SELECT signature FROM story_members WHERE item_id = ?').pluck();
    for (const item of items) {
      const expected = serializeSignature(fingerprintStory(item.title, storyText(item.summary, htmlToText(item.contentHtml))).signature);
      expect(stored.get(item.id), item.guid ?? '').toEqual(expected);
    }
  });
});

describe('refreshFeed on a feed that moves', () => {
  let origin: FaultServer;
  let service: TestService;
  let version = 1;
  let moved = false;
  const body = () => ({ body: doc([entry(1, '<p>one</p>'), entry(2, '<p>two</p>'), entry(3, '<p>three</p>')], `T, build ${version}`) });

  beforeAll(async () => {
    origin = await startFaultServer({
      '/old.rss': () => (moved ? { redirect: { to: '/new.rss', status: 301 } } : body()),
      '/new.rss': body,
    });
    service = await startTestService({ feeds: [{ url: origin.url('/old.rss') }] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('stores its entries again as read at the new address, their base, so that the next fetch recognizes them', async () => {
    const db = service.core.store.db;
    const markup = () => (db.prepare('SELECT markup_hash FROM items ORDER BY guid').pluck().all() as string[]);
    const pass = async () => {
      const result = await service.core.ingest(await service.core.store.listFeeds());
      return result.status === 'done' ? result.reports[0] : null;
    };
    expect(await pass()).toMatchObject({ status: 'stored', inserted: 3 });
    const atOldAddress = markup();
    // The document's address is the base of its entries, part of their markup hashes and of their
    // content hashes (relative links resolve against it): at the new one, each entry is read,
    // found changed, and stored again with the hashes of its new reading.
    moved = true;
    version = 2;
    expect(await pass()).toMatchObject({ status: 'stored', inserted: 0, updated: 3, unchanged: 0 });
    // A config file's feed keeps the file's URL; its fetches go on following the redirect.
    expect((await service.core.store.listFeeds())[0]).toMatchObject({ url: origin.url('/old.rss'), movedTo: origin.url('/new.rss') });
    const atNewAddress = markup();
    expect(atNewAddress.every((hash, i) => /^m1:/.test(hash) && hash !== atOldAddress[i])).toBe(true);
    // Recognized by their markup now, the entries are not read: spoiled content hashes go unnoticed.
    db.exec("UPDATE items SET content_hash = 'e4:0000000000000000'");
    version = 3;
    expect(await pass()).toMatchObject({ status: 'stored', inserted: 0, updated: 0, unchanged: 3 });
    expect(markup()).toEqual(atNewAddress);
  });
});

describe('refreshFeed on a feed deleted while it is fetched', () => {
  let origin: FaultServer;
  let service: TestService;

  beforeAll(async () => {
    origin = await startFaultServer({
      '/slow.rss': { body: doc([entry(1, '<p>one</p>')], 'Slow'), delayMs: 400 },
      '/slow-gone.rss': { status: 410, delayMs: 400 },
      '/steady.rss': { body: doc([entry(2, '<p>two</p>')], 'Steady') },
    });
    service = await startTestService({ feeds: ['/slow.rss', '/slow-gone.rss', '/steady.rss'].map((path) => ({ url: origin.url(path) })) });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  it('reports it deleted, saves nothing of it and no error, and stores the other feeds', async () => {
    const feeds = await service.core.store.listFeeds();
    const pass = service.core.ingest(feeds);
    while (origin.hits('/slow.rss') === 0 || origin.hits('/slow-gone.rss') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await service.core.store.deleteFeed(feeds[0]!.id)).toBe(true);
    expect(await service.core.store.deleteFeed(feeds[1]!.id)).toBe(true);
    const done = await pass;
    expect(done.status === 'done' && done.reports.map(({ url, status, error, inserted }) => ({ url, status, error, inserted }))
      .sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { url: origin.url('/slow-gone.rss'), status: 'deleted', error: null, inserted: 0 },
      { url: origin.url('/slow.rss'), status: 'deleted', error: null, inserted: 0 },
      { url: origin.url('/steady.rss'), status: 'stored', error: null, inserted: 1 },
    ]);
    expect(service.core.store.db.prepare('SELECT feed_id FROM items').pluck().all()).toEqual([feeds[2]!.id]);
    expect((await service.core.store.listFeeds()).map((feed) => feed.id)).toEqual([feeds[2]!.id]);
  });
});

/**
 * A pass over the core's feeds, one at a time, whose first prepared body waits to be saved until
 * `release`: `prepared` resolves once it waits.
 */
function passHeldAfterPreparing(core: TestService['core']) {
  let prepared!: () => void;
  const preparedSignal = new Promise<void>((resolve) => (prepared = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inner = core.refreshDeps.preparer;
  const gated = {
    prepare: async (...args: Parameters<typeof inner.prepare>) => {
      const result = await inner.prepare(...args);
      prepared();
      await gate;
      return result;
    },
    close: () => inner.close(),
  };
  return {
    prepared: preparedSignal,
    release,
    pass: (async () => ingestFeeds({ ...core.refreshDeps, preparer: gated }, await core.store.listFeeds(), { concurrency: 1, perHostConcurrency: 1 }))(),
  };
}

describe('topics created or edited while a fetched body is being prepared', () => {
  let origin: FaultServer;
  // A service a test, each with a database of its own.
  const services: TestService[] = [];
  const start = async (): Promise<TestService> => {
    const service = await startTestService({ feeds: [{ url: origin.url('/wire.rss') }], topics: [] });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    origin = await startFaultServer({
      '/wire.rss': { body: doc([entry(1, '<p>NATO talks</p>'), entry(2, '<p>NATO summit</p>'), `<item><title>OTAN item</title><guid>g-otan</guid><description>OTAN</description></item>`]) },
    });
  });
  afterAll(async () => {
    for (const service of services) await service.close();
    await origin?.close();
  });
  const titles = async (core: TestService['core'], slug: string) => (await core.store.listItems({ topicSlug: slug, limit: 10 })).map((i) => i.title).sort();

  it('here: match the entries saved after their backfill was over, a new topic and a changed query alike', async () => {
    const { core } = await start();
    const putTopic = async (slug: string, query: string) => {
      await core.store.putTopic({ slug, title: slug, query, origin: 'api', pinned: false }, new Date());
      await core.topics.reload();
      await core.backfill(slug, query);
    };
    await putTopic('alliance', 'OTAN');
    // The body is prepared against the topics as they were; its result waits until the topics changed.
    const { prepared, release, pass } = passHeldAfterPreparing(core);
    await prepared;
    await putTopic('nato', 'NATO');
    await putTopic('alliance', 'NATO');
    expect(await core.store.pendingTopicBackfills()).toEqual([]);
    release();
    expect((await pass)[0]).toMatchObject({ status: 'stored', inserted: 3 });
    expect(await titles(core, 'nato')).toEqual(['NATO item 1', 'NATO item 2']);
    expect(await titles(core, 'alliance')).toEqual(['NATO item 1', 'NATO item 2']);
  });

  it('by another process: match the entries saved after that process\'s backfill was over, a new topic and a changed query alike', async () => {
    const { core } = await start();
    const other = openStore(core.config.database);
    // Another process (a `feedsieve ingest` run with a config of its own, say) stores a topic and
    // matches it against the stored items.
    const putTopic = async (slug: string, query: string) => {
      await other.putTopic({ slug, title: slug, query, origin: 'api', pinned: false }, new Date());
      await backfillTopic(other, slug, query);
    };
    try {
      await putTopic('alliance', 'OTAN');
      await core.topics.refresh();
      const { prepared, release, pass } = passHeldAfterPreparing(core);
      await prepared;
      await putTopic('nato', 'NATO');
      await putTopic('alliance', 'NATO');
      expect(await other.pendingTopicBackfills()).toEqual([]);
      // This process has not looked at the topics since the pass began.
      expect(core.topics.snapshot().definitions.map((t) => t.query)).toEqual(['OTAN']);
      release();
      expect((await pass)[0]).toMatchObject({ status: 'stored', inserted: 3 });
      expect(await titles(core, 'nato')).toEqual(['NATO item 1', 'NATO item 2']);
      expect(await titles(core, 'alliance')).toEqual(['NATO item 1', 'NATO item 2']);
      // And the topics the save found are this process's from then on.
      expect(core.topics.snapshot().definitions).toEqual([{ slug: 'alliance', query: 'NATO' }, { slug: 'nato', query: 'NATO' }]);
    } finally {
      await other.close();
    }
  });
});

describe('a pass whose parser worker is behind', () => {
  let origin: FaultServer;
  let service: TestService;
  const paths = ['/a.rss', '/b.rss', '/c.rss', '/d.rss', '/e.rss'];

  beforeAll(async () => {
    origin = await startFaultServer(Object.fromEntries(paths.map((path, n) => [path, { body: doc([entry(n + 1, `<p>${path}</p>`)], path) }])));
    service = await startTestService({ feeds: paths.map((path) => ({ url: origin.url(path) })), topics: [] });
  });
  afterAll(async () => {
    await service?.close();
    await origin?.close();
  });

  /**
   * A pass over the stored feeds, one fetch at a time, whose parser holds every body it is given
   * until `release`: `bodiesHeld` once it has held `expected` of them and, given time, no more.
   */
  async function passWithParserHeld(expected: number, backlogBytes?: number) {
    const { core } = service;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const inner = core.refreshDeps.preparer;
    const holding = {
      prepare: async (...args: Parameters<typeof inner.prepare>) => {
        held++;
        await gate;
        return inner.prepare(...args);
      },
      close: () => inner.close(),
    };
    const pass = ingestFeeds({ ...core.refreshDeps, preparer: holding }, await core.store.listFeeds(),
      { concurrency: 1, perHostConcurrency: 1, backlogBytes });
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    for (let waited = 0; held < expected && waited < 10_000; waited += 20) await pause(20);
    // And no further, given the time to.
    await pause(200);
    return { bodiesHeld: held, release, pass };
  }

  it('goes on fetching while bodies wait to be prepared and saved, up to its backlog, one fetch at a time', async () => {
    const { bodiesHeld, release, pass } = await passWithParserHeld(BACKLOG_PER_FETCH);
    expect(bodiesHeld).toBe(BACKLOG_PER_FETCH);
    expect(paths.filter((path) => origin.hits(path) > 0).length).toBe(BACKLOG_PER_FETCH);
    release();
    const reports = await pass;
    expect(reports.map((report) => report.status)).toEqual(paths.map(() => 'stored'));
    expect(paths.every((path) => origin.hits(path) === 1)).toBe(true);
    expect((await service.core.store.listItems({ limit: 10 })).length).toBe(paths.length);
  });

  it('starts no fetch while the bodies waiting reach its bytes', async () => {
    const { core } = service;
    // Five feeds of the same size, not fetched yet.
    for (const feed of await core.store.listFeeds()) await core.store.deleteFeed(feed.id);
    const others = paths.map((path) => path.replace('.rss', '-2.rss'));
    for (const path of others) {
      origin.route(path, { body: doc([entry(1, `<p>${path}</p>`)], path) });
      await core.store.addFeed({ url: origin.url(path), title: null, origin: 'api' }, new Date());
    }
    const bodyBytes = Buffer.byteLength(doc([entry(1, `<p>${others[0]}</p>`)], others[0]));
    const { bodiesHeld, release, pass } = await passWithParserHeld(2, bodyBytes + 1);
    // One body is under the bytes, two are past them: the third fetch waits.
    expect(bodiesHeld).toBe(2);
    release();
    expect((await pass).map((report) => report.status)).toEqual(others.map(() => 'stored'));
    expect(others.every((path) => origin.hits(path) === 1)).toBe(true);
  });
});
