import type { Db } from './db.js';
import { LARGEST_ITEM_ID_GIVEN, largestNumberGiven } from './item-ids.js';

// What was stored, edited and deleted past a set of marks, for serve's hub: what another process
// wrote to the same database (a `feedsieve ingest` run by hand or by cron), and what came past the
// marks it last sent through while no hub was sending.

/** Where the three item logs stood: the largest item id, edit number and deletion number given. */
export interface ItemMarks {
  item: number;
  edit: number;
  deletion: number;
}

/** The item logs' marks and the data version, read from one snapshot. */
export interface ChangeMarks extends ItemMarks {
  /** PRAGMA data_version: moved by other connections' commits only, never by this one's. */
  version: number;
}

/** The topics whose feeds the items changed past a set of marks showed, or show now. */
export interface ItemChanges {
  /** Their slugs; 'every' when too many items changed to read each one's topics at once. */
  slugs: string[] | 'every';
  /** Whether any item was stored, edited or deleted: the combined feed changed. */
  any: boolean;
}

/**
 * Past this many item ids, edits and deletions in all, every topic is taken as changed: reading a
 * whole first load's topics (50,000 items) would hold a serving thread for a good part of a second.
 */
export const LISTED_AT_MOST = 2_000;

export function createChangeQueries(db: Db) {
  const marks = db.prepare(`SELECT ${LARGEST_ITEM_ID_GIVEN} AS item, ${largestNumberGiven('item_edits')} AS edit,
    ${largestNumberGiven('item_deletions')} AS deletion`);
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  // Both read in one transaction: the data version is the snapshot's, so that no commit can fall
  // between the two and be counted in the marks while the version says it was not seen.
  const readMarks = db.transaction((): ChangeMarks => ({ ...(marks.get() as ItemMarks), version: dataVersion.get() as number }));
  const hubMarks = db.prepare('SELECT item, edit, deletion FROM hub_item_marks');
  const keepHubMarks = db.prepare(`INSERT INTO hub_item_marks (only_row, item, edit, deletion) VALUES (1, @item, @edit, @deletion)
    ON CONFLICT (only_row) DO UPDATE SET item = excluded.item, edit = excluded.edit, deletion = excluded.deletion`);
  // An item's topics as item_topics and the two logs spell them (',3,17,'). An edit counts the
  // topics its item is in now and those it left; a deletion, those its item was in.
  const touchedTopics = db.prepare(`WITH touched (topic_ids) AS (
      SELECT topic_ids FROM item_topics WHERE item_id > @item AND item_id <= @toItem
      UNION ALL SELECT t.topic_ids FROM item_edits e JOIN item_topics t ON t.item_id = e.item_id WHERE e.edit_id > @edit AND e.edit_id <= @toEdit
      UNION ALL SELECT left_topic_ids FROM item_edits WHERE edit_id > @edit AND edit_id <= @toEdit AND left_topic_ids IS NOT NULL
      UNION ALL SELECT topic_ids FROM item_deletions WHERE deletion_id > @deletion AND deletion_id <= @toDeletion AND topic_ids IS NOT NULL)
    SELECT slug FROM topics WHERE id IN (
      SELECT CAST(j.value AS INTEGER) FROM touched, json_each('[' || trim(touched.topic_ids, ',') || ']') j)
    ORDER BY slug`).pluck();

  return {
    /** Where the item logs stand now, and the data version they were read at. */
    async changeMarks(): Promise<ChangeMarks> {
      return readMarks();
    },
    /**
     * The items stored, edited or deleted after the marks `from` and up to the marks `to`: the topics
     * they concern. An item edited again since is read as it is now.
     */
    async itemChangesBetween(from: ItemMarks, to: ItemMarks): Promise<ItemChanges> {
      const past = Math.max(0, to.item - from.item) + Math.max(0, to.edit - from.edit) + Math.max(0, to.deletion - from.deletion);
      if (past === 0) return { slugs: [], any: false };
      if (past > LISTED_AT_MOST) return { slugs: 'every', any: true };
      return { slugs: touchedTopics.all({
        item: from.item, edit: from.edit, deletion: from.deletion, toItem: to.item, toEdit: to.edit, toDeletion: to.deletion,
      }) as string[], any: true };
    },
    /** The marks through which serve's hub has sent every change (migrations/0031_hub_item_marks.sql); null before it kept any. */
    async hubSentThrough(): Promise<ItemMarks | null> {
      return (hubMarks.get() as ItemMarks | undefined) ?? null;
    },
    async keepHubSentThrough(marks: ItemMarks): Promise<void> {
      keepHubMarks.run({ item: marks.item, edit: marks.edit, deletion: marks.deletion });
    },
  };
}
