import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { feedState } from '../../src/feed-status.js';
import type { Item } from '../../src/model.js';
import Database from 'better-sqlite3';
import { migrate, openDatabase, PAGE_SIZE, readMigrations, WAL_CHECKPOINT_BYTES } from '../../src/store/db.js';
import { filingDue, TOPIC_FILING } from '../../src/store/fetch-results.js';
import { type FetchResultToSave, type ItemToSave, openStore, type Store } from '../../src/store/index.js';
import { useTempStores } from '../support/temp-store.js';

const NOW = new Date('2026-11-01T12:00:00.000Z');

function item(identity: string, over: Partial<Item> = {}): Item {
  return {
    identity, guid: identity, url: `https://x.example/${identity}`, title: `Title ${identity}`, summary: 'summary',
    contentHtml: '<p>text</p>', authors: ['A'], categories: ['C'], publishedAt: '2026-11-01T10:00:00.000Z',
    updatedAt: null, language: 'en', enclosures: [], ...over,
  };
}

function save(items: ItemToSave[], over: Partial<FetchResultToSave> = {}): FetchResultToSave {
  return {
    fetchedAt: NOW, httpStatus: 200, newUrl: null, fetchedAs: null, validators: { etag: '"e1"', lastModified: null, contentHash: 'h' },
    feedInfo: { title: 'Source', siteUrl: 'https://x.example/', minIntervalMinutes: null }, items, error: null,
    next: { nextFetchAt: new Date(NOW.getTime() + 900_000), consecutiveFailures: 0, disabled: false }, ...over,
  };
}

const toSave = (i: Item, hash = 'v1', story: ItemToSave['story'] = null, slugs: string[] = [], markupHash: string | null = null): ItemToSave =>
  ({ item: i, contentHash: hash, markupHash, story, matches: slugs.map((slug) => ({ slug, terms: ['t'] })) });

// Rows for the migration tests, written straight in SQL as an older schema holds them.
const FEED_AND_TWO_TOPICS = `INSERT INTO feeds (id, url, origin, created_at) VALUES (1, 'https://a.example/', 'api', 'x');
  INSERT INTO topics (id, slug, title, query, origin, created_at, updated_at)
    VALUES (1, 'nato', 'NATO', 'nato', 'api', 'x', 'x'), (2, 'gas', 'Gas', 'gas', 'api', 'x', 'x');`;

/** Items 1, 2, … of feed 1, each first seen, sorted and changed at its time, as a migration test writes them. */
/** Deletes the topic and takes its matches out of the rows, as a core's sweep does between its turns. */
async function deleteTopicAndSweep(store: Store, slug: string): Promise<void> {
  await store.deleteTopic(slug);
  for (const id of await store.deletedTopicIds()) while (!(await store.sweepDeletedTopic(id, 2)));
}

function itemsAt(...times: string[]): string {
  const rows = times.map((at, n) => `(${n + 1}, 1, 'item-${n + 1}', 'Item', 's', 'c', '${at}', '${at}', '${at}', 'h${n + 1}')`);
  return `INSERT INTO items (id, feed_id, identity, title, summary, content_html, first_seen_at, sort_at, changed_at, content_hash)
    VALUES ${rows.join(', ')};`;
}

