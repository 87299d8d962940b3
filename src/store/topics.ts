import type { StoredItem, TopicRecord } from '../model.js';
import { type Db, writeTransaction } from './db.js';
import { matchesTopic } from './item-topics.js';
import { ITEM_COLUMNS, type ItemRow, toStoredItem } from './rows.js';

export interface TopicSummary extends TopicRecord {
  itemCount: number;
  recentItemCount: number;
}

/** What a topic's matches are made under (topicMatching). */
export interface TopicMatching {
  matchedAs: string;
  rematching: boolean;
}

/** How far a backfill's batch came, under which query and run (topicBackfill). */
export interface BackfillReach {
  through: number;
  query: string;
  run?: number;
}

export interface TopicMatchRow {
  itemId: number;
  sortAt: string;
  terms: string[];
}

type TopicRow = { slug: string; title: string; query: string; origin: 'config' | 'api'; pinned: number };

// Field by field: a row of listTopics carries its counts' columns too, which are not the topic's.
const toTopic = (row: TopicRow): TopicRecord => ({ slug: row.slug, title: row.title, query: row.query, origin: row.origin, pinned: row.pinned === 1 });

export function createTopicQueries(db: Db) {
  // Filed entries are counted in their topic's range of topic_feed; unfiled ones (a few batches at
  // most) in one pass over the end of item_topics.
  // Counting takes every filed entry of the topics counted: ~70 ms for all 1,000 topics over
  // 1,000,000 items, so one topic is counted alone.
  const summaries = (which: string) => db.prepare(`WITH unfiled AS (
      SELECT CAST(j.key AS INTEGER) AS topic_id, count(*) AS n, sum(m.sort_at >= @recent) AS recent
      FROM item_topics m, json_each(m.terms) j
      WHERE m.item_id > (SELECT through_item FROM topic_feed_filed) GROUP BY 1)
    SELECT t.slug, t.title, t.query, t.origin, t.pinned,
      (SELECT count(*) FROM topic_feed e WHERE e.topic_id = t.id) + coalesce(u.n, 0) AS item_count,
      (SELECT count(*) FROM topic_feed e WHERE e.topic_id = t.id AND e.sort_at >= @recent) + coalesce(u.recent, 0) AS recent_count
    FROM topics t LEFT JOIN unfiled u ON u.topic_id = t.id ${which} ORDER BY t.slug`);
  const all = summaries('');
  const one = summaries('WHERE t.slug = @slug');
  const records = db.prepare(`SELECT slug, title, query, origin, pinned FROM topics ORDER BY slug`);
  const definitions = db.prepare(`SELECT slug, query FROM topics ORDER BY slug`);
  const bySlug = db.prepare(`SELECT slug, title, query, origin, pinned FROM topics WHERE slug = ?`);
  // A new query is to be matched from the start, in the same transaction as it is stored
  // (migrations/0015_topic_backfill_mark.sql).
  // A new topic's id is past every id ever given (migrations/0021_topic_ids_not_reused.sql).
  const upsert = db.prepare(`INSERT INTO topics (id, slug, title, query, origin, pinned, created_at, updated_at, backfilled_through)
      VALUES (max(coalesce((SELECT max(id) FROM topics), 0), (SELECT last_deleted FROM topic_ids)) + 1,
        @slug, @title, @query, @origin, @pinned, @now, @now, 0)
    ON CONFLICT (slug) DO UPDATE SET title = excluded.title, query = excluded.query, origin = excluded.origin,
      pinned = excluded.pinned, updated_at = excluded.updated_at,
      backfilled_through = CASE WHEN excluded.query IS topics.query THEN topics.backfilled_through ELSE 0 END,
      backfill_run = CASE WHEN excluded.query IS topics.query THEN topics.backfill_run ELSE topics.backfill_run + 1 END`);
  const backfillMark = db.prepare(`SELECT backfilled_through FROM topics WHERE slug = ?`).pluck();
  const backfillState = db.prepare(`SELECT query, backfilled_through AS mark, backfill_run AS run FROM topics WHERE slug = ?`);
  const matchingOf = db.prepare(`SELECT id, backfill_run, backfilled_through IS NOT NULL FROM topics WHERE slug = ?`).raw(true);
  // Only while the topic still has the query the backfill matches, in the run it began in
  // (migrations/0018_feed_title_rematch.sql): a backfill that an edit or a restart overtook
  // writes nothing more, and the backfill that overtook it starts again from 0.
  const runIs = `(@run IS NULL OR backfill_run = @run)`;
  const markBackfill = db.prepare(`UPDATE topics SET backfilled_through = @through WHERE slug = @slug AND query = @query AND ${runIs}`);
  const restartBackfill = db.prepare(`UPDATE topics SET backfilled_through = 0 WHERE slug = ?`);
  const finishBackfill = db.prepare(`UPDATE topics SET backfilled_through = NULL WHERE slug = @slug AND query = @query AND ${runIs}`);
  const pendingBackfills = db.prepare(`SELECT slug, query FROM topics WHERE backfilled_through IS NOT NULL ORDER BY slug`);
  // Its trigger lists the id for its matches to be taken out (deletedTopicIds).
  const remove = db.prepare(`DELETE FROM topics WHERE slug = ?`);
  const deletedIds = db.prepare(`SELECT topic_id FROM topics_deleted ORDER BY topic_id`).pluck();
  const forgetDeleted = db.prepare(`DELETE FROM topics_deleted WHERE topic_id = ?`);
  const configTopics = db.prepare(`SELECT slug FROM topics WHERE origin = 'config'`);
  // The topic's id: better-sqlite3 binds a number as a REAL, which would join text as "12.0".
  const TOPIC = 'CAST(@topicId AS INTEGER)';
  // item_topics is keyed by item: a topic's matches are found through its feed entries, filed or
  // not. Taken out of each row that holds them, and then out of the topic's feed; a row left with
  // no topic goes (it holds nothing the unfiling trigger would act on).
  const filedOrUnfiled = `(item_id IN (SELECT item_id FROM topic_feed WHERE topic_id = ${TOPIC})
    OR (item_id > (SELECT through_item FROM topic_feed_filed) AND ${matchesTopic('item_topics', TOPIC)}))`;
  // A row's two lists without the topic (migrations/0011_item_topics.sql).
  const withoutTopic = `topic_ids = replace(topic_ids, ',' || ${TOPIC} || ',', ','), terms = json_remove(terms, '$."' || ${TOPIC} || '"')`;
  const unmatch = db.prepare(`UPDATE item_topics SET ${withoutTopic} WHERE ${filedOrUnfiled}`);
  // Run after unmatch, when the rows no longer name the topic: past the mark, every empty row goes.
  const dropEmpty = db.prepare(`DELETE FROM item_topics WHERE topic_ids = ','
    AND (item_id IN (SELECT item_id FROM topic_feed WHERE topic_id = ${TOPIC}) OR item_id > (SELECT through_item FROM topic_feed_filed))`);
  const unfile = db.prepare(`DELETE FROM topic_feed WHERE topic_id = ${TOPIC}`);
  const filedBatch = db.prepare(`SELECT sort_at AS sortAt, item_id AS itemId FROM topic_feed WHERE topic_id = ${TOPIC} LIMIT @limit`);
  const unmatchItem = db.prepare(`UPDATE item_topics SET ${withoutTopic} WHERE item_id = @itemId`);
  const dropEmptyItem = db.prepare(`DELETE FROM item_topics WHERE item_id = @itemId AND topic_ids = ','`);
  const unfileItem = db.prepare(`DELETE FROM topic_feed WHERE topic_id = ${TOPIC} AND sort_at = @sortAt AND item_id = @itemId`);
  const topicId = db.prepare(`SELECT id FROM topics WHERE slug = ?`).pluck();
  // A topic's id and terms join the item's row, or start one under the given time; a match
  // already there has its terms replaced.
  const addMatch = db.prepare(`INSERT INTO item_topics (item_id, sort_at, topic_ids, terms)
      VALUES (@itemId, @sortAt, ',' || ${TOPIC} || ',', json_object(CAST(${TOPIC} AS TEXT), json(@terms)))
    ON CONFLICT (item_id) DO UPDATE SET
      topic_ids = CASE WHEN ${matchesTopic('item_topics', TOPIC)} THEN topic_ids ELSE topic_ids || ${TOPIC} || ',' END,
      terms = json_set(terms, '$."' || ${TOPIC} || '"', json(@terms))`);
  // Under the time the row holds, which every entry of the item is filed under; matches of items
  // past the filing mark are filed with their batch.
  const fileMatch = db.prepare(`INSERT OR IGNORE INTO topic_feed (topic_id, sort_at, item_id)
    SELECT ${TOPIC}, sort_at, item_id FROM item_topics
    WHERE item_id = @itemId AND item_id <= (SELECT through_item FROM topic_feed_filed)`);
  const itemBatch = db.prepare(`SELECT ${ITEM_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE i.id > ? ORDER BY i.id LIMIT ?`).raw(true);
  const itemCount = db.prepare(`SELECT count(*) AS n FROM items WHERE id > ?`);

  /** Whether the topic still has this query and backfill run: a backfill that began with them goes on. */
  const stillRun = (slug: string, expected: { query: string; run: number }): boolean => {
    const state = backfillState.get(slug) as { query: string; run: number } | undefined;
    return state?.query === expected.query && state.run === expected.run;
  };

  const get = (slug: string): TopicRecord | null => {
    const row = bySlug.get(slug) as TopicRow | undefined;
    return row ? toTopic(row) : null;
  };

  /** Takes every match of the topic of this id out of item_topics and its feed. */
  const dropMatchesOf = (id: number): void => {
    unmatch.run({ topicId: id });
    dropEmpty.run({ topicId: id });
    unfile.run({ topicId: id });
  };

  const dropMatches = (slug: string): void => {
    const id = topicId.get(slug) as number | undefined;
    if (id !== undefined) dropMatchesOf(id);
  };

  /**
   * Takes up to `limit` of the filed entries of topic `id` out, one by one: their rows no longer
   * name it (a row left with none goes; its trigger unfiles the topics its terms still name, which
   * this one's no longer are), and they leave its feed. How many it took.
   */
  const dropFiledBatch = (id: number, limit: number): number => {
    const batch = filedBatch.all({ topicId: id, limit }) as { sortAt: string; itemId: number }[];
    for (const { sortAt, itemId } of batch) {
      unmatchItem.run({ topicId: id, itemId });
      dropEmptyItem.run({ itemId });
      unfileItem.run({ topicId: id, sortAt, itemId });
    }
    return batch.length;
  };

  const put = (topic: TopicRecord, now: Date): { created: boolean; queryChanged: boolean } => {
    const before = get(topic.slug);
    upsert.run({ ...topic, pinned: topic.pinned ? 1 : 0, now: now.toISOString() });
    return { created: before === null, queryChanged: before === null || before.query !== topic.query };
  };

  type SummaryRow = TopicRow & { item_count: number; recent_count: number };
  const toSummary = (row: SummaryRow): TopicSummary => ({ ...toTopic(row), itemCount: row.item_count, recentItemCount: row.recent_count });
  const recentSince = (now: Date, recentDays: number) => new Date(now.getTime() - recentDays * 86_400_000).toISOString();

  return {
    /** Every topic with its counts: items in all, and those of the last `recentDays`. */
    async listTopics(now: Date, recentDays = 7): Promise<TopicSummary[]> {
      return (all.all({ recent: recentSince(now, recentDays) }) as SummaryRow[]).map(toSummary);
    },
    /** One topic with its counts, as listTopics gives them; null when no topic has the slug. */
    async topicSummary(slug: string, now: Date, recentDays = 7): Promise<TopicSummary | null> {
      const row = one.get({ slug, recent: recentSince(now, recentDays) }) as SummaryRow | undefined;
      return row ? toSummary(row) : null;
    },
    /** Every topic, without counts. */
    async listTopicRecords(): Promise<TopicRecord[]> {
      return (records.all() as TopicRow[]).map(toTopic);
    },
    /** Every topic's slug and query, without the counts listTopics adds (a scan of the matches). */
    async topicDefinitions(): Promise<{ slug: string; query: string }[]> {
      return definitions.all() as { slug: string; query: string }[];
    },
    async getTopic(slug: string): Promise<TopicRecord | null> {
      return get(slug);
    },
    /**
     * What the topic's matches are made under: a mark that changes whenever every stored item is to
     * be matched again, not one by one as items are stored, edited or deleted (its query edited, a
     * feed its query names renamed, the topic made again under its slug), and whether that matching
     * is under way. Null for no such topic.
     */
    async topicMatching(slug: string): Promise<TopicMatching | null> {
      const row = matchingOf.get(slug) as [number, number, number] | undefined;
      return row ? { matchedAs: `${row[0]}.${row[1]}`, rematching: row[2] === 1 } : null;
    },
    /** Creates or edits a topic; says whether its matches must be (re)computed. */
    async putTopic(topic: TopicRecord, now: Date): Promise<{ created: boolean; queryChanged: boolean }> {
      return put(topic, now);
    },
    /**
     * Deletes the topic at once: it is no longer listed, served or matched. Rows still hold its
     * matches, which no reader looks at without the topic: sweepDeletedTopic takes them out.
     */
    async deleteTopic(slug: string): Promise<boolean> {
      return remove.run(slug).changes > 0;
    },
    /** Ids of deleted topics whose matches are still to be taken out, oldest first. */
    async deletedTopicIds(): Promise<number[]> {
      return deletedIds.all() as number[];
    },
    /**
     * Takes up to `limit` of a deleted topic's filed matches out, in one transaction; the batch
     * that takes fewer also takes the unfiled ones (a few batches' worth at most) and forgets the
     * id. True once none is left.
     */
    async sweepDeletedTopic(id: number, limit: number): Promise<boolean> {
      return writeTransaction(db, () => {
        if (dropFiledBatch(id, limit) === limit) return false;
        dropMatchesOf(id);
        forgetDeleted.run(id);
        return true;
      })();
    },
    /** Mirrors the config's topics; returns the slugs whose matches must be (re)computed. */
    async syncConfigTopics(topics: Omit<TopicRecord, 'origin'>[], now: Date): Promise<string[]> {
      return writeTransaction(db, () => {
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
    /** Items stored, or those past an id. */
    async countItems(afterId = 0): Promise<number> {
      return (itemCount.get(afterId) as { n: number }).n;
    },
    /** Stored items in id order, for backfilling a topic in batches. */
    async itemsAfter(afterId: number, limit: number): Promise<StoredItem[]> {
      return (itemBatch.all(afterId, limit) as ItemRow[]).map(toStoredItem);
    },
    /**
     * Takes up to `limit` of the topic's filed matches out, in one transaction with marking its
     * backfill to start from the first item, only while the topic has the `expected` query and
     * backfill run: how many it took, or null when the topic has changed or is gone. A topic with
     * many matches is cleared a batch at a time, with the thread's other work between batches,
     * before clearTopicMatches takes what is left; a process stopped in between leaves the mark
     * at 0, so the next backfill clears again.
     */
    async dropTopicMatches(slug: string, expected: { query: string; run: number }, limit: number): Promise<number | null> {
      return writeTransaction(db, () => {
        if (!stillRun(slug, expected)) return null;
        restartBackfill.run(slug);
        return dropFiledBatch(topicId.get(slug) as number, limit);
      })();
    },
    /**
     * Takes every match of the topic out; a backfill of it then starts from the first item. Given
     * `expected`, only while the topic has that query and backfill run: false when it has not.
     */
    async clearTopicMatches(slug: string, expected?: { query: string; run: number }): Promise<boolean> {
      return writeTransaction(db, () => {
        if (expected && !stillRun(slug, expected)) return false;
        dropMatches(slug);
        restartBackfill.run(slug);
        return true;
      })();
    },
    /**
     * Adds matches to the topic. Given `reached`, a backfill's batch: its matches are added and the
     * items up to `reached.through` marked matched only if the topic still has `reached.query` (and,
     * given `reached.run`, its backfill is still that run), all in one transaction; false when it
     * does not (an edit or a restart overtook the backfill) or the topic is gone.
     */
    async addTopicMatches(slug: string, matches: TopicMatchRow[], reached?: BackfillReach): Promise<boolean> {
      return writeTransaction(db, () => {
        const id = topicId.get(slug) as number | undefined;
        if (id === undefined) return false;
        if (reached && markBackfill.run({ slug, query: reached.query, through: reached.through, run: reached.run ?? null }).changes === 0) return false;
        for (const m of matches) {
          addMatch.run({ topicId: id, itemId: m.itemId, sortAt: m.sortAt, terms: JSON.stringify(m.terms) });
          fileMatch.run({ topicId: id, itemId: m.itemId });
        }
        return true;
      })();
    },
    /** How far a backfill of the topic has come: null when none is due, 0 when it is to start. */
    async topicBackfillMark(slug: string): Promise<number | null> {
      return (backfillMark.get(slug) as number | null | undefined) ?? null;
    },
    /** The topic's query, backfill mark (as topicBackfillMark) and backfill run; null when no topic has the slug. */
    async topicBackfill(slug: string): Promise<{ query: string; mark: number | null; run: number } | null> {
      return (backfillState.get(slug) as { query: string; mark: number | null; run: number } | undefined) ?? null;
    },
    /** Marks the topic matched against every item, if it still has this query (and, given `run`, that backfill run). */
    async finishTopicBackfill(slug: string, query: string, run?: number): Promise<void> {
      finishBackfill.run({ slug, query, run: run ?? null });
    },
    /** The topics whose query is still to be matched against the stored items, whole or from a mark. */
    async pendingTopicBackfills(): Promise<{ slug: string; query: string }[]> {
      return pendingBackfills.all() as { slug: string; query: string }[];
    },
  };
}
