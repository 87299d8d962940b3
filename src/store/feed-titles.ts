import { type Db, writeTransaction } from './db.js';

/** A feed whose title is no longer the one its items were matched under. */
export interface FeedRename {
  feedId: number;
  from: string | null;
  to: string | null;
}

/** Which topics (by slug) a rename changes the matches of, given every topic's query. */
export type RenameConcerns = (rename: FeedRename, topics: readonly { slug: string; query: string }[]) => string[];

// A feed's title as topics see it: the operator's, else its own (rows.ts, toFeedRecord).
const TITLE = 'coalesce(title, source_title)';

export function createFeedTitleQueries(db: Db) {
  const renamed = db.prepare(`SELECT id AS feedId, matched_title AS "from", ${TITLE} AS "to", item_count AS itemCount
    FROM feeds WHERE matched_title IS NOT ${TITLE} ORDER BY id`);
  const topics = db.prepare(`SELECT slug, query FROM topics ORDER BY slug`);
  // The topic's backfill starts again from 0, as a new run: one under way stops at its next batch.
  const restart = db.prepare(`UPDATE topics SET backfilled_through = 0, backfill_run = backfill_run + 1 WHERE slug = ?`);
  const matchedAs = db.prepare(`UPDATE feeds SET matched_title = @to WHERE id = @feedId`);

  return {
    /**
     * Feeds renamed since their items were matched: each has the topics `concerns` names marked to be
     * matched again from the start (topics.ts, pendingTopicBackfills), and its new title taken as
     * matched, in one transaction (migrations/0018_feed_title_rematch.sql). A feed with no items
     * concerns no topic. Returns each rename with the slugs marked.
     */
    async rematchRenamedFeeds(concerns: RenameConcerns): Promise<(FeedRename & { topics: string[] })[]> {
      return writeTransaction(db, () => {
        const renames = renamed.all() as (FeedRename & { itemCount: number })[];
        if (renames.length === 0) return [];
        const all = topics.all() as { slug: string; query: string }[];
        return renames.map(({ itemCount, ...rename }) => {
          const slugs = itemCount === 0 ? [] : concerns(rename, all);
          for (const slug of slugs) restart.run(slug);
          matchedAs.run(rename);
          return { ...rename, topics: slugs };
        });
      })();
    },
  };
}