describe('store', () => {
  const temp = useTempStores('store');
  let store: Store;
  beforeEach(() => {
    store = temp.open({
      stories: { isSameStory: (a, b) => a.equals(b), windowHours: 48, minSharedKeys: 2 },
    });
  });

  /** A new database at `name`, migrated up to `version` and no further; `all` migrates it the rest of the way. */
  function migratedTo(name: string, version: number) {
    const path = join(temp.dir, name);
    const db = openDatabase(path);
    const all = readMigrations();
    migrate(db, all.filter((m) => m.version <= version));
    return { path, db, all };
  }

  it('migrations are recorded and a second run applies nothing', () => {
    const db = openDatabase(join(temp.dir, 'other.sqlite'));
    expect(migrate(db)).toEqual(readMigrations().map((m) => m.name));
    expect(migrate(db)).toEqual([]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / PAGE_SIZE);
    db.close();
  });

  it('skips a migration another process applied after this one read which were applied', () => {
    const db = openDatabase(join(temp.dir, 'raced.sqlite'));
    // As another process starting on the same file at the same moment: the second migration is
    // recorded while the first runs, after this run listed what was applied.
    const raced = [
      { version: 1, name: '0001_first', sql: `CREATE TABLE first (x); CREATE TABLE second (y);
        INSERT INTO schema_migrations (version, name, applied_at) VALUES (2, '0002_second', '2026-12-07T00:00:00.000Z');` },
      { version: 2, name: '0002_second', sql: 'CREATE TABLE second (y);' },
    ];
    expect(migrate(db, raced)).toEqual(['0001_first']);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2]);
    db.close();
  });

  it('creates a database with 16 KB pages; one made with 4 KB pages keeps them, checkpoints after the same bytes of log and still stores', async () => {
    const fresh = openDatabase(join(temp.dir, 'fresh.sqlite'));
    migrate(fresh);
    expect(fresh.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    fresh.close();
    const path = join(temp.dir, 'old-pages.sqlite');
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE before_upgrade (x)');
    old.close();
    const reopened = openStore(path);
    try {
      expect(reopened.db.pragma('page_size', { simple: true })).toBe(4096);
      expect(reopened.db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / 4096);
      const feed = await reopened.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await reopened.saveFetchResult(feed.id, save([toSave(item('a', { contentHtml: `<p>${'x'.repeat(20_000)}</p>` }))]));
      expect(reopened.db.prepare('SELECT length(content_html) FROM items').pluck().get()).toBe(20_007);
    } finally {
      await reopened.close();
    }
  });

  it('keeps each entry\'s markup hash with it, and hands a feed\'s back beside their content hashes', async () => {
    const feed = await store.addFeed({ url: 'https://a.example/m', title: null, origin: 'api' }, NOW);
    // A JSON Feed's entry has none: it is in the content hashes only.
    await store.saveFetchResult(feed.id, save([toSave(item('a'), 'va', null, [], 'm1:aaaa'), toSave(item('b'), 'vb', null, [], 'm1:bbbb'),
      toSave(item('json'), 'vj')]));
    let hashes = await store.feedItemHashes(feed.id);
    expect(hashes.byIdentity).toEqual(new Map([['a', 'va'], ['b', 'vb'], ['json', 'vj']]));
    expect(hashes.byMarkup).toEqual(new Map([['m1:aaaa', 'a'], ['m1:bbbb', 'b']]));
    // An edit stores the markup it was read from: the old hash names nothing any more.
    await store.saveFetchResult(feed.id, save([toSave(item('a', { title: 'Edited' }), 'va2', null, [], 'm1:a222')]));
    hashes = await store.feedItemHashes(feed.id);
    expect(hashes.byIdentity.get('a')).toBe('va2');
    expect(hashes.byMarkup).toEqual(new Map([['m1:a222', 'a'], ['m1:bbbb', 'b']]));
    // A hash kept for an entry found unchanged: nothing else of the entry is written.
    const before = store.db.prepare("SELECT changed_at, content_hash FROM items WHERE identity = 'b'").get();
    await store.saveFetchResult(feed.id, save([], { markupHashes: [{ identity: 'b', markupHash: 'm2:bbbb' }] }));
    expect((await store.feedItemHashes(feed.id)).byMarkup).toEqual(new Map([['m1:a222', 'a'], ['m2:bbbb', 'b']]));
    expect(store.db.prepare("SELECT changed_at, content_hash FROM items WHERE identity = 'b'").get()).toEqual(before);
    const other = await store.addFeed({ url: 'https://b.example/m', title: null, origin: 'api' }, NOW);
    // Only the feed's own entries take it.
    await store.saveFetchResult(other.id, save([], { markupHashes: [{ identity: 'a', markupHash: 'm2:0000' }] }));
    expect((await store.feedItemHashes(other.id)).byMarkup.size).toBe(0);
    expect((await store.feedItemHashes(feed.id)).byMarkup.get('m1:a222')).toBe('a');
  });

  it('0010 adds the markup hash column, empty for the entries stored before it', () => {
    const { db, all } = migratedTo('before-markup.sqlite', 9);
    db.exec(`${FEED_AND_TWO_TOPICS}${itemsAt('2026-11-01T10:00:00.000Z')}`);
    migrate(db, all);
    expect(db.prepare('SELECT identity, content_hash, markup_hash FROM items').all()).toEqual([
      { identity: 'item-1', content_hash: 'h1', markup_hash: null },
    ]);
    db.close();
  });

  it('0003 rebuilds items without losing a row, a topic match or a story', () => {
    const { db, all } = migratedTo('upgrade.sqlite', 2);
    db.exec(`INSERT INTO feeds (id, url, origin, created_at) VALUES (1, 'https://a.example/', 'api', 'x');
      INSERT INTO topics (id, slug, title, query, origin, created_at, updated_at) VALUES (1, 'nato', 'NATO', 'nato', 'api', 'x', 'x');
      INSERT INTO items (id, feed_id, identity, title, summary, content_html, first_seen_at, sort_at, changed_at,
          content_hash, story_id, story_signature)
        VALUES (1, 1, 'one', 'One', 's', '<p>${'long '.repeat(2000)}</p>', 't1', 't1', 't1', 'h1', 1, x'0102'),
               (2, 1, 'two', 'Two', 's', '<p>b</p>', 't2', 't2', 't2', 'h2', 1, NULL);
      INSERT INTO topic_matches (topic_id, item_id, sort_at, terms) VALUES (1, 1, 't1', '[]'), (1, 2, 't2', '[]');`);
    expect(migrate(db, all.filter((m) => m.version <= 3))).toEqual(['0003_compact_rows.sql']);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT id, story_id, length(content_html) AS size FROM items ORDER BY id').all())
      .toEqual([{ id: 1, story_id: 1, size: 10_007 }, { id: 2, story_id: 1, size: 8 }]);
    expect(db.prepare('SELECT item_id FROM topic_matches ORDER BY item_id').pluck().all()).toEqual([1, 2]);
    expect(db.prepare('SELECT item_id, story_id, hex(signature) AS sig FROM story_members').all())
      .toEqual([{ item_id: 1, story_id: 1, sig: '0102' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // The references point at the rebuilt table: deleting an item still cascades.
    db.prepare('DELETE FROM items WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM topic_matches').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM story_members').pluck().get()).toBe(0);
    db.close();
  });

  it('0004 rekeys topic matches by item without losing one, and deletes still cascade', () => {
    const { db, all } = migratedTo('rekey.sqlite', 3);
    db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO items (id, feed_id, identity, title, summary, content_html, first_seen_at, sort_at, changed_at, content_hash)
        VALUES (1, 1, 'one', 'One', 's', 'c', 't1', 't1', 't1', 'h1'), (2, 1, 'two', 'Two', 's', 'c', 't2', 't2', 't2', 'h2');
      INSERT INTO topic_matches (topic_id, item_id, sort_at, terms)
        VALUES (1, 1, 't1', '["NATO"]'), (2, 1, 't1', '["gas"]'), (1, 2, 't2', '["Nato"]');`);
    const before = db.prepare('SELECT * FROM topic_matches ORDER BY topic_id, item_id').all();
    expect(migrate(db, all.filter((m) => m.version <= 4))).toEqual(['0004_item_major_matches.sql']);
    expect(db.prepare('SELECT * FROM topic_matches ORDER BY topic_id, item_id').all()).toEqual(before);
    const key = db.prepare(`SELECT name FROM pragma_index_info('sqlite_autoindex_topic_matches_1') ORDER BY seqno`).pluck().all();
    expect(key).toEqual(['item_id', 'topic_id']);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'topic_matches' AND sql IS NOT NULL`).pluck().all())
      .toEqual(['topic_matches_by_time']);
    db.prepare('DELETE FROM items WHERE id = 1').run();
    db.prepare('DELETE FROM topics WHERE id = 1').run();
    expect(db.prepare('SELECT topic_id, item_id FROM topic_matches').all()).toEqual([]);
    db.close();
  });

  it('0012 and 0013 give every feed a moved_to and an interval_minutes, both empty: no redirect seen, the adaptive interval', () => {
    const { db, all } = migratedTo('moved-to.sqlite', 11);
    db.exec(FEED_AND_TWO_TOPICS);
    expect(migrate(db, all.filter((m) => m.version <= 13))).toEqual(['0012_feed_moved_to.sql', '0013_feed_interval.sql']);
    expect(db.prepare('SELECT id, url, moved_to, interval_minutes FROM feeds').all())
      .toEqual([{ id: 1, url: 'https://a.example/', moved_to: null, interval_minutes: null }]);
    db.close();
  });

  it('0011 keeps each item\'s matches and their terms in one row, filed as before; deleting an item or a topic unfiles it', async () => {
    const { path, db, all } = migratedTo('item-topics.sqlite', 10);
    db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO topics (id, slug, title, query, origin, created_at, updated_at) VALUES (3, 'grid', 'Grid', 'grid', 'api', 'x', 'x');
      ${itemsAt('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z')}
      INSERT INTO topic_matches (topic_id, item_id, sort_at, terms)
        VALUES (1, 1, '2026-11-01T00:00:00.000Z', '["NATO"]'), (2, 1, '2026-11-01T00:00:00.000Z', '["gas","\\"LNG\\""]'),
               (1, 2, '2026-11-02T00:00:00.000Z', '["Nato"]'), (3, 3, '2026-11-03T00:00:00.000Z', '["grid"]');
      UPDATE topic_feed_filed SET through_item = 2;
      INSERT INTO topic_feed (topic_id, sort_at, item_id)
        VALUES (1, '2026-11-01T00:00:00.000Z', 1), (2, '2026-11-01T00:00:00.000Z', 1), (1, '2026-11-02T00:00:00.000Z', 2);`);
    expect(migrate(db, all.filter((m) => m.version <= 11))).toEqual(['0011_item_topics.sql']);
    const rows = db.prepare('SELECT item_id, sort_at, topic_ids, terms FROM item_topics ORDER BY item_id').all() as { topic_ids: string; terms: string }[];
    expect(rows.map((row) => ({ ...row, topic_ids: row.topic_ids.split(',').filter(Boolean).sort(), terms: JSON.parse(row.terms) }))).toEqual([
      { item_id: 1, sort_at: '2026-11-01T00:00:00.000Z', topic_ids: ['1', '2'], terms: { 1: ['NATO'], 2: ['gas', '"LNG"'] } },
      { item_id: 2, sort_at: '2026-11-02T00:00:00.000Z', topic_ids: ['1'], terms: { 1: ['Nato'] } },
      { item_id: 3, sort_at: '2026-11-03T00:00:00.000Z', topic_ids: ['3'], terms: { 3: ['grid'] } },
    ]);
    expect(rows.every((row) => row.topic_ids.startsWith(',') && row.topic_ids.endsWith(','))).toBe(true);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name LIKE 'topic_matches%'`).all()).toEqual([]);
    db.close();
    const upgraded = openStore(path);
    expect((await upgraded.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.id)).toEqual([2, 1]);
    expect((await upgraded.listItems({ topicSlug: 'grid', limit: 10 })).map((i) => i.id)).toEqual([3]);
    expect((await upgraded.matchesForItems([1])).get(1)).toEqual([{ slug: 'gas', terms: ['gas', '"LNG"'] }, { slug: 'nato', terms: ['NATO'] }]);
    upgraded.db.prepare('DELETE FROM items WHERE id = 2').run();
    await deleteTopicAndSweep(upgraded, 'gas');
    expect(upgraded.db.prepare('SELECT topic_id, item_id FROM topic_feed ORDER BY topic_id, item_id').all()).toEqual([{ topic_id: 1, item_id: 1 }]);
    expect(upgraded.db.prepare('SELECT item_id, topic_ids, terms FROM item_topics ORDER BY item_id').all()).toEqual([
      { item_id: 1, topic_ids: ',1,', terms: '{"1":["NATO"]}' },
      { item_id: 3, topic_ids: ',3,', terms: '{"3":["grid"]}' },
    ]);
    // An unfiled match goes too, and its row with it; a new topic takes an id past the deleted ones' and starts empty.
    await deleteTopicAndSweep(upgraded, 'grid');
    await upgraded.putTopic({ slug: 'power', title: 'Power', query: 'power', origin: 'api', pinned: false }, NOW);
    expect(upgraded.db.prepare(`SELECT id FROM topics WHERE slug = 'power'`).pluck().get()).toBe(4);
    expect(await upgraded.listItems({ topicSlug: 'power', limit: 10 })).toEqual([]);
    expect(upgraded.db.prepare('SELECT item_id FROM item_topics').pluck().all()).toEqual([1]);
    await upgraded.close();
  });

  it('0005 files every match into the topic feeds, which then follow deletes of items and topics; 0006 marks old content for sanitizing again', async () => {
    const { path, db, all } = migratedTo('topic-feed.sqlite', 4);
    db.exec(`${FEED_AND_TWO_TOPICS}
      ${itemsAt('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z')}
      INSERT INTO topic_matches (topic_id, item_id, sort_at, terms)
        VALUES (1, 1, '2026-11-01T00:00:00.000Z', '["NATO"]'), (2, 1, '2026-11-01T00:00:00.000Z', '["gas"]'), (1, 2, '2026-11-02T00:00:00.000Z', '["Nato"]'), (1, 3, '2026-11-03T00:00:00.000Z', '["NATO"]');`);
    const matches = db.prepare('SELECT topic_id, sort_at, item_id FROM topic_matches ORDER BY topic_id, item_id').all();
    expect(migrate(db, all)).toEqual(all.filter((m) => m.version > 4).map((m) => m.name));
    expect(db.prepare('SELECT through_item FROM topic_feed_filed').pluck().get()).toBe(3);
    // 0006: nothing says which rules sanitized these rows, so they are sanitized again when served.
    expect(db.prepare('SELECT DISTINCT sanitized_with FROM items').pluck().all()).toEqual([0]);
    expect(db.prepare('SELECT topic_id, sort_at, item_id FROM topic_feed ORDER BY topic_id, item_id').all()).toEqual(matches);
    db.close();
    const upgraded = openStore(path);
    expect((await upgraded.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.id)).toEqual([3, 2, 1]);
    upgraded.db.prepare('DELETE FROM items WHERE id = 2').run();
    expect((await upgraded.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.id)).toEqual([3, 1]);
    await deleteTopicAndSweep(upgraded, 'gas');
    expect(upgraded.db.prepare('SELECT topic_id, item_id FROM topic_feed ORDER BY topic_id, item_id').all())
      .toEqual([{ topic_id: 1, item_id: 1 }, { topic_id: 1, item_id: 3 }]);
    await upgraded.close();
  });

  it('0007 leaves story members without a time index of their own: a restart finds their days through the items\'', () => {
    const { db, all } = migratedTo('members.sqlite', 6);
    const indexes = () => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'story_members'`).pluck().all();
    expect(indexes()).toEqual(['story_members_by_time']);
    migrate(db, all);
    expect(indexes()).toEqual([]);
    db.close();
    // Loading a day's members after a restart: 'finds a story\'s earlier copy after a restart' above.
  });

  it('0008 lists every item from a timeline holding the items up to the filing mark, which follows edits and deletes', async () => {
    const { path, db, all } = migratedTo('timeline.sqlite', 7);
    db.exec(`${FEED_AND_TWO_TOPICS}
      ${itemsAt('2026-11-03T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')}
      UPDATE topic_feed_filed SET through_item = 2;`);
    expect(migrate(db, all)).toEqual(all.filter((m) => m.version > 7).map((m) => m.name));
    expect(db.prepare('SELECT item_id FROM timeline').pluck().all()).toEqual([1, 2]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'items_by_time'`).all()).toEqual([]);
    db.close();
    const upgraded = openStore(path);
    const listed = async (filter: { since?: string; until?: string } = {}) => (await upgraded.listItems({ limit: 10, ...filter })).map((i) => i.id);
    // Item 3 is past the mark: listed from items, in its place among the filed ones.
    expect(await listed()).toEqual([1, 3, 2]);
    expect(await listed({ since: '2026-11-02T00:00:00.000Z' })).toEqual([1, 3]);
    expect(await listed({ until: '2026-11-03T00:00:00.000Z' })).toEqual([3, 2]);
    upgraded.db.prepare(`UPDATE items SET sort_at = '2026-11-04T00:00:00.000Z' WHERE id = 2`).run();
    upgraded.db.prepare(`UPDATE items SET sort_at = '2026-10-31T00:00:00.000Z' WHERE id = 3`).run();
    expect(upgraded.db.prepare('SELECT sort_at, item_id FROM timeline').all())
      .toEqual([{ sort_at: '2026-11-04T00:00:00.000Z', item_id: 2 }, { sort_at: '2026-11-03T00:00:00.000Z', item_id: 1 }]);
    expect(await listed()).toEqual([2, 1, 3]);
    upgraded.db.prepare('DELETE FROM feeds WHERE id = 1').run();
    expect(upgraded.db.prepare('SELECT count(*) FROM timeline').pluck().get()).toBe(0);
    await upgraded.close();
  });

  it('finds a story\'s earlier copies after a restart, filed into the timeline or past the filing mark', async () => {
    const options = { stories: { isSameStory: (a: Buffer, b: Buffer) => a.equals(b), windowHours: 48, minSharedKeys: 2 }, topicFiling: { batch: 2 } };
    const path = join(temp.dir, 'filed.sqlite');
    let batched = openStore(path, options);
    const a = await batched.addFeed({ url: 'https://a.example/t', title: 'A', origin: 'api' }, NOW);
    const b = await batched.addFeed({ url: 'https://b.example/t', title: 'B', origin: 'api' }, NOW);
    const story = (byte: number) => ({ signature: Buffer.from([byte]), bandKeys: new Uint32Array([byte * 23, byte * 29]) });
    await batched.saveFetchResult(a.id, save([toSave(item('filed', { publishedAt: '2026-11-01T01:00:00.000Z' }), 'v', story(1)),
      toSave(item('also-filed', { publishedAt: '2026-11-01T02:00:00.000Z' }), 'v', story(2))]));
    await batched.saveFetchResult(a.id, save([toSave(item('unfiled', { publishedAt: '2026-11-01T03:00:00.000Z' }), 'v', story(3))]));
    const ids = async () => new Map((await batched.listItems({ limit: 10 })).map((i) => [i.identity, i]));
    const before = await ids();
    expect(batched.db.prepare('SELECT item_id FROM timeline ORDER BY item_id').pluck().all())
      .toEqual([before.get('filed')!.id, before.get('also-filed')!.id]);
    await batched.close();
    batched = openStore(path, options);
    await batched.saveFetchResult(b.id, save([toSave(item('copy-of-filed', { publishedAt: '2026-11-01T04:00:00.000Z' }), 'v', story(1)),
      toSave(item('copy-of-unfiled', { publishedAt: '2026-11-01T05:00:00.000Z' }), 'v', story(3))]));
    const after = await ids();
    expect(after.get('copy-of-filed')!.storyId).toBe(before.get('filed')!.id);
    expect(after.get('copy-of-unfiled')!.storyId).toBe(before.get('unfiled')!.id);
    await batched.close();
  });

  it('files a batch into the timeline at each item\'s time, whether its story member or only its row holds it', async () => {
    const batched = openStore(join(temp.dir, 'timeline-batch.sqlite'), { topicFiling: { batch: 6 } });
    const feed = await batched.addFeed({ url: 'https://t.example/f', title: null, origin: 'api' }, NOW);
    const gone = await batched.addFeed({ url: 'https://t.example/gone', title: null, origin: 'api' }, NOW);
    const story = (byte: number) => ({ signature: Buffer.from([byte]), bandKeys: new Uint32Array([byte * 31, byte * 37]) });
    const at = (hour: number) => `2026-11-01T0${hour}:00:00.000Z`;
    // Deleted below the newest item, so that their ids stay within the batch.
    await batched.saveFetchResult(gone.id, save([toSave(item('deleted-member', { publishedAt: at(4) }), 'v1', story(3)),
      toSave(item('deleted-plain', { publishedAt: at(5) }), 'v1')]));
    await batched.saveFetchResult(feed.id, save([toSave(item('member', { publishedAt: at(1) }), 'v1', story(1)),
      toSave(item('plain', { publishedAt: at(2) }), 'v1'), toSave(item('redated', { publishedAt: at(3) }), 'v1', story(2))]));
    // Changed before its batch is filed: its row and its member move together.
    await batched.saveFetchResult(feed.id, save([toSave(item('redated', { publishedAt: at(6) }), 'v2', story(2))]));
    await batched.deleteFeed(gone.id);
    const timeline = () => batched.db.prepare('SELECT sort_at, item_id FROM timeline ORDER BY item_id').all();
    expect(timeline()).toEqual([]);
    // A feed's first entries keep their dates: on a later fetch of `feed`, entries hours old would be lifted.
    const third = await batched.addFeed({ url: 'https://t.example/third', title: null, origin: 'api' }, NOW);
    await batched.saveFetchResult(third.id, save([toSave(item('fifth', { publishedAt: at(7) }), 'v1'),
      toSave(item('sixth', { publishedAt: at(8) }), 'v1', story(4))]));
    const through = batched.db.prepare('SELECT through_item FROM topic_feed_filed').pluck().get() as number;
    expect(through).toBe(7);
    expect(timeline()).toEqual(batched.db.prepare('SELECT sort_at, id AS item_id FROM items ORDER BY id').all());
    expect(timeline().map((row) => (row as { sort_at: string }).sort_at)).toEqual([at(1), at(2), at(6), at(7), at(8)]);
    await batched.close();
  });

  it('files new items\' matches by the batch, and shows them in the topic feed before and after', async () => {
    const batched = openStore(join(temp.dir, 'batched.sqlite'), { topicFiling: { batch: 4 } });
    const feed = await batched.addFeed({ url: 'https://b.example/f', title: null, origin: 'api' }, NOW);
    await batched.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    const at = (n: number) => new Date(NOW.getTime() - n * 60_000).toISOString();
    const filed = () => batched.db.prepare('SELECT item_id FROM topic_feed ORDER BY item_id').pluck().all();
    const listed = async () => (await batched.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.identity);
    await batched.saveFetchResult(feed.id, save(['a', 'b', 'c'].map((id, n) => toSave(item(id, { publishedAt: at(n) }), 'v', null, ['nato']))));
    expect(filed()).toEqual([]);
    expect(await listed()).toEqual(['a', 'b', 'c']);
    await batched.saveFetchResult(feed.id, save([toSave(item('d', { publishedAt: at(10) }), 'v', null, ['nato'])]));
    expect(filed()).toEqual([1, 2, 3, 4]);
    expect(await listed()).toEqual(['a', 'b', 'c', 'd']);
    // An edit that moves a filed entry, and one that drops its match, change the feed at once.
    await batched.saveFetchResult(feed.id, save([
      toSave(item('a', { publishedAt: at(20) }), 'v2', null, ['nato']), toSave(item('b', { publishedAt: at(1) }), 'v2', null, []),
      toSave(item('e', { publishedAt: at(5) }), 'v', null, ['nato']),
    ]));
    expect(filed()).toEqual([1, 3, 4]);
    expect(await listed()).toEqual(['c', 'e', 'd', 'a']);
    await batched.close();
  });

  it('lets a batch grow while filings would come closer than the interval, and files it at the cap or once the interval has passed', async () => {
    const bulk = openStore(join(temp.dir, 'bulk.sqlite'), { topicFiling: { batch: 2, maxBatch: 5, minIntervalMs: 1000 } });
    const feed = await bulk.addFeed({ url: 'https://b.example/bulk', title: null, origin: 'api' }, NOW);
    await bulk.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    const mark = () => bulk.db.prepare('SELECT through_item FROM topic_feed_filed').pluck().get();
    const filed = () => bulk.db.prepare('SELECT count(*) FROM topic_feed').pluck().get();
    const listed = async () => (await bulk.listItems({ topicSlug: 'nato', limit: 20 })).length;
    let n = 0;
    const saveAt = async (ms: number, count: number) => {
      const items = Array.from({ length: count }, () => toSave(item(`i${n}`, { publishedAt: new Date(NOW.getTime() - n++ * 60_000).toISOString() }), 'v', null, ['nato']));
      await bulk.saveFetchResult(feed.id, save(items, { fetchedAt: new Date(NOW.getTime() + ms) }));
    };
    await saveAt(0, 2); // the first full batch of a process is filed at once
    expect(mark()).toBe(2);
    await saveAt(100, 2); // a full batch 100 ms later waits
    expect([mark(), filed(), await listed()]).toEqual([2, 2, 4]);
    await saveAt(200, 3); // five past the mark: the cap files them
    expect([mark(), filed(), await listed()]).toEqual([7, 7, 7]);
    await saveAt(300, 2);
    expect(mark()).toBe(7);
    await saveAt(1200, 0); // a second after the last filing, a full batch goes with the next save, even an empty one
    expect([mark(), filed(), await listed()]).toEqual([9, 9, 9]);
    await saveAt(1300, 1);
    await saveAt(0, 1); // a clock set back does not hold a batch for the cap
    expect([mark(), filed(), await listed()]).toEqual([11, 11, 11]);
    await bulk.close();
  });

  it('files at a batch as given, and never below it, whatever the cap', () => {
    const policy = { batch: 1000, maxBatch: 3000, minIntervalMs: 1000 };
    expect(filingDue(policy, 999, 10_000, null)).toBe(false);
    expect(filingDue(policy, 1000, 10_000, null)).toBe(true);
    expect(filingDue(policy, 1000, 10_000, 9_500)).toBe(false);
    expect(filingDue(policy, 2999, 10_000, 9_500)).toBe(false);
    expect(filingDue(policy, 3000, 10_000, 9_500)).toBe(true);
    expect(filingDue(policy, 1000, 10_500, 9_500)).toBe(true);
    expect(filingDue(policy, 1000, 9_000, 9_500)).toBe(true);
    expect(filingDue({ ...policy, maxBatch: 1000 }, 999, 10_000, null)).toBe(false);
    expect(TOPIC_FILING.maxBatch).toBeGreaterThan(TOPIC_FILING.batch);
  });

  it('a match added again under another time leaves one entry in the topic feed, under the time its item\'s matches hold', async () => {
    const feed = await store.addFeed({ url: 'https://r.example/f', title: null, origin: 'api' }, NOW);
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    await store.putTopic({ slug: 'gas', title: 'Gas', query: 'gas', origin: 'api', pinned: false }, NOW);
    await store.saveFetchResult(feed.id, save([toSave(item('a'))]));
    const [stored] = await store.listItems({ limit: 1 });
    store.db.prepare('UPDATE topic_feed_filed SET through_item = ?').run(stored!.id);
    await store.addTopicMatches('nato', [{ itemId: stored!.id, sortAt: '2026-11-01T09:00:00.000Z', terms: ['NATO'] }]);
    await store.addTopicMatches('nato', [{ itemId: stored!.id, sortAt: '2026-11-01T08:00:00.000Z', terms: ['Nato'] }]);
    await store.addTopicMatches('gas', [{ itemId: stored!.id, sortAt: '2026-11-01T08:00:00.000Z', terms: ['gas'] }]);
    // One time for all of an item's entries, which deleting the item takes out of every feed.
    expect(store.db.prepare('SELECT t.slug, f.sort_at, f.item_id FROM topic_feed f JOIN topics t ON t.id = f.topic_id ORDER BY 1').all()).toEqual([
      { slug: 'gas', sort_at: '2026-11-01T09:00:00.000Z', item_id: stored!.id },
      { slug: 'nato', sort_at: '2026-11-01T09:00:00.000Z', item_id: stored!.id },
    ]);
    expect((await store.matchesForItems([stored!.id])).get(stored!.id)).toEqual([{ slug: 'gas', terms: ['gas'] }, { slug: 'nato', terms: ['Nato'] }]);
    store.db.prepare('DELETE FROM items WHERE id = ?').run(stored!.id);
    expect(store.db.prepare('SELECT count(*) FROM topic_feed').pluck().get()).toBe(0);
  });

  it('a failing migration rolls back whole and is not recorded', () => {
    const db = openDatabase(join(temp.dir, 'broken.sqlite'));
    const bad = [{ version: 1, name: '0001_bad.sql', sql: 'CREATE TABLE a (x); CREATE TABLE a (y);' }];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'`).get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    db.close();
  });

  it('inserts, leaves unchanged entries alone and updates a changed entry in place', async () => {
    const feed = await store.addFeed({ url: 'https://x.example/feed', title: null, origin: 'api' }, NOW);
    const first = await store.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
    expect(first).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    const again = await store.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    const [before] = await store.listItems({ feedId: feed.id, limit: 10 });
    const edited = await store.saveFetchResult(feed.id, save([toSave(item(before!.identity, { title: 'Edited' }), 'v2')]));
    expect(edited).toMatchObject({ inserted: 0, updated: 1 });
    const items = await store.listItems({ feedId: feed.id, limit: 10 });
    expect(items).toHaveLength(2);
    expect(items.find((i) => i.id === before!.id)?.title).toBe('Edited');
    expect((await store.getFeed(feed.id))).toMatchObject({ etag: '"e1"', title: 'Source', itemCount: 2, lastError: null });
  });

  it('takes an entry a save holds twice as stored by its first occurrence: the same again unchanged, a changed one updated', async () => {
    const feed = await store.addFeed({ url: 'https://twice.example/f', title: 'Twice', origin: 'api' }, NOW);
    const summary = await store.saveFetchResult(feed.id, save([
      toSave(item('same'), 'v1'), toSave(item('same'), 'v1'),
      toSave(item('edited'), 'v1'), toSave(item('edited', { title: 'Edited later' }), 'v2'), toSave(item('next'), 'v1'),
    ]));
    expect(summary).toMatchObject({ inserted: 3, updated: 1, unchanged: 1 });
    const rows = store.db.prepare('SELECT id, identity, title, content_hash FROM items WHERE feed_id = ? ORDER BY id').all(feed.id) as
      { id: number; identity: string; title: string; content_hash: string }[];
    expect(rows.map((row) => [row.identity, row.title, row.content_hash])).toEqual([
      ['same', item('same').title, 'v1'], ['edited', 'Edited later', 'v2'], ['next', item('next').title, 'v1'],
    ]);
    expect(rows[1]!.id).toBe(rows[0]!.id + 1);
    expect(rows[2]!.id).toBe(rows[1]!.id + 1);
    // Stored before, then changed twice alike in one save: updated once.
    const again = await store.saveFetchResult(feed.id, save([
      toSave(item('next', { title: 'Next, edited' }), 'v2'), toSave(item('next', { title: 'Next, edited' }), 'v2'),
    ]));
    expect(again).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
  });

  it('finds an entry stored before whose identity holds a lone surrogate (a JSON Feed id may), and updates it', async () => {
    const feed = await store.addFeed({ url: 'https://lone.example/f', title: 'Lone', origin: 'api' }, NOW);
    const identity = 'urn:x:\uD800:1';
    await store.saveFetchResult(feed.id, save([toSave(item(identity), 'v1')]));
    const later = await store.saveFetchResult(feed.id, save([toSave(item(identity, { title: 'Edited' }), 'v2'), toSave(item(identity), 'v2')]));
    expect(later).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect(store.db.prepare('SELECT count(*) FROM items WHERE feed_id = ?').pluck().get(feed.id)).toBe(1);
  });

  it('sorts a future-dated entry no later than when it was first seen, keeping its date', async () => {
    const feed = await store.addFeed({ url: 'https://x.example/f2', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(feed.id, save([toSave(item('future', { publishedAt: '2030-01-01T00:00:00.000Z' }))]));
    const [stored] = await store.listItems({ feedId: feed.id, limit: 1 });
    expect(stored!.publishedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(stored!.sortAt).toBe(NOW.toISOString());
  });

  it('records a fetch error on the feed without touching its items', async () => {
    const feed = await store.addFeed({ url: 'https://x.example/f3', title: null, origin: 'api' }, NOW);
    await store.saveFetchResult(feed.id, save([toSave(item('a'))]));
    await store.saveFetchResult(feed.id, save([], {
      httpStatus: 500, validators: null, feedInfo: null, error: { kind: 'http', message: 'GET …: HTTP 500', httpStatus: 500 },
      next: { nextFetchAt: NOW, consecutiveFailures: 1, disabled: false },
    }));
    const after = await store.getFeed(feed.id);
    expect(after).toMatchObject({ itemCount: 1, consecutiveFailures: 1, etag: '"e1"', lastStatus: 500 });
    expect(after!.lastError).toMatchObject({ kind: 'http', message: 'GET …: HTTP 500' });
  });

  it('stores matches of existing topics only, a topic added between saves included', async () => {
    const feed = await store.addFeed({ url: 'https://m.example/f', title: 'M', origin: 'api' }, NOW);
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    const first = await store.saveFetchResult(feed.id, save([toSave(item('p'), 'v', null, ['nato', 'gone']), toSave(item('q'), 'v', null, ['nato'])]));
    expect(first.touchedTopics).toEqual(['nato']);
    await store.putTopic({ slug: 'gas', title: 'Gas', query: 'gas', origin: 'api', pinned: false }, NOW);
    const second = await store.saveFetchResult(feed.id, save([toSave(item('r'), 'v', null, ['gas', 'gone'])]));
    expect(second.touchedTopics).toEqual(['gas']);
    expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.identity).sort()).toEqual(['p', 'q']);
    expect((await store.listItems({ topicSlug: 'gas', limit: 10 })).map((i) => i.identity)).toEqual(['r']);
  });

  it('files matches under the topics as they are at each save, after another process deletes one and adds another', async () => {
    const feed = await store.addFeed({ url: 'https://v.example/f', title: 'V', origin: 'api' }, NOW);
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    await store.putTopic({ slug: 'gas', title: 'Gas', query: 'gas', origin: 'api', pinned: false }, NOW);
    expect((await store.saveFetchResult(feed.id, save([toSave(item('p'), 'v', null, ['nato', 'gas'])]))).touchedTopics.sort())
      .toEqual(['gas', 'nato']);
    const idOf = (slug: string) => store.db.prepare('SELECT id FROM topics WHERE slug = ?').pluck().get(slug) as number;
    const gasId = idOf('gas');
    const other = temp.open();
    await other.deleteTopic('gas');
    await other.putTopic({ slug: 'oil', title: 'Oil', query: 'oil', origin: 'api', pinned: false }, NOW);
    await other.close();
    // Past the deleted one's id, which its rows still hold until they are swept.
    expect(idOf('oil')).toBe(gasId + 1);
    expect((await store.saveFetchResult(feed.id, save([toSave(item('q'), 'v', null, ['gas'])]))).touchedTopics).toEqual([]);
    expect((await store.saveFetchResult(feed.id, save([toSave(item('r'), 'v', null, ['oil', 'nato'])]))).touchedTopics.sort())
      .toEqual(['nato', 'oil']);
    expect((await store.listItems({ topicSlug: 'oil', limit: 10 })).map((i) => i.identity)).toEqual(['r']);
    expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.identity).sort()).toEqual(['p', 'r']);
    const matches = await store.matchesForItems((await store.listItems({ limit: 10 })).map((i) => i.id));
    expect([...matches.values()].flat().map((m) => m.slug).sort()).toEqual(['nato', 'nato', 'oil']);
  });

  it('keeps each match\'s terms as they were matched, whatever characters they hold', async () => {
    const feed = await store.addFeed({ url: 'https://t.example/f', title: 'T', origin: 'api' }, NOW);
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    await store.putTopic({ slug: 'gas', title: 'Gas', query: 'gas', origin: 'api', pinned: false }, NOW);
    const terms = {
      nato: ['NATO', 'missile "defence"', 'back\\slash', 'Zoë 日本 \u{1F600}', '\u2028', ''],
      gas: ['gas', '["not", "an array"]', 'lone \uD83D'],
    };
    await store.saveFetchResult(feed.id, save([{ item: item('terms'), contentHash: 'v', markupHash: null, story: null,
      matches: [{ slug: 'nato', terms: terms.nato }, { slug: 'gas', terms: terms.gas }, { slug: 'gone', terms: ['x'] }] }]));
    const [stored] = await store.listItems({ topicSlug: 'nato', limit: 1 });
    const matches = (await store.matchesForItems([stored!.id])).get(stored!.id);
    // A lone surrogate is written as its JSON escape, and read back as itself.
    expect(matches?.sort((a, b) => a.slug.localeCompare(b.slug))).toEqual([
      { slug: 'gas', terms: terms.gas },
      { slug: 'nato', terms: terms.nato },
    ]);
  });

  it('joins a copy from another feed to the earlier item\'s story and collapses it in lists', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
    const a = await store.addFeed({ url: 'https://a.example/f', title: 'A', origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/f', title: 'B', origin: 'api' }, NOW);
    const story = { signature: Buffer.from([1, 2, 3]), bandKeys: new Uint32Array([1, 2]) };
    await store.saveFetchResult(a.id, save([toSave(item('x', { publishedAt: '2026-11-01T09:00:00.000Z' }), 'v', story, ['nato'])]));
    await store.saveFetchResult(b.id, save([toSave(item('y', { publishedAt: '2026-11-01T10:00:00.000Z' }), 'v', story, ['nato'])]));
    // z shares both keys with x and y, so it is compared, and its signature tells it apart.
    await store.saveFetchResult(b.id, save([toSave(item('z'), 'v', { signature: Buffer.from([9]), bandKeys: new Uint32Array([1, 2]) }, ['nato'])]));
    const all = await store.listItems({ topicSlug: 'nato', limit: 10 });
    expect(all).toHaveLength(3);
    const collapsed = await store.listItems({ topicSlug: 'nato', limit: 10, collapseStories: true });
    expect(collapsed.map((i) => i.identity).sort()).toEqual(['x', 'z']);
    const x = collapsed.find((i) => i.identity === 'x')!;
    const sources = (await store.storySources([x.storyId!])).get(x.storyId!)!;
    expect(sources.map((s) => s.feedTitle)).toEqual(['A', 'B']);
    const z = collapsed.find((i) => i.identity === 'z')!;
    expect((await store.storySources([z.storyId!])).get(z.storyId!)!.map((s) => s.itemId)).toEqual([z.id]);
    // The feed pages' variant reads only the stories carried twice or more, with all of their items.
    const shared = await store.sharedStorySources([x.storyId!, z.storyId!]);
    expect([...shared.keys()]).toEqual([x.storyId]);
    expect(shared.get(x.storyId!)).toEqual(sources);
    expect(x.feedUrl).toBe('https://a.example/f');
  });

  it('compares only items that share the policy\'s number of band keys', async () => {
    const a = await store.addFeed({ url: 'https://a.example/k', title: 'A', origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/k', title: 'B', origin: 'api' }, NOW);
    const c = await store.addFeed({ url: 'https://c.example/k', title: 'C', origin: 'api' }, NOW);
    const signature = Buffer.from([5, 5]);
    await store.saveFetchResult(a.id, save([toSave(item('first', { publishedAt: '2026-11-01T09:00:00.000Z' }), 'v', { signature, bandKeys: new Uint32Array([50, 51, 52]) })]));
    // The same signature, but one shared key: never read, so a story of its own.
    await store.saveFetchResult(b.id, save([toSave(item('one-key', { publishedAt: '2026-11-01T10:00:00.000Z' }), 'v', { signature, bandKeys: new Uint32Array([50, 60]) })]));
    await store.saveFetchResult(c.id, save([toSave(item('two-keys', { publishedAt: '2026-11-01T11:00:00.000Z' }), 'v', { signature, bandKeys: new Uint32Array([51, 52]) })]));
    const all = await store.listItems({ limit: 10 });
    const byIdentity = (identity: string) => all.find((i) => i.identity === identity)!;
    expect(byIdentity('one-key').storyId).toBe(byIdentity('one-key').id);
    expect(byIdentity('two-keys').storyId).toBe(byIdentity('first').id);
  });

  it('finds a story\'s earlier copy after a restart, and one another process stored meanwhile', async () => {
    const policy = { isSameStory: (a: Buffer, b: Buffer) => a.equals(b), windowHours: 48, minSharedKeys: 2 };
    const path = temp.path;
    const feeds = [];
    for (const name of ['a', 'b', 'c']) feeds.push(await store.addFeed({ url: `https://${name}.example/f`, title: name, origin: 'api' }, NOW));
    const [a, b, c] = feeds as [typeof feeds[0], typeof feeds[0], typeof feeds[0]];
    const story = (byte: number) => ({ signature: Buffer.from([byte]), bandKeys: new Uint32Array([byte * 11, byte * 13]) });
    await store.saveFetchResult(a.id, save([toSave(item('first', { publishedAt: '2026-11-01T01:00:00.000Z' }), 'v', story(1))]));
    // Days of keys are loaded now; a second store on the same file is the other process.
    await store.saveFetchResult(a.id, save([toSave(item('warm', { publishedAt: '2026-11-01T02:00:00.000Z' }), 'v', story(9))]));
    const other = openStore(path, { stories: policy });
    await other.saveFetchResult(b.id, save([toSave(item('elsewhere', { publishedAt: '2026-11-01T03:00:00.000Z' }), 'v', story(2))]));
    await other.close();
    await store.saveFetchResult(c.id, save([toSave(item('copy-of-elsewhere', { publishedAt: '2026-11-01T04:00:00.000Z' }), 'v', story(2))]));
    await store.close();
    store = openStore(path, { stories: policy });
    await store.saveFetchResult(b.id, save([toSave(item('copy-of-first', { publishedAt: '2026-10-31T20:00:00.000Z' }), 'v', story(1))]));
    const all = await store.listItems({ limit: 10 });
    const storyOf = (identity: string) => all.find((i) => i.identity === identity)!.storyId;
    const idOf = (identity: string) => all.find((i) => i.identity === identity)!.id;
    expect(storyOf('copy-of-first')).toBe(idOf('first'));
    expect(storyOf('copy-of-elsewhere')).toBe(idOf('elsewhere'));
    expect(storyOf('warm')).toBe(idOf('warm'));
  });

  it('after a failed save, finds a copy another process stored under an id the failed save had used', async () => {
    const policy = { isSameStory: (a: Buffer, b: Buffer) => a.equals(b), windowHours: 48, minSharedKeys: 2 };
    const path = temp.path;
    const a = await store.addFeed({ url: 'https://a.example/r', title: 'A', origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/r', title: 'B', origin: 'api' }, NOW);
    const story = (byte: number) => ({ signature: Buffer.from([byte]), bandKeys: new Uint32Array([byte * 17, byte * 19]) });
    const broken = item('broken', { title: null as unknown as string });
    await expect(store.saveFetchResult(a.id, save([toSave(item('lost'), 'v', story(3)), toSave(broken)]))).rejects.toThrow();
    const other = openStore(path, { stories: policy });
    await other.saveFetchResult(b.id, save([toSave(item('kept'), 'v', story(4))]));
    await other.close();
    await store.saveFetchResult(a.id, save([toSave(item('copy'), 'v', story(4))]));
    const all = await store.listItems({ limit: 10 });
    expect(all.map((i) => i.identity).sort()).toEqual(['copy', 'kept']);
    expect(all.find((i) => i.identity === 'copy')!.storyId).toBe(all.find((i) => i.identity === 'kept')!.id);
  });

  it('a copy outside the window starts a story of its own', async () => {
    const a = await store.addFeed({ url: 'https://a.example/w', title: 'A', origin: 'api' }, NOW);
    const b = await store.addFeed({ url: 'https://b.example/w', title: 'B', origin: 'api' }, NOW);
    const story = { signature: Buffer.from([7]), bandKeys: new Uint32Array([70, 71]) };
    await store.saveFetchResult(a.id, save([toSave(item('old', { publishedAt: '2026-10-25T10:00:00.000Z' }), 'v', story)]));
    await store.saveFetchResult(b.id, save([toSave(item('new', { publishedAt: '2026-11-01T10:00:00.000Z' }), 'v', story)]));
    const all = await store.listItems({ limit: 10 });
    const fresh = all.find((i) => i.identity === 'new')!;
    expect(fresh.storyId).toBe(fresh.id);
  });

  it('pages by keyset cursor without repeats', async () => {
    const feed = await store.addFeed({ url: 'https://x.example/f4', title: null, origin: 'api' }, NOW);
    const many = Array.from({ length: 25 }, (_, n) => toSave(item(`i${n}`, { publishedAt: new Date(NOW.getTime() - (n % 7) * 60_000).toISOString() })));
    await store.saveFetchResult(feed.id, save(many));
    const seen: number[] = [];
    let after;
    for (;;) {
      const page = await store.listItems({ limit: 4, after });
      if (page.length === 0) break;
      seen.push(...page.map((i) => i.id));
      after = { sortAt: page.at(-1)!.sortAt, id: page.at(-1)!.id };
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });


  it('lists items without their content exactly as with it, for every listing', async () => {
    await store.putTopic({ slug: 'nato', title: 'NATO', query: 'nato', origin: 'api', pinned: false }, NOW);
    const feeds = [];
    for (const n of [1, 2]) feeds.push((await store.addFeed({ url: `https://x.example/w${n}`, title: null, origin: 'api' }, NOW)).id);
    for (const [n, feedId] of feeds.entries()) {
      await store.saveFetchResult(feedId, save(Array.from({ length: 6 }, (_, k) => toSave(
        item(`f${n}-${k}`, { publishedAt: new Date(NOW.getTime() - k * 60_000).toISOString(), authors: [`A${k}`], contentHtml: `<p>body ${n} ${k}</p>` }),
        'v1', { signature: Buffer.from(`story-${k}`), bandKeys: Uint32Array.of(k + 1, k + 100) }, k % 2 === 0 ? ['nato'] : []))));
    }
    const filters = [{}, { topicSlug: 'nato' }, { feedId: feeds[1] }, { collapseStories: true }, { topicSlug: 'nato', collapseStories: true },
      { since: new Date(NOW.getTime() - 3 * 60_000).toISOString() }];
    for (const filter of filters) {
      const full = await store.listItems({ ...filter, limit: 20 });
      expect(full.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(full.every((i) => i.contentHtml.startsWith('<p>body'))).toBe(true);
      const listed = await store.listItemsWithoutContent({ ...filter, limit: 20 });
      expect(listed, JSON.stringify(filter)).toEqual(full.map(({ contentHtml: _, ...rest }) => rest));
      expect(listed.some((i) => 'contentHtml' in i)).toBe(false);
    }
  });
  it('mirrors config feeds and topics, keeping API-made topics', async () => {
    await store.syncConfigFeeds([{ url: 'https://c.example/1' }, { url: 'https://c.example/2', title: 'Two' }], NOW);
    await store.syncConfigFeeds([{ url: 'https://c.example/2', title: 'Second' }], NOW);
    expect((await store.listFeeds()).map((f) => [f.url, f.title])).toEqual([['https://c.example/2', 'Second']]);
    await store.putTopic({ slug: 'mine', title: 'Mine', query: 'x', origin: 'api', pinned: false }, NOW);
    expect(await store.syncConfigTopics([{ slug: 'nato', title: 'NATO', query: 'NATO', pinned: false }], NOW)).toEqual(['nato']);
    expect(await store.syncConfigTopics([{ slug: 'nato', title: 'NATO!', query: 'NATO', pinned: false }], NOW)).toEqual([]);
    expect(await store.syncConfigTopics([{ slug: 'nato', title: 'NATO', query: 'NATO OR OTAN', pinned: false }], NOW)).toEqual(['nato']);
    expect((await store.listTopics(NOW)).map((t) => t.slug)).toEqual(['mine', 'nato']);
    expect(await store.topicDefinitions()).toEqual([{ slug: 'mine', query: 'x' }, { slug: 'nato', query: 'NATO OR OTAN' }]);
  });
});

/**
 * A migration test on a database file of its own: migrated up to the version before `version`,
 * given rows as that schema holds them, migrated by that one migration alone, then checked.
 */
function migratingTo(version: number, before: (db: Database.Database) => void, after: (db: Database.Database) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  try {
    const all = readMigrations();
    migrate(db, all.filter((m) => m.version < version));
    before(db);
    expect(migrate(db, all.filter((m) => m.version <= version))).toEqual([all.find((m) => m.version === version)!.name]);
    after(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A store on a file of its own for one test, closed and removed after. */
async function withStore(test: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
  const store = openStore(join(dir, 'db.sqlite'));
  try {
    await test(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('store: a config file\'s feed intervals', () => {
  it('follows the file\'s interval for a feed, pulling a farther next fetch in, and drops it with the file', async () => {
    await withStore(async (store) => {
      const url = 'https://quick.example/feed';
      await store.syncConfigFeeds([{ url }], NOW);
      const { id } = (await store.getFeedByUrl(url))!;
      await store.saveFetchResult(id, save([], { next: { nextFetchAt: new Date(NOW.getTime() + 86_400_000), consecutiveFailures: 0, disabled: false } }));
      expect(await store.getFeed(id)).toMatchObject({ intervalMinutes: null, nextFetchAt: '2026-11-02T12:00:00.000Z' });

      await store.syncConfigFeeds([{ url, intervalMinutes: 10 }], NOW);
      expect(await store.getFeed(id)).toMatchObject({ intervalMinutes: 10, nextFetchAt: '2026-11-01T12:10:00.000Z' });
      // The same file again, later: nothing moves.
      await store.syncConfigFeeds([{ url, intervalMinutes: 10 }], new Date(NOW.getTime() + 5 * 60_000));
      expect((await store.getFeed(id))!.nextFetchAt).toBe('2026-11-01T12:10:00.000Z');

      await store.syncConfigFeeds([{ url }], NOW);
      expect(await store.getFeed(id)).toMatchObject({ intervalMinutes: null, nextFetchAt: '2026-11-01T12:10:00.000Z' });
      await store.syncConfigFeeds([{ url: 'https://new.example/feed', intervalMinutes: 60 }], NOW);
      expect(await store.getFeedByUrl('https://new.example/feed')).toMatchObject({ intervalMinutes: 60, nextFetchAt: null });
    });
  });
});

describe('store: a feed disabled while it is fetched', () => {
  it('stays disabled when the fetch under way saves, and a 410 still disables a feed', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://busy.example/feed', title: null, origin: 'api' }, NOW);
      await store.editFeed(feed.id, { disabled: true }, NOW);
      await store.saveFetchResult(feed.id, save([toSave(item('late'))]));
      expect(await store.getFeed(feed.id)).toMatchObject({ disabled: true, itemCount: 1 });
      const other = await store.addFeed({ url: 'https://gone.example/feed', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(other.id, save([], { next: { nextFetchAt: NOW, consecutiveFailures: 1, disabled: true } }));
      expect((await store.getFeed(other.id))!.disabled).toBe(true);
    });
  });
});

describe('store: a feed changed while it is fetched', () => {
  /** When the fetches saved at NOW began. */
  const BEFORE = new Date(NOW.getTime() - 5000);

  it('keeps the schedule a new URL or interval set; after a new URL, writes no validators and follows no redirect; saves the items', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://old.example/feed', title: null, origin: 'api' }, NOW);
      const fetchedAs = { url: feed.url, intervalMinutes: null, startedAt: BEFORE };
      const later = { nextFetchAt: new Date(NOW.getTime() + 86_400_000), consecutiveFailures: 0, disabled: false };
      // Moved by the operator while the old address was being read.
      await store.editFeed(feed.id, { url: 'https://new.example/feed' }, NOW);
      await store.saveFetchResult(feed.id, save([toSave(item('read-before'))], { fetchedAs, next: later, newUrl: 'https://old.example/moved' }));
      expect(await store.getFeed(feed.id)).toMatchObject({
        url: 'https://new.example/feed', etag: null, contentHash: null, movedTo: null, nextFetchAt: NOW.toISOString(), itemCount: 1,
        lastFetchedAt: NOW.toISOString(), lastStatus: 200,
      });

      // Given a 10-minute interval while read on the adaptive one.
      const quiet = await store.addFeed({ url: 'https://quiet.example/feed', title: null, origin: 'api' }, NOW);
      await store.editFeed(quiet.id, { intervalMinutes: 10 }, NOW);
      expect((await store.getFeed(quiet.id))!.nextFetchAt).toBeNull();
      await store.saveFetchResult(quiet.id, save([], { fetchedAs: { url: quiet.url, intervalMinutes: null, startedAt: BEFORE }, next: later, newUrl: 'https://quiet.example/moved' }));
      // Its schedule kept; the same server's validators and redirect taken.
      expect(await store.getFeed(quiet.id)).toMatchObject({ nextFetchAt: null, etag: '"e1"', url: 'https://quiet.example/moved' });

      // Unchanged: the save's schedule and validators, as always.
      await store.saveFetchResult(quiet.id, save([], { fetchedAs: { url: 'https://quiet.example/moved', intervalMinutes: 10, startedAt: BEFORE }, next: later }));
      expect(await store.getFeed(quiet.id)).toMatchObject({ nextFetchAt: later.nextFetchAt.toISOString(), etag: '"e1"' });
    });
  });
});

describe('store: a feed made due while it is fetched', () => {
  const BEFORE = new Date(NOW.getTime() - 5000);
  const later = { nextFetchAt: new Date(NOW.getTime() + 900_000), consecutiveFailures: 0, disabled: false };

  it('stays due when a refresh was asked after its fetch began, and says when to fetch it again', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://wire.example/feed', title: null, origin: 'api' }, NOW);
      const refreshedAt = new Date(NOW.getTime() - 2000);
      await store.markFeedDue(feed.id, refreshedAt);
      const summary = await store.saveFetchResult(feed.id, save([toSave(item('read-before'))], { fetchedAs: { url: feed.url, intervalMinutes: null, startedAt: BEFORE }, next: later }));
      expect(summary.dueAgainAt).toEqual(refreshedAt);
      expect(await store.getFeed(feed.id)).toMatchObject({ nextFetchAt: refreshedAt.toISOString(), lastFetchedAt: NOW.toISOString(), itemCount: 1 });
    });
  });

  it('takes its next fetch from the save when it was due before the fetch began, or not due at all', async () => {
    await withStore(async (store) => {
      // Due when the pass listed it, as any feed a pass fetches.
      const due = await store.addFeed({ url: 'https://due.example/feed', title: null, origin: 'api' }, NOW);
      await store.markFeedDue(due.id, new Date(BEFORE.getTime() - 60_000));
      const summary = await store.saveFetchResult(due.id, save([], { fetchedAs: { url: due.url, intervalMinutes: null, startedAt: BEFORE }, next: later }));
      expect(summary).not.toHaveProperty('dueAgainAt');
      expect((await store.getFeed(due.id))!.nextFetchAt).toBe(later.nextFetchAt.toISOString());

      // Fetched though its next fetch was still to come (`feedsieve ingest` fetches every feed).
      const ahead = await store.addFeed({ url: 'https://ahead.example/feed', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(ahead.id, save([], { next: { ...later, nextFetchAt: new Date(NOW.getTime() + 60_000) } }));
      const again = { ...later, nextFetchAt: new Date(NOW.getTime() + 1_800_000) };
      expect(await store.saveFetchResult(ahead.id, save([], { fetchedAs: { url: ahead.url, intervalMinutes: null, startedAt: BEFORE }, next: again }))).not.toHaveProperty('dueAgainAt');
      expect((await store.getFeed(ahead.id))!.nextFetchAt).toBe(again.nextFetchAt.toISOString());
    });
  });
});

describe('store: feed states', () => {
  it('counts feeds in each state by the rule `feedsieve feeds` names them with', async () => {
    await withStore(async (store) => {
      const add = (name: string) => store.addFeed({ url: `https://${name}.example/feed`, title: null, origin: 'api' }, NOW);
      await add('waiting');
      await store.saveFetchResult((await add('ok')).id, save([]));
      const failure = { error: { kind: 'timeout' as const, message: 'timed out' }, validators: null, feedInfo: null };
      await store.saveFetchResult((await add('failing')).id, save([], { ...failure, next: { nextFetchAt: NOW, consecutiveFailures: 1, disabled: false } }));
      await store.saveFetchResult((await add('disabled')).id, save([], { ...failure, next: { nextFetchAt: NOW, consecutiveFailures: 1, disabled: true } }));
      const counts = await store.feedStateCounts();
      expect(counts).toEqual({ waiting: 1, ok: 1, failing: 1, disabled: 1 });
      for (const feed of await store.listFeeds()) expect(feedState(feed), feed.url).toBe(new URL(feed.url).hostname.split('.')[0]);
    });
  });
});

describe('store: permanent redirects', () => {
  it('moves a feed to its new URL, but not onto a URL another feed has', async () => {
    await withStore(async (store) => {
      const a = await store.addFeed({ url: 'https://a.example/old', title: null, origin: 'api' }, NOW);
      const b = await store.addFeed({ url: 'https://b.example/feed', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(a.id, save([], { newUrl: 'https://a.example/new' }));
      expect((await store.getFeed(a.id))!.url).toBe('https://a.example/new');
      expect((await store.getFeed(a.id))!.movedTo).toBeNull();
      await store.saveFetchResult(a.id, save([], { newUrl: 'https://b.example/feed' }));
      expect(await store.getFeed(a.id)).toMatchObject({ url: 'https://a.example/new', movedTo: 'https://b.example/feed' });
      expect((await store.getFeed(b.id))!.url).toBe('https://b.example/feed');
      // The next fetch not redirected: nothing to show any more.
      await store.saveFetchResult(a.id, save([]));
      expect((await store.getFeed(a.id))!.movedTo).toBeNull();
    });
  });

  it('keeps a config file\'s feed at the file\'s URL, so that mirroring the file again keeps its items; the file naming the new URL moves it', async () => {
    await withStore(async (store) => {
      const itemsOf = (feedId: number) => store.db.prepare('SELECT identity FROM items WHERE feed_id = ?').pluck().all(feedId);
      await store.syncConfigFeeds([{ url: 'https://c.example/old' }], NOW);
      const { id } = (await store.getFeedByUrl('https://c.example/old'))!;
      await store.saveFetchResult(id, save([toSave(item('kept'))], { newUrl: 'https://c.example/new' }));
      expect(await store.getFeed(id)).toMatchObject({ url: 'https://c.example/old', movedTo: 'https://c.example/new', itemCount: 1 });

      // A start or a reload with the same file.
      await store.syncConfigFeeds([{ url: 'https://c.example/old' }], NOW);
      expect(await store.getFeed(id)).toMatchObject({ url: 'https://c.example/old', itemCount: 1 });

      // The file changed to where the feed moved: the same feed, its items and validators kept.
      await store.syncConfigFeeds([{ url: 'https://c.example/new' }], NOW);
      expect(await store.getFeed(id)).toMatchObject({ url: 'https://c.example/new', movedTo: null, etag: '"e1"', itemCount: 1 });
      expect(itemsOf(id)).toEqual(['kept']);
      expect((await store.listFeeds()).map((feed) => feed.id)).toEqual([id]);

      // Any other change of the file's URL is another feed.
      await store.syncConfigFeeds([{ url: 'https://c.example/other' }], NOW);
      expect((await store.listFeeds()).map((feed) => [feed.url, feed.itemCount])).toEqual([['https://c.example/other', 0]]);
      expect(store.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
    });
  });
});

describe('store: items followed in the order they were stored', () => {
  const at = (hour: number) => `2026-11-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
  const entries = (prefix: string, hours: number[], slugs: string[] = []) =>
    hours.map((hour) => toSave(item(`${prefix}-${hour}`, { publishedAt: at(hour) }), 'v1', null, slugs));

  it('never gives an id twice, nor takes the newest back: items stored after the newest were deleted with their feed take ids past them', async () => {
    await withStore(async (store) => {
      const kept = await store.addFeed({ url: 'https://kept.example/', title: null, origin: 'api' }, NOW);
      const gone = await store.addFeed({ url: 'https://gone.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(kept.id, save(entries('k', [1, 2])));
      await store.saveFetchResult(gone.id, save(entries('g', [3, 4, 5])));
      const newest = await store.newestItemId();
      expect(newest).toBe(5);
      await store.deleteFeed(gone.id);
      // Where a follower starts stays past the deleted ids, which no item will take again.
      expect(await store.newestItemId()).toBe(5);
      await store.saveFetchResult(kept.id, save(entries('k', [6])));
      // SQLite alone would give it 3, which a follower past 5 would never ask for.
      expect(await store.newestItemId()).toBe(6);
      const page = await store.listItemsStoredAfter({ afterId: newest, limit: 10, examineAtMost: 100 });
      expect(page.items.map((i) => i.title)).toEqual(['Title k-6']);
      expect(page).toMatchObject({ known: true, nextAfterId: 6, more: false });
    });
  });

  it('tells a follower whose afterId is past every id given, as after a restore from a backup, that it is unknown here', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://kept.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(feed.id, save(entries('a', [1, 2])));
      const copy = join(mkdtempSync(join(tmpdir(), 'feedsieve-restore-')), 'backup.db');
      await store.backupTo(copy);
      await store.saveFetchResult(feed.id, save(entries('b', [3, 4, 5])));
      const follower = await store.listItemsStoredAfter({ afterId: 0, limit: 10, examineAtMost: 100 });
      expect(follower).toMatchObject({ known: true, nextAfterId: 5 });

      const restored = openStore(copy);
      try {
        expect(await restored.newestItemId()).toBe(2);
        // Ids 3 to 5 will be given again, to other items: a follower at 5 would miss them.
        expect(await restored.listItemsStoredAfter({ afterId: follower.nextAfterId, limit: 10, examineAtMost: 100 }))
          .toEqual({ known: false, items: [], nextAfterId: 5, more: false });
        expect((await restored.listItemsStoredAfter({ afterId: 2, limit: 10, examineAtMost: 100 })).known).toBe(true);
      } finally {
        await restored.close();
        rmSync(dirname(copy), { recursive: true, force: true });
      }
    });
  });

  it('0014 keeps the largest id ever deleted, from the items as they stand', () => {
    migratingTo(14, (db) => {
      db.exec(`${FEED_AND_TWO_TOPICS}${itemsAt(at(1), at(2), at(3))}`);
    }, (db) => {
      db.prepare('DELETE FROM items WHERE id = 3').run();
      db.prepare('DELETE FROM items WHERE id = 1').run();
      expect(db.prepare('SELECT last_deleted FROM item_ids').pluck().get()).toBe(3);
    });
  });

  it('lists the items stored after an id oldest first, late-dated ones included, by topic and feed, a page at a time', async () => {
    await withStore(async (store) => {
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'nato', origin: 'api', pinned: false }, NOW);
      const a = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      const b = await store.addFeed({ url: 'https://b.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(a.id, save(entries('a', [5, 6], ['nato'])));
      const follower = await store.newestItemId();
      // Dated before everything stored: a listing by time puts them last (a's, a day late, are not lifted).
      await store.saveFetchResult(b.id, save([...entries('b', [1], ['nato']), ...entries('b', [2])]));
      await store.saveFetchResult(a.id, save(entries('a', [3, 4], ['nato']), { fetchedAt: new Date(NOW.getTime() + 24 * 3_600_000) }));
      const byTime = await store.listItems({ limit: 2 });
      expect(byTime.map((i) => i.title)).toEqual(['Title a-6', 'Title a-5']);

      const all = await store.listItemsStoredAfter({ afterId: follower, limit: 10, examineAtMost: 100 });
      expect(all.items.map((i) => i.title)).toEqual(['Title b-1', 'Title b-2', 'Title a-3', 'Title a-4']);
      expect(all).toMatchObject({ nextAfterId: follower + 4, more: false });
      const inTopic = await store.listItemsStoredAfter({ afterId: follower, topicSlug: 'nato', limit: 10, examineAtMost: 100 });
      expect(inTopic.items.map((i) => i.title)).toEqual(['Title b-1', 'Title a-3', 'Title a-4']);
      const ofFeed = await store.listItemsStoredAfter({ afterId: follower, feedId: b.id, limit: 10, examineAtMost: 100 });
      expect(ofFeed.items.map((i) => i.title)).toEqual(['Title b-1', 'Title b-2']);
      expect(ofFeed).toMatchObject({ nextAfterId: follower + 4, more: false });

      // A full page goes on from its last item.
      const first = await store.listItemsStoredAfter({ afterId: follower, limit: 3, examineAtMost: 100 });
      expect(first).toMatchObject({ nextAfterId: follower + 3, more: true });
      const second = await store.listItemsStoredAfter({ afterId: first.nextAfterId, limit: 3, examineAtMost: 100 });
      expect(second.items.map((i) => i.title)).toEqual(['Title a-4']);
      expect(second).toMatchObject({ nextAfterId: follower + 4, more: false });
      // Past the ids it may look at, a page ends short, saying where it stopped and that more is stored.
      const bounded = await store.listItemsStoredAfter({ afterId: follower, feedId: a.id, limit: 10, examineAtMost: 2 });
      expect(bounded.items).toEqual([]);
      expect(bounded).toMatchObject({ nextAfterId: follower + 2, more: true });
      const rest = await store.listItemsStoredAfter({ afterId: bounded.nextAfterId, feedId: a.id, limit: 10, examineAtMost: 2 });
      expect(rest.items.map((i) => i.title)).toEqual(['Title a-3', 'Title a-4']);
      expect(rest.more).toBe(false);
      // Nothing new: the follower stays where it is.
      expect(await store.listItemsStoredAfter({ afterId: rest.nextAfterId, limit: 10, examineAtMost: 100 }))
        .toEqual({ known: true, items: [], nextAfterId: rest.nextAfterId, more: false });
    });
  });
});

describe('store: a topic\'s backfill mark', () => {
  it('marks a new or changed query to be matched from the start, in the same write, and leaves an unchanged one', async () => {
    await withStore(async (store) => {
      const nato = { slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api' as const, pinned: false };
      await store.putTopic(nato, NOW);
      expect(await store.topicBackfillMark('nato')).toBe(0);
      expect(await store.pendingTopicBackfills()).toEqual([{ slug: 'nato', query: 'NATO' }]);
      await store.finishTopicBackfill('nato', 'NATO');
      expect(await store.topicBackfillMark('nato')).toBeNull();
      await store.putTopic({ ...nato, title: 'The alliance' }, NOW);
      expect(await store.topicBackfillMark('nato')).toBeNull();
      await store.syncConfigTopics([{ slug: 'gas', title: 'Gas', query: 'gas', pinned: false }], NOW);
      await store.putTopic({ ...nato, query: 'NATO OR OTAN' }, NOW);
      expect(await store.pendingTopicBackfills()).toEqual([{ slug: 'gas', query: 'gas' }, { slug: 'nato', query: 'NATO OR OTAN' }]);
      // A finish for a query the topic no longer has changes nothing.
      await store.finishTopicBackfill('nato', 'NATO');
      expect(await store.topicBackfillMark('nato')).toBe(0);
    });
  });

  it('adds a batch and moves the mark together, only while the topic has the query the batch matched', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
      const [a, b] = (await store.itemsAfter(0, 10)).map((i) => i.id);
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
      const match = (itemId: number) => ({ itemId, sortAt: '2026-11-01T10:00:00.000Z', terms: ['NATO'] });
      expect(await store.addTopicMatches('nato', [match(a!)], { through: a!, query: 'NATO' })).toBe(true);
      expect(await store.topicBackfillMark('nato')).toBe(a);
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'OTAN', origin: 'api', pinned: false }, NOW);
      expect(await store.addTopicMatches('nato', [match(b!)], { through: b!, query: 'NATO' })).toBe(false);
      expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.id)).toEqual([a]);
      expect(await store.topicBackfillMark('nato')).toBe(0);
      expect(await store.addTopicMatches('gone', [match(b!)], { through: b!, query: 'NATO' })).toBe(false);
    });
  });

  it('0015 leaves the topics there were as matched', () => {
    migratingTo(15, (db) => db.exec(FEED_AND_TWO_TOPICS), (db) => {
      expect(db.prepare('SELECT slug, backfilled_through FROM topics ORDER BY slug').all())
        .toEqual([{ slug: 'gas', backfilled_through: null }, { slug: 'nato', backfilled_through: null }]);
    });
  });
});

describe('store: each feed\'s item count', () => {
  it('0017 counts each feed\'s items there were, and a delete takes one off', () => {
    migratingTo(17, (db) => db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO feeds (id, url, origin, created_at) VALUES (2, 'https://b.example/', 'api', 'x');
      ${itemsAt('2026-11-01T01:00:00.000Z', '2026-11-01T02:00:00.000Z', '2026-11-01T03:00:00.000Z')}`), (db) => {
      expect(db.prepare('SELECT id, item_count FROM feeds ORDER BY id').all()).toEqual([{ id: 1, item_count: 3 }, { id: 2, item_count: 0 }]);
      db.prepare('DELETE FROM items WHERE id = 2').run();
      expect(db.prepare('SELECT item_count FROM feeds WHERE id = 1').pluck().get()).toBe(2);
    });
  });
});

describe('store: feeds renamed since their items were matched', () => {
  const topic = (slug: string, query: string) => ({ slug, title: slug, query, origin: 'api' as const, pinned: false });
  const matchedTitle = (store: Store, id: number) => store.db.prepare('SELECT matched_title FROM feeds WHERE id = ?').pluck().get(id);

  it('takes the title a feed\'s first items were matched under as matched; a document that renames the feed later leaves it to rematch', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      // Its first items were matched under the document's title (prepare.ts): nothing to do.
      await store.saveFetchResult(feed.id, save([toSave(item('a'))], { feedInfo: { title: 'Wire', siteUrl: null, minIntervalMinutes: null } }));
      expect(matchedTitle(store, feed.id)).toBe('Wire');
      expect(await store.rematchRenamedFeeds(() => { throw new Error('asked'); })).toEqual([]);
      await store.saveFetchResult(feed.id, save([toSave(item('b'))], { feedInfo: { title: 'Reuters', siteUrl: null, minIntervalMinutes: null } }));
      expect(matchedTitle(store, feed.id)).toBe('Wire');
      const asked: unknown[] = [];
      expect(await store.rematchRenamedFeeds((rename) => {
        asked.push(rename);
        return [];
      })).toEqual([{ feedId: feed.id, from: 'Wire', to: 'Reuters', topics: [] }]);
      expect(asked).toEqual([{ feedId: feed.id, from: 'Wire', to: 'Reuters' }]);
      expect(matchedTitle(store, feed.id)).toBe('Reuters');
    });
  });

  it('marks the topics a rename concerns to be matched again, as a new run, with the title taken as matched in the same write; a feed with no items concerns none', async () => {
    await withStore(async (store) => {
      const full = await store.addFeed({ url: 'https://a.example/', title: 'Wire', origin: 'api' }, NOW);
      const empty = await store.addFeed({ url: 'https://b.example/', title: 'Post', origin: 'api' }, NOW);
      await store.saveFetchResult(full.id, save([toSave(item('a'))]));
      for (const [slug, query] of [['reuters', 'feed:reuters'], ['nato', 'NATO']] as const) {
        await store.putTopic(topic(slug, query), NOW);
        await store.finishTopicBackfill(slug, query);
      }
      const runBefore = (await store.topicBackfill('reuters'))!.run;
      await store.editFeed(full.id, { title: 'Reuters' }, NOW);
      await store.editFeed(empty.id, { title: 'Reuters Post' }, NOW);
      const seen: { feedId: number; topics: string[] }[] = [];
      const renames = await store.rematchRenamedFeeds((rename, topics) => {
        seen.push({ feedId: rename.feedId, topics: topics.map((t) => t.slug) });
        return ['reuters'];
      });
      expect(renames).toEqual([
        { feedId: full.id, from: 'Wire', to: 'Reuters', topics: ['reuters'] },
        { feedId: empty.id, from: 'Post', to: 'Reuters Post', topics: [] },
      ]);
      expect(seen).toEqual([{ feedId: full.id, topics: ['nato', 'reuters'] }]);
      expect(await store.topicBackfill('reuters')).toEqual({ query: 'feed:reuters', mark: 0, run: runBefore + 1 });
      expect(await store.topicBackfill('nato')).toMatchObject({ mark: null });
      expect(await store.pendingTopicBackfills()).toEqual([{ slug: 'reuters', query: 'feed:reuters' }]);
      expect(await store.rematchRenamedFeeds(() => { throw new Error('asked'); })).toEqual([]);
    });
  });

  it('a backfill a restart overtook writes no more, though its query is the same; the restart\'s run does', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: 'Wire', origin: 'api' }, NOW);
      await store.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
      const [a, b] = (await store.itemsAfter(0, 10)).map((i) => i.id);
      await store.putTopic(topic('reuters', 'feed:reuters'), NOW);
      const first = (await store.topicBackfill('reuters'))!;
      const match = (itemId: number) => ({ itemId, sortAt: '2026-11-01T10:00:00.000Z', terms: ['Reuters'] });
      expect(await store.addTopicMatches('reuters', [], { through: a!, query: 'feed:reuters', run: first.run })).toBe(true);
      await store.editFeed(feed.id, { title: 'Reuters' }, NOW);
      await store.rematchRenamedFeeds(() => ['reuters']);
      expect(await store.addTopicMatches('reuters', [match(b!)], { through: b!, query: 'feed:reuters', run: first.run })).toBe(false);
      await store.finishTopicBackfill('reuters', 'feed:reuters', first.run);
      expect(await store.topicBackfill('reuters')).toEqual({ query: 'feed:reuters', mark: 0, run: first.run + 1 });
      expect(await store.clearTopicMatches('reuters', { query: 'feed:reuters', run: first.run })).toBe(false);
      expect(await store.clearTopicMatches('reuters', { query: 'feed:reuters', run: first.run + 1 })).toBe(true);
      expect(await store.addTopicMatches('reuters', [match(a!), match(b!)], { through: b!, query: 'feed:reuters', run: first.run + 1 })).toBe(true);
      await store.finishTopicBackfill('reuters', 'feed:reuters', first.run + 1);
      expect(await store.topicBackfill('reuters')).toMatchObject({ mark: null });
      expect((await store.listItems({ topicSlug: 'reuters', limit: 10 })).map((i) => i.id).sort()).toEqual([a, b]);
    });
  });

  it('0018 takes each feed\'s title, the operator\'s else its own, as the one its items were matched under', () => {
    migratingTo(18, (db) => db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO feeds (id, url, title, source_title, origin, created_at) VALUES (2, 'https://b.example/', 'Mine', 'Its own', 'api', 'x');
      INSERT INTO feeds (id, url, source_title, origin, created_at) VALUES (3, 'https://c.example/', 'Its own', 'api', 'x');`), (db) => {
      expect(db.prepare('SELECT id, matched_title FROM feeds ORDER BY id').all())
        .toEqual([{ id: 1, matched_title: null }, { id: 2, matched_title: 'Mine' }, { id: 3, matched_title: 'Its own' }]);
      expect(db.prepare('SELECT slug, backfill_run FROM topics ORDER BY slug').all())
        .toEqual([{ slug: 'gas', backfill_run: 0 }, { slug: 'nato', backfill_run: 0 }]);
    });
  });
});

describe('store: the mark for feed entry ids', () => {
  it('0019 marks the largest item id given as the last whose entry id is its row id alone; a new database marks none', async () => {
    migratingTo(19, (db) => db.exec(`${FEED_AND_TWO_TOPICS}${itemsAt('2026-11-01T01:00:00.000Z', '2026-11-01T02:00:00.000Z', '2026-11-01T03:00:00.000Z')}
      DELETE FROM items WHERE id = 3;`), (db) => {
      expect(db.prepare('SELECT plain_entry_ids_through FROM item_ids').pluck().get()).toBe(3);
    });
    await withStore(async (store) => {
      expect(await store.plainEntryIdsThrough()).toBe(0);
    });
  });
});

describe('store: a config file\'s feed given another URL', () => {
  it('keeps its items when the new URL is the old one but for http or https and a "www.", or names it among its formerUrls; is another feed otherwise', async () => {
    await withStore(async (store) => {
      const urls = ['http://www.a.example/feed', 'https://b.example/old.xml', 'https://c.example/x', 'http://d.example:8080/f?s=1'];
      await store.syncConfigFeeds(urls.map((url) => ({ url })), NOW);
      const before = new Map((await store.listFeeds()).map((f) => [f.url, f.id]));
      for (const [n, url] of urls.entries()) {
        await store.saveFetchResult(before.get(url)!, save([toSave(item(`i-${n}`))], { validators: { etag: '"e"', lastModified: 'x', contentHash: 'h' } }));
      }
      const later = new Date(NOW.getTime() + 3_600_000);
      await store.syncConfigFeeds([
        { url: 'https://a.example/feed' },
        { url: 'https://b.example/feed.xml', formerUrls: ['https://b.example/old.xml'] },
        { url: 'https://c.example/y' },
        { url: 'https://d.example:8081/f?s=1' },
      ], later);
      const after = new Map((await store.listFeeds()).map((f) => [f.url, f]));
      for (const [from, to] of [['http://www.a.example/feed', 'https://a.example/feed'], ['https://b.example/old.xml', 'https://b.example/feed.xml']] as const) {
        // The same feed, with its items, fetched at once from its new address without the old server's validators.
        expect(after.get(to)).toMatchObject({ id: before.get(from), itemCount: 1, etag: null, lastModified: null, contentHash: null, nextFetchAt: later.toISOString() });
      }
      // Another path, another port: other feeds; the old ones go with their items.
      expect(after.get('https://c.example/y')!.itemCount).toBe(0);
      expect(after.get('https://d.example:8081/f?s=1')!.itemCount).toBe(0);
      expect(after.size).toBe(4);
      expect(await store.countItems()).toBe(2);
    });
  });
});

describe('store: feed ids', () => {
  it('never gives one twice: a feed added after the newest ones were deleted, over the API or with the config file, takes an id past them', async () => {
    await withStore(async (store) => {
      const a = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      const b = await store.addFeed({ url: 'https://b.example/', title: null, origin: 'api' }, NOW);
      expect(await store.deleteFeed(b.id)).toBe(true);
      const c = await store.addFeed({ url: 'https://c.example/', title: null, origin: 'api' }, NOW);
      expect(c.id).toBe(b.id + 1);
      await store.deleteFeed(c.id);
      await store.syncConfigFeeds([{ url: 'https://d.example/' }], NOW);
      const d = (await store.listFeeds()).find((f) => f.url === 'https://d.example/')!;
      expect(d.id).toBe(c.id + 1);
      expect((await store.listFeeds()).map((f) => f.id)).toEqual([a.id, d.id]);
    });
  });

  it('0020 keeps the largest feed id ever deleted, from the feeds as they stand', () => {
    migratingTo(20, (db) => db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO feeds (id, url, origin, created_at) VALUES (2, 'https://b.example/', 'api', 'x'), (3, 'https://c.example/', 'api', 'x');`), (db) => {
      db.prepare('DELETE FROM feeds WHERE id = 3').run();
      db.prepare('DELETE FROM feeds WHERE id = 2').run();
      expect(db.prepare('SELECT last_deleted FROM feed_ids').pluck().get()).toBe(3);
    });
  });
});

