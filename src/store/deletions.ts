import type { Db } from './db.js';
import { largestNumberGiven } from './item-ids.js';
import { matchesTopic } from './item-topics.js';

// Deleted items, logged in the order deleted (migrations/0026_item_deletions.sql), for programs that
// mirror what is stored and must hear of what goes.

/** Where a follower of deletions stands: the items deleted after the deletion `afterDeletion`. */
export interface DeletedAfterFilter {
  afterDeletion: number;
  /** The deletions of the items that were in this topic when deleted. */
  topicSlug?: string | undefined;
  feedId?: number | undefined;
  limit: number;
  /** Deletion numbers past the mark looked at, at most: a filter that few match ends a page early. */
  examineAtMost: number;
}

export interface ItemDeletion {
  /** The deletion's number: items deleted later have larger ones. */
  deletionId: number;
  itemId: number;
  feedId: number;
  deletedAt: string;
}

export interface DeletedAfterPage {
  /** False when afterDeletion is past every deletion this database has numbered (see StoredAfterPage.known). */
  known: boolean;
  /**
   * The last deletion no longer kept. When it is past afterDeletion, the follower has missed the
   * deletions between the two, and the page holds none: it must list the items again.
   */
  prunedThrough: number;
  deletions: ItemDeletion[];
  /** The afterDeletion that goes on from this page: the last deletion shown, or the last number looked at. */
  nextAfterDeletion: number;
  /** Whether deletions past nextAfterDeletion were made when this page was read. */
  more: boolean;
}

/** Deletions pruned at most a transaction, so that ingest and readers wait little. */
const PRUNE_BATCH = 5_000;

export function createDeletionQueries(db: Db) {
  const newestDeletion = db.prepare(`SELECT ${largestNumberGiven('item_deletions')}`).pluck();
  // The log is pruned from its oldest end only, so what is kept runs on from the oldest kept.
  const prunedThrough = db.prepare(`SELECT coalesce((SELECT min(deletion_id) FROM item_deletions) - 1, ${largestNumberGiven('item_deletions')})`)
    .pluck();
  const deletedAfter = db.prepare(`SELECT d.deletion_id, d.item_id, d.feed_id, d.deleted_at FROM item_deletions d
    WHERE d.deletion_id > @afterDeletion AND d.deletion_id <= @upTo AND (@feedId IS NULL OR d.feed_id = @feedId)
    ORDER BY d.deletion_id
    LIMIT @limit`).raw(true);
  const deletedAfterInTopic = db.prepare(`SELECT d.deletion_id, d.item_id, d.feed_id, d.deleted_at FROM topics t
      JOIN item_deletions d ON ${matchesTopic('d', 't.id')}
    WHERE t.slug = @topicSlug AND d.deletion_id > @afterDeletion AND d.deletion_id <= @upTo
      AND (@feedId IS NULL OR d.feed_id = @feedId)
    ORDER BY d.deletion_id
    LIMIT @limit`).raw(true);
  // The log's oldest rows, up to the first one kept: by number, which is the order they were
  // written in, so a clock set back never leaves a gap in what is kept. Aged by the database's
  // clock, which wrote deleted_at.
  const pruneBatch = db.prepare(`WITH cutoff (at) AS (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || @days || ' days'))
    DELETE FROM item_deletions WHERE deletion_id IN (SELECT deletion_id FROM item_deletions ORDER BY deletion_id LIMIT @batch)
      AND deletion_id < coalesce((SELECT deletion_id FROM item_deletions, cutoff WHERE deleted_at >= cutoff.at ORDER BY deletion_id LIMIT 1), @all)`);

  // In one read transaction: the log's ends and the page from one snapshot, so that a prune
  // between them cannot take rows from a page that found the mark kept.
  const readDeletedAfter = db.transaction((filter: DeletedAfterFilter): DeletedAfterPage => {
    const newest = newestDeletion.get() as number;
    const pruned = prunedThrough.get() as number;
    if (filter.afterDeletion > newest) return { known: false, prunedThrough: pruned, deletions: [], nextAfterDeletion: filter.afterDeletion, more: false };
    if (filter.afterDeletion < pruned) return { known: true, prunedThrough: pruned, deletions: [], nextAfterDeletion: filter.afterDeletion, more: true };
    const upTo = Math.min(newest, filter.afterDeletion + filter.examineAtMost);
    const params = { afterDeletion: filter.afterDeletion, upTo, feedId: filter.feedId ?? null, topicSlug: filter.topicSlug ?? null, limit: filter.limit };
    const rows = (filter.topicSlug !== undefined ? deletedAfterInTopic : deletedAfter).all(params) as [number, number, number, string][];
    const deletions = rows.map(([deletionId, itemId, feedId, deletedAt]): ItemDeletion => ({ deletionId, itemId, feedId, deletedAt }));
    const last = deletions[deletions.length - 1];
    const nextAfterDeletion = deletions.length === filter.limit && last ? last.deletionId : Math.max(filter.afterDeletion, upTo);
    return { known: true, prunedThrough: pruned, deletions, nextAfterDeletion, more: nextAfterDeletion < newest };
  });

  return {
    /** The number of the latest deletion: items deleted later have larger numbers. */
    async newestDeletionId(): Promise<number> {
      return newestDeletion.get() as number;
    },
    /** A page of the items deleted after the deletion filter.afterDeletion, in the order deleted (see DeletedAfterFilter). */
    async listItemsDeletedAfter(filter: DeletedAfterFilter): Promise<DeletedAfterPage> {
      return readDeletedAfter(filter);
    },
    /**
     * Forgets the deletions made more than `days` ago, oldest first, a batch a transaction;
     * retention calls it with its own age, so the log is kept as long as items are.
     */
    async pruneDeletions(days: number): Promise<number> {
      let pruned = 0;
      for (;;) {
        const changes = pruneBatch.run({ days, batch: PRUNE_BATCH, all: Number.MAX_SAFE_INTEGER }).changes;
        pruned += changes;
        if (changes < PRUNE_BATCH) return pruned;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
