import type { StoredItem, TopicRecord } from '../model.js';
import type { Db } from './db.js';
import { ITEM_COLUMNS, type ItemRow, toStoredItem } from './rows.js';

export interface TopicSummary extends TopicRecord {
  itemCount: number;
  recentItemCount: number;
}

export interface TopicMatchRow {
  itemId: number;
  sortAt: string;
  terms: string[];
}

type TopicRow = { slug: string; title: string; query: string; origin: 'config' | 'api'; pinned: number };

const toTopic = (row: TopicRow): TopicRecord => ({ ...row, pinned: row.pinned === 1 });

export function createTopicQueries(db: Db) {
  // Filed entries are counted in their topic's range of topic_feed; unfiled ones (a few batches at
  // most) in one pass over the end of topic_matches.
  const all = db.prepare(`WITH unfiled AS (
      SELECT topic_id, count(*) AS n, sum(sort_at >= @recent) AS recent FROM topic_matches
      WHERE item_id > (SELECT through_item FROM topic_feed_filed) GROUP BY topic_id)
    SELECT t.slug, t.title, t.query, t.origin, t.pinned,
      (SELECT count(*) FROM topic_feed e WHERE e.topic_id = t.id) + coalesce(u.n, 0) AS item_count,
      (SELECT count(*) FROM topic_feed e WHERE e.topic_id = t.id AND e.sort_at >= @recent) + coalesce(u.recent, 0) AS recent_count
    FROM topics t LEFT JOIN unfiled u ON u.topic_id = t.id ORDER BY t.slug`);
  const definitions = db.prepare(`SELECT slug, query FROM topics ORDER BY slug`);
  const bySlug = db.prepare(`SELECT slug, title, query, origin, pinned FROM topics WHERE slug = ?`);
  const upsert = db.prepare(`INSERT INTO topics (slug, title, query, origin, pinned, created_at, updated_at)
      VALUES (@slug, @title, @query, @origin, @pinned, @now, @now)
    ON CONFLICT (slug) DO UPDATE SET title = excluded.title, query = excluded.query, origin = excluded.origin,
      pinned = excluded.pinned, updated_at = excluded.updated_at`);
  const remove = db.prepare(`DELETE FROM topics WHERE slug = ?`);
  const configTopics = db.prepare(`SELECT slug FROM topics WHERE origin = 'config'`);
  // topic_matches is keyed by item: a topic's matches are found through its feed entries, filed or not.
  const clearFiled = db.prepare(`DELETE FROM topic_matches WHERE topic_id = @topicId
    AND item_id IN (SELECT item_id FROM topic_feed WHERE topic_id = @topicId)`);
  const clearUnfiled = db.prepare(`DELETE FROM topic_matches WHERE topic_id = @topicId
    AND item_id > (SELECT through_item FROM topic_feed_filed)`);
  const topicId = db.prepare(`SELECT id FROM topics WHERE slug = ?`).pluck();
  // A match already there is deleted, not replaced: REPLACE would skip the trigger that takes it
  // out of the topic's feed, which keeps the old time.
  const dropMatch = db.prepare(`DELETE FROM topic_matches WHERE item_id = @itemId AND topic_id = @topicId`);
  const insertMatch = db.prepare(`INSERT INTO topic_matches (topic_id, item_id, sort_at, terms)
    VALUES (@topicId, @itemId, @sortAt, @terms)`);
  // Matches of items past the filing mark are filed with their batch.
  const fileMatch = db.prepare(`INSERT INTO topic_feed (topic_id, sort_at, item_id)
    SELECT @topicId, @sortAt, @itemId WHERE @itemId <= (SELECT through_item FROM topic_feed_filed)`);
  const itemBatch = db.prepare(`SELECT ${ITEM_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.id > ? ORDER BY i.id LIMIT ?`).raw(true);
  const itemCount = db.prepare(`SELECT count(*) AS n FROM items`);

  const get = (slug: string): TopicRecord | null => {
    const row = bySlug.get(slug) as TopicRow | undefined;
    return row ? toTopic(row) : null;
  };

  const put = (topic: TopicRecord, now: Date): { created: boolean; queryChanged: boolean } => {
    const before = get(topic.slug);
    upsert.run({ ...topic, pinned: topic.pinned ? 1 : 0, now: now.toISOString() });
    return { created: before === null, queryChanged: before === null || before.query !== topic.query };
  };

  return {
    async listTopics(now: Date, recentDays = 7): Promise<TopicSummary[]> {
      const recent = new Date(now.getTime() - recentDays * 86_400_000).toISOString();
      type Row = TopicRow & { item_count: number; recent_count: number };
      return (all.all({ recent }) as Row[]).map((row) => ({
        ...toTopic(row), itemCount: row.item_count, recentItemCount: row.recent_count,
      }));
    },
    /** Every topic's slug and query, without the counts listTopics adds (a scan of the matches). */
    async topicDefinitions(): Promise<{ slug: string; query: string }[]> {
      return definitions.all() as { slug: string; query: string }[];
    },
    async getTopic(slug: string): Promise<TopicRecord | null> {
      return get(slug);
    },
    /** Creates or edits a topic; says whether its matches must be (re)computed. */
    async putTopic(topic: TopicRecord, now: Date): Promise<{ created: boolean; queryChanged: boolean }> {
      return put(topic, now);
    },
    async deleteTopic(slug: string): Promise<boolean> {
      return remove.run(slug).changes > 0;
    },
    /** Mirrors the config's topics; returns the slugs whose matches must be (re)computed. */
    async syncConfigTopics(topics: Omit<TopicRecord, 'origin'>[], now: Date): Promise<string[]> {
      return db.transaction(() => {
        const wanted = new Set(topics.map((t) => t.slug));
        for (const { slug } of configTopics.all() as { slug: string }[]) if (!wanted.has(slug)) remove.run(slug);
        const stale: string[] = [];
        for (const topic of topics) {
          const existing = get(topic.slug);
          // A topic created over the API keeps its definition; the config does not silently take it over.
          if (existing && existing.origin === 'api') continue;
          if (put({ ...topic, origin: 'config' }, now).queryChanged) stale.push(topic.slug);
        }
        return stale;
      })();
    },
    async countItems(): Promise<number> {
      return (itemCount.get() as { n: number }).n;
    },
    /** Stored items in id order, for backfilling a topic in batches. */
    async itemsAfter(afterId: number, limit: number): Promise<StoredItem[]> {
      return (itemBatch.all(afterId, limit) as ItemRow[]).map(toStoredItem);
    },
    async clearTopicMatches(slug: string): Promise<void> {
      db.transaction(() => {
        const id = topicId.get(slug) as number | undefined;
        if (id === undefined) return;
        clearFiled.run({ topicId: id });
        clearUnfiled.run({ topicId: id });
      })();
    },
    async addTopicMatches(slug: string, matches: TopicMatchRow[]): Promise<void> {
      db.transaction(() => {
        const id = topicId.get(slug) as number | undefined;
        if (id === undefined) return;
        for (const m of matches) {
          dropMatch.run({ topicId: id, itemId: m.itemId });
          insertMatch.run({ topicId: id, itemId: m.itemId, sortAt: m.sortAt, terms: JSON.stringify(m.terms) });
          fileMatch.run({ topicId: id, itemId: m.itemId, sortAt: m.sortAt });
        }
      })();
    },
  };
}