describe('store: a topic\'s old matches dropped a batch at a time', () => {
  it('takes up to the batch\'s number of filed matches out, marks the backfill to start again, and stops once the topic has changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
    const store = openStore(join(dir, 'db.sqlite'), { topicFiling: { batch: 1, maxBatch: 1, minIntervalMs: 0 } });
    try {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      for (const slug of ['nato', 'gas']) {
        await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
        await store.finishTopicBackfill(slug, slug);
      }
      await store.saveFetchResult(feed.id, save(['a', 'b', 'c', 'd', 'e'].map((id) => toSave(item(id), 'v1', null, ['nato', 'gas']))));
      await store.saveFetchResult(feed.id, save([]));
      const filed = () => store.db.prepare(`SELECT count(*) FROM topic_feed WHERE topic_id = (SELECT id FROM topics WHERE slug = 'nato')`).pluck().get();
      expect(filed()).toBe(5);
      const { run } = (await store.topicBackfill('nato'))!;
      expect(await store.dropTopicMatches('nato', { query: 'nato', run }, 2)).toBe(2);
      expect(filed()).toBe(3);
      expect(await store.topicBackfillMark('nato')).toBe(0);
      expect(await store.dropTopicMatches('nato', { query: 'nato', run }, 2)).toBe(2);
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'OTAN', origin: 'api', pinned: false }, NOW);
      expect(await store.dropTopicMatches('nato', { query: 'nato', run }, 2)).toBeNull();
      expect(await store.dropTopicMatches('gone', { query: 'nato', run }, 2)).toBeNull();
      expect(filed()).toBe(1);
      // The other topic's matches stay where they were, filed and in each row.
      expect((await store.listItems({ topicSlug: 'gas', limit: 10 })).length).toBe(5);
      expect(store.db.prepare(`SELECT count(*) FROM item_topics`).pluck().get()).toBe(5);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store: a deleted topic', () => {
  it('is gone at once; its matches stay in the rows, unread, until swept a batch at a time; a new topic never takes its id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
    // Filed two at a time or more: a save of one is left past the mark.
    const store = openStore(join(dir, 'db.sqlite'), { topicFiling: { batch: 2, maxBatch: 100, minIntervalMs: 0 } });
    try {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      for (const slug of ['gas', 'nato']) await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
      const natoId = store.db.prepare(`SELECT id FROM topics WHERE slug = 'nato'`).pluck().get() as number;
      await store.saveFetchResult(feed.id, save(['a', 'b', 'c', 'd', 'e'].map((id) => toSave(item(id), 'v1', null, ['nato', 'gas']))));
      await store.saveFetchResult(feed.id, save([toSave(item('f'), 'v1', null, ['nato'])]));
      const held = () => ({
        filed: store.db.prepare('SELECT count(*) FROM topic_feed WHERE topic_id = CAST(? AS INTEGER)').pluck().get(natoId),
        rows: store.db.prepare(`SELECT count(*) FROM item_topics WHERE topic_ids LIKE '%,' || CAST(? AS INTEGER) || ',%'
          OR json_extract(terms, '$."' || CAST(? AS INTEGER) || '"') IS NOT NULL`).pluck().get(natoId, natoId),
      });
      expect(held()).toEqual({ filed: 5, rows: 6 });

      expect(await store.deleteTopic('nato')).toBe(true);
      expect(await store.deleteTopic('nato')).toBe(false);
      expect(await store.getTopic('nato')).toBeNull();
      expect(await store.listItems({ topicSlug: 'nato', limit: 10 })).toEqual([]);
      const ids = (await store.listItems({ limit: 10 })).map((i) => i.id);
      expect([...(await store.matchesForItems(ids)).values()].flat().map((m) => m.slug)).toEqual(['gas', 'gas', 'gas', 'gas', 'gas']);
      expect(await store.deletedTopicIds()).toEqual([natoId]);
      expect(held()).toEqual({ filed: 5, rows: 6 });

      // Created again while rows still hold the old id: a new id, and none of the old matches.
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'nato', origin: 'api', pinned: false }, NOW);
      const newId = store.db.prepare(`SELECT id FROM topics WHERE slug = 'nato'`).pluck().get() as number;
      expect(newId).toBe(natoId + 1);
      expect(await store.listItems({ topicSlug: 'nato', limit: 10 })).toEqual([]);

      expect(await store.sweepDeletedTopic(natoId, 2)).toBe(false);
      expect(held()).toEqual({ filed: 3, rows: 4 });
      expect(await store.sweepDeletedTopic(natoId, 2)).toBe(false);
      // The last filed one, and the unfiled one with it.
      expect(await store.sweepDeletedTopic(natoId, 2)).toBe(true);
      expect(held()).toEqual({ filed: 0, rows: 0 });
      expect(await store.deletedTopicIds()).toEqual([]);
      // The other topic's matches stay, filed and in each row; the row the deleted topic alone held goes.
      expect((await store.listItems({ topicSlug: 'gas', limit: 10 })).length).toBe(5);
      expect(store.db.prepare('SELECT count(*) FROM item_topics').pluck().get()).toBe(5);
      expect(store.db.prepare('SELECT count(*) FROM topic_feed').pluck().get()).toBe(5);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('0021 keeps the largest topic id ever deleted, and lists each deleted one for its matches to be swept', () => {
    migratingTo(21, (db) => db.exec(`${FEED_AND_TWO_TOPICS}
      INSERT INTO topics (id, slug, title, query, origin, created_at, updated_at) VALUES (3, 'grid', 'Grid', 'grid', 'api', 'x', 'x');`), (db) => {
      db.prepare('DELETE FROM topics WHERE id = 3').run();
      db.prepare('DELETE FROM topics WHERE id = 1').run();
      expect(db.prepare('SELECT last_deleted FROM topic_ids').pluck().get()).toBe(3);
      expect(db.prepare('SELECT topic_id FROM topics_deleted ORDER BY 1').pluck().all()).toEqual([1, 3]);
    });
  });

  it('0022 tells a stored feed\'s entries apart by guid, and takes no other scheme than the three', () => {
    migratingTo(22, (db) => db.exec(FEED_AND_TWO_TOPICS), (db) => {
      expect(db.prepare('SELECT identity_scheme FROM feeds WHERE id = 1').pluck().get()).toBe(0);
      expect(() => db.prepare('UPDATE feeds SET identity_scheme = 3 WHERE id = 1').run()).toThrow(/CHECK/);
    });
  });
});

describe('store: the edits a save numbers', () => {
  it('0023 numbers no edit of the items stored before it, holds one edit an item, and lets it go with the item, a feed\'s with the feed', () => {
    migratingTo(23, (db) => db.exec(`${FEED_AND_TWO_TOPICS} ${itemsAt('2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z')}`), (db) => {
      expect(db.prepare('SELECT count(*) FROM item_edits').pluck().get()).toBe(0);
      db.pragma('foreign_keys = ON');
      for (const itemId of [1, 1, 2]) db.prepare('INSERT OR REPLACE INTO item_edits (item_id) VALUES (?)').run(itemId);
      expect(db.prepare('SELECT edit_id, item_id FROM item_edits').raw().all()).toEqual([[2, 1], [3, 2]]);
      db.prepare('DELETE FROM items WHERE id = 1').run();
      expect(db.prepare('SELECT item_id FROM item_edits').pluck().all()).toEqual([2]);
      db.prepare('DELETE FROM feeds WHERE id = 1').run();
      expect(db.prepare('SELECT count(*) FROM item_edits').pluck().get()).toBe(0);
    });
  });

  it('numbers an item\'s edit once its entry changes, numbers it anew when it changes again, and lets the number go with the item', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      const edits = () => store.db.prepare('SELECT edit_id, item_id FROM item_edits ORDER BY edit_id').raw().all();
      await store.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
      expect(edits()).toEqual([]);
      const [b, a] = (await store.listItems({ limit: 10 })).sort((x, y) => y.id - x.id);
      await store.saveFetchResult(feed.id, save([toSave(item('a', { title: 'A, corrected' }), 'v2'), toSave(item('b'))]));
      expect(edits()).toEqual([[1, a!.id]]);
      await store.saveFetchResult(feed.id, save([toSave(item('a', { title: 'A, corrected' }), 'v2'), toSave(item('b', { title: 'B, corrected' }), 'v2')]));
      expect(edits()).toEqual([[1, a!.id], [2, b!.id]]);
      await store.saveFetchResult(feed.id, save([toSave(item('a', { title: 'A, corrected again' }), 'v3')]));
      expect(edits()).toEqual([[2, b!.id], [3, a!.id]]);
      const page = await store.listItemsEditedAfter({ afterEdit: 1, limit: 10, examineAtMost: 100 });
      expect(page.edits.map((e) => [e.editId, e.item.title, e.editedAt])).toEqual([[2, 'B, corrected', NOW.toISOString()], [3, 'A, corrected again', NOW.toISOString()]]);
      expect(page).toMatchObject({ known: true, nextAfterEdit: 3, more: false });
      // Looked at two numbers at most: the page ends at the second, with more to come.
      expect(await store.listItemsEditedAfter({ afterEdit: 0, limit: 10, examineAtMost: 2 })).toMatchObject({ nextAfterEdit: 2, more: true });
      expect(await store.newestEditId()).toBe(3);
      // Retention deletes the items, and their edits with them; the numbers stay given, the newest too.
      await store.expireItems(new Date(NOW.getTime() + 1));
      expect(edits()).toEqual([]);
      expect(await store.newestEditId()).toBe(3);
      expect(await store.listItemsEditedAfter({ afterEdit: 3, limit: 10, examineAtMost: 100 })).toMatchObject({ known: true, edits: [] });
      expect((await store.listItemsEditedAfter({ afterEdit: 4, limit: 10, examineAtMost: 100 })).known).toBe(false);
    });
  });
});

describe('store: the topics an edit takes an item out of', () => {
  it('keeps each topic an item has left by its edits until it matches it again, so that the topic\'s followers hear of it', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      for (const slug of ['nato', 'gas']) await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
      const idOf = (slug: string) => store.db.prepare('SELECT id FROM topics WHERE slug = ?').pluck().get(slug) as number;
      const left = () => store.db.prepare('SELECT left_topic_ids FROM item_edits').pluck().all();
      const editedIn = async (topicSlug: string) =>
        (await store.listItemsEditedAfter({ afterEdit: 0, topicSlug, limit: 10, examineAtMost: 100 })).edits.map((e) => [e.editId, e.item.title]);
      const a = (title: string, hash: string, slugs: string[]) => save([toSave(item('a', { title }), hash, null, slugs)]);
      await store.saveFetchResult(feed.id, a('NATO and gas', 'v1', ['nato', 'gas']));
      // The correction drops NATO: the item leaves nato, and nato's followers hear of it.
      await store.saveFetchResult(feed.id, a('Gas', 'v2', ['gas']));
      expect(left()).toEqual([`,${idOf('nato')},`]);
      expect(await editedIn('nato')).toEqual([[1, 'Gas']]);
      expect(await editedIn('gas')).toEqual([[1, 'Gas']]);
      // Edited again, out of both: each topic it was ever in and is not now.
      await store.saveFetchResult(feed.id, a('Weather', 'v3', []));
      expect(left()).toEqual([`,${idOf('nato')},${idOf('gas')},`]);
      expect(await editedIn('nato')).toEqual([[2, 'Weather']]);
      expect(await editedIn('gas')).toEqual([[2, 'Weather']]);
      // Back in nato: it has left only gas.
      await store.saveFetchResult(feed.id, a('NATO', 'v4', ['nato']));
      expect(left()).toEqual([`,${idOf('gas')},`]);
      expect((await store.matchesForItems([1])).get(1)).toEqual([{ slug: 'nato', terms: ['t'] }]);
      expect(await editedIn('gas')).toEqual([[3, 'NATO']]);
      // In both again: it has left none.
      await store.saveFetchResult(feed.id, a('NATO and gas again', 'v5', ['nato', 'gas']));
      expect(left()).toEqual([null]);
    });
  });

  it('0025 leaves the edits numbered before it with no topic left', () => {
    migratingTo(25, (db) => db.exec(`${FEED_AND_TWO_TOPICS} ${itemsAt('2026-11-01T10:00:00.000Z')} INSERT INTO item_edits (item_id) VALUES (1);`), (db) => {
      expect(db.prepare('SELECT edit_id, item_id, left_topic_ids FROM item_edits').raw().all()).toEqual([[1, 1, null]]);
    });
  });
});

describe('store: how a feed\'s entries are told apart', () => {
  it('keeps the scheme a save brings, and never goes back to an earlier one', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      const info = (identityScheme?: 0 | 1 | 2) => ({ feedInfo: { title: 'Source', siteUrl: null, minIntervalMinutes: null, identityScheme } });
      expect((await store.getFeed(feed.id))!.identityScheme).toBe(0);
      await store.saveFetchResult(feed.id, save([], info(1)));
      expect((await store.getFeed(feed.id))!.identityScheme).toBe(1);
      await store.saveFetchResult(feed.id, save([], info(0)));
      await store.saveFetchResult(feed.id, save([], info()));
      await store.saveFetchResult(feed.id, save([], { feedInfo: null }));
      expect((await store.getFeed(feed.id))!.identityScheme).toBe(1);
      await store.saveFetchResult(feed.id, save([], info(2)));
      expect((await store.listFeeds()).find((f) => f.id === feed.id)!.identityScheme).toBe(2);
    });
  });
});

describe('store: a save\'s matches against the topics as stored', () => {
  it('has the items matched again, inside the save, when the topics they were matched against are not those stored; else takes them as they are', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await store.putTopic({ slug: 'nato', title: 'NATO', query: 'NATO', origin: 'api', pinned: false }, NOW);
      const asStored = await store.topicDefinitions();
      const calls: string[][] = [];
      const topics = (definitions: { slug: string; query: string }[]) => ({
        definitions,
        matchAgain: (stored: readonly { slug: string; query: string }[]) => {
          calls.push(stored.map((t) => `${t.slug}:${t.query}`));
          return [[{ slug: 'gas', terms: ['LNG'] }], []];
        },
      });
      const two = (prefix: string) => [toSave(item(`${prefix}1`), 'v1', null, ['nato']), toSave(item(`${prefix}2`), 'v1', null, ['nato'])];
      // Matched against the topics as stored: kept, and the list compared once while the topics stay.
      const same = topics(asStored);
      await store.saveFetchResult(feed.id, save(two('a'), { topics: same }));
      await store.saveFetchResult(feed.id, save(two('b'), { topics: same }));
      expect(calls).toEqual([]);
      expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).length).toBe(4);
      // Another process adds a topic: the next save's items are matched against both.
      await store.putTopic({ slug: 'gas', title: 'Gas', query: 'gas OR LNG', origin: 'api', pinned: false }, NOW);
      const summary = await store.saveFetchResult(feed.id, save(two('c'), { topics: same }));
      expect(calls).toEqual([['gas:gas OR LNG', 'nato:NATO']]);
      expect(summary.touchedTopics).toEqual(['gas']);
      expect((await store.listItems({ topicSlug: 'gas', limit: 10 })).map((i) => i.identity)).toEqual(['c1']);
      expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.identity).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
      // Without the topics they were matched against, matches are taken as they come.
      await store.saveFetchResult(feed.id, save([toSave(item('d1'), 'v1', null, ['nato'])]));
      expect(calls.length).toBe(1);
      expect((await store.listItems({ topicSlug: 'nato', limit: 10 })).map((i) => i.identity)).toContain('d1');
    });
  });
});

describe('store: the database\'s history', () => {
  it('0024 gives a database an id of its own, kept from one open to the next, and no earlier history', () => {
    const ids: string[] = [];
    for (let n = 0; n < 2; n++) {
      migratingTo(24, () => {}, (db) => {
        ids.push(db.prepare('SELECT id FROM database_history').pluck().get() as string);
        expect(db.prepare('SELECT count(*) FROM earlier_histories').pluck().get()).toBe(0);
      });
    }
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('starts a history when a backup is opened as a database, whose followers of the history it was copied from go on from what the backup held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
    const opened: Store[] = [];
    const open = (name: string): Store => {
      const store = openStore(join(dir, name));
      opened.push(store);
      return store;
    };
    try {
      const live = open('live.db');
      const idLive = await live.databaseId();
      expect(live.restoredFromBackup).toBe(false);
      const feed = await live.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await live.saveFetchResult(feed.id, save([toSave(item('a')), toSave(item('b'))]));
      await live.saveFetchResult(feed.id, save([toSave(item('a', { title: 'A, corrected' }), 'v2'), toSave(item('b'))]));
      expect([await live.newestItemId(), await live.newestEditId()]).toEqual([2, 1]);
      await live.backupTo(join(dir, 'backup.db'));
      copyFileSync(join(dir, 'backup.db'), join(dir, 'backup-again.db'));
      // After the backup: two more items and another edit, which the backup never saw.
      await live.saveFetchResult(feed.id, save([toSave(item('a', { title: 'A, corrected' }), 'v2'), toSave(item('b', { title: 'B, corrected' }), 'v2'),
        toSave(item('c')), toSave(item('d'))]));
      expect([await live.newestItemId(), await live.newestEditId()]).toEqual([4, 2]);
      expect(await live.databaseId()).toBe(idLive);

      const restored = open('backup.db');
      const idRestored = await restored.databaseId();
      expect(restored.restoredFromBackup).toBe(true);
      expect(idRestored).toMatch(/^[0-9a-f]{32}$/);
      expect(idRestored).not.toBe(idLive);
      expect(await restored.markInThisHistory(idRestored, 9, 'item')).toBe(9);
      expect(await restored.markInThisHistory(idLive, 4, 'item')).toBe(2);
      expect(await restored.markInThisHistory(idLive, 1, 'item')).toBe(1);
      expect(await restored.markInThisHistory(idLive, 2, 'edit')).toBe(1);
      expect(await restored.markInThisHistory('0'.repeat(32), 1, 'item')).toBeNull();
      // It gives item 3 again, to another entry, and a backup of it held through item 3 and edit 1.
      await restored.saveFetchResult(feed.id, save([toSave(item('e'))]));
      expect(await restored.newestItemId()).toBe(3);
      await restored.backupTo(join(dir, 'backup-of-restored.db'));
      await restored.close();
      opened.pop();

      const reopened = open('backup.db');
      expect(reopened.restoredFromBackup).toBe(false);
      expect(await reopened.databaseId()).toBe(idRestored);

      // Restored from the restored one's backup: it shares with the live history what the restored one did.
      const twice = open('backup-of-restored.db');
      const idTwice = await twice.databaseId();
      expect(new Set([idLive, idRestored, idTwice]).size).toBe(3);
      expect(await twice.markInThisHistory(idRestored, 5, 'item')).toBe(3);
      expect(await twice.markInThisHistory(idLive, 4, 'item')).toBe(2);
      expect(await twice.markInThisHistory(idLive, 2, 'edit')).toBe(1);

      // The same backup restored a second time is a history of its own, beside the first restore's.
      const again = open('backup-again.db');
      expect(again.restoredFromBackup).toBe(true);
      expect(new Set([idLive, idRestored, idTwice, await again.databaseId()]).size).toBe(4);
      expect(await again.markInThisHistory(idLive, 4, 'item')).toBe(2);
      expect(await again.markInThisHistory(idRestored, 3, 'item')).toBeNull();
    } finally {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store: the items deleted, for followers', () => {
  const deletedAfter = (store: Store, afterDeletion: number, over: { topicSlug?: string; feedId?: number; limit?: number; examineAtMost?: number } = {}) =>
    store.listItemsDeletedAfter({ afterDeletion, limit: 10, examineAtMost: 100, ...over });
  const itemIdsOf = (page: { deletions: { itemId: number }[] }) => page.deletions.map((d) => d.itemId);

  it('logs each item deleted, with its feed or by retention, numbered in the order deleted, with its feed and the topics it was in', async () => {
    await withStore(async (store) => {
      for (const slug of ['nato', 'gas']) await store.putTopic({ slug, title: slug, query: slug, origin: 'api', pinned: false }, NOW);
      await store.putTopic({ slug: 'kept', title: 'Kept', query: 'kept', origin: 'api', pinned: true }, NOW);
      const a = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      const b = await store.addFeed({ url: 'https://b.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(a.id, save([toSave(item('a-1'), 'v1', null, ['nato']), toSave(item('a-2'), 'v1', null, ['gas']),
        toSave(item('a-3')), toSave(item('a-4'), 'v1', null, ['kept'])]));
      await store.saveFetchResult(b.id, save([toSave(item('b-1'), 'v1', null, ['nato', 'gas'])]));
      expect(await store.newestDeletionId()).toBe(0);
      expect(await deletedAfter(store, 0)).toEqual({ known: true, prunedThrough: 0, deletions: [], nextAfterDeletion: 0, more: false });

      await store.deleteFeed(b.id);
      const expired = await store.expireItems(new Date(NOW.getTime() + 86_400_000));
      // The pinned topic's item is kept, and nothing is logged for it.
      expect(expired).toBe(3);
      expect(await store.newestDeletionId()).toBe(4);
      const all = await deletedAfter(store, 0);
      expect(all.deletions.map((d) => [d.deletionId, d.itemId, d.feedId])).toEqual([[1, 5, b.id], [2, 1, a.id], [3, 2, a.id], [4, 3, a.id]]);
      expect(all).toMatchObject({ known: true, prunedThrough: 0, nextAfterDeletion: 4, more: false });
      expect(Date.parse(all.deletions[0]!.deletedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(itemIdsOf(await deletedAfter(store, 0, { topicSlug: 'nato' }))).toEqual([5, 1]);
      expect(itemIdsOf(await deletedAfter(store, 0, { topicSlug: 'gas' }))).toEqual([5, 2]);
      expect(itemIdsOf(await deletedAfter(store, 0, { topicSlug: 'kept' }))).toEqual([]);
      expect(itemIdsOf(await deletedAfter(store, 0, { feedId: a.id }))).toEqual([1, 2, 3]);
      expect(itemIdsOf(await deletedAfter(store, 0, { topicSlug: 'nato', feedId: a.id }))).toEqual([1]);

      // A full page goes on from its last deletion; past the numbers it may look at, a page ends short.
      const first = await deletedAfter(store, 0, { limit: 3 });
      expect(first).toMatchObject({ nextAfterDeletion: 3, more: true });
      expect(itemIdsOf(await deletedAfter(store, first.nextAfterDeletion, { limit: 3 }))).toEqual([3]);
      const bounded = await deletedAfter(store, 0, { topicSlug: 'gas', examineAtMost: 2 });
      expect(bounded).toMatchObject({ deletions: [{ itemId: 5 }], nextAfterDeletion: 2, more: true });
      // Past every number given: from another database, or from before a restore.
      expect((await deletedAfter(store, 5)).known).toBe(false);
    });
  });

  it('forgets the deletions older than the days kept from the log\'s oldest end, and tells a follower whose mark is older that it missed some', async () => {
    await withStore(async (store) => {
      const feed = await store.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await store.saveFetchResult(feed.id, save(['a', 'b', 'c', 'd'].map((identity) => toSave(item(identity)))));
      for (const id of [1, 2, 3]) store.db.prepare('DELETE FROM items WHERE id = ?').run(id);
      const setDeletedAt = store.db.prepare('UPDATE item_deletions SET deleted_at = ? WHERE deletion_id = ?');
      const longAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
      // The second was deleted just now; the third is dated long ago again (a clock set back).
      setDeletedAt.run(longAgo, 1);
      setDeletedAt.run(longAgo, 3);
      expect(await store.pruneDeletions(30)).toBe(1);
      expect(await deletedAfter(store, 0)).toEqual({ known: true, prunedThrough: 1, deletions: [], nextAfterDeletion: 0, more: true });
      const kept = await deletedAfter(store, 1);
      expect(kept.deletions.map((d) => d.deletionId)).toEqual([2, 3]);
      expect(kept.prunedThrough).toBe(1);

      expect(await store.pruneDeletions(32)).toBe(0);
      setDeletedAt.run(longAgo, 2);
      expect(await store.pruneDeletions(30)).toBe(2);
      expect(await deletedAfter(store, 2)).toMatchObject({ known: true, prunedThrough: 3, deletions: [] });
      expect(await deletedAfter(store, 3)).toEqual({ known: true, prunedThrough: 3, deletions: [], nextAfterDeletion: 3, more: false });
      // The log emptied, its numbers go on.
      store.db.prepare('DELETE FROM items WHERE id = 4').run();
      expect((await deletedAfter(store, 3)).deletions.map((d) => [d.deletionId, d.itemId])).toEqual([[4, 4]]);
      expect(await store.pruneDeletions(30)).toBe(0);
      // More than a transaction prunes: the batches go on until none is left that old.
      store.db.prepare(`WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
        INSERT INTO item_deletions (item_id, feed_id, deleted_at) SELECT 1000 + i, 1, ? FROM n`).run(longAgo);
      setDeletedAt.run(longAgo, 4);
      expect(await store.pruneDeletions(30)).toBe(12_001);
      expect(await store.newestDeletionId()).toBe(12_004);
      expect(await deletedAfter(store, 12_004)).toEqual({ known: true, prunedThrough: 12_004, deletions: [], nextAfterDeletion: 12_004, more: false });
    });
  });

  it('a follower of the history a backup was copied from goes on from the backup\'s last deletion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedsieve-store-'));
    const live = openStore(join(dir, 'live.db'));
    let restored: Store | null = null;
    try {
      const feed = await live.addFeed({ url: 'https://a.example/', title: null, origin: 'api' }, NOW);
      await live.saveFetchResult(feed.id, save(['a', 'b', 'c'].map((identity) => toSave(item(identity)))));
      live.db.prepare('DELETE FROM items WHERE id = 1').run();
      await live.backupTo(join(dir, 'backup.db'));
      live.db.prepare('DELETE FROM items WHERE id IN (2, 3)').run();
      expect(await live.newestDeletionId()).toBe(3);
      restored = openStore(join(dir, 'backup.db'));
      expect(await restored.markInThisHistory(await live.databaseId(), 3, 'deletion')).toBe(1);
      expect(await restored.markInThisHistory(await live.databaseId(), 3, 'item')).toBe(3);
    } finally {
      await restored?.close();
      await live.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('0026 logs the deletions made from then on, and leaves the histories remembered before it sharing none', () => {
    migratingTo(26, (db) => db.exec(`${FEED_AND_TWO_TOPICS} ${itemsAt('2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z')}
      INSERT INTO item_topics (item_id, sort_at, topic_ids, terms) VALUES (1, '2026-11-01T10:00:00.000Z', ',1,2,', '{"1":["t"],"2":["t"]}');
      INSERT INTO earlier_histories (id, items_through, edits_through) VALUES ('${'a'.repeat(32)}', 2, 0);`), (db) => {
      expect(db.prepare('SELECT deletions_through FROM earlier_histories').pluck().all()).toEqual([0]);
      db.prepare('DELETE FROM items').run();
      expect(db.prepare('SELECT deletion_id, item_id, feed_id, topic_ids FROM item_deletions').raw().all()).toEqual([[1, 1, 1, ',1,2,'], [2, 2, 1, null]]);
    });
  });
});
