// Item ids, edit numbers and deletion numbers are given in the order of the commits that take them,
// and never twice (migrations/0014_item_ids_not_reused.sql, 0023_item_edits.sql, 0026_item_deletions.sql).

/** SQL for the largest id ever given to an item: the newest's, or the last one deleted. */
export const LARGEST_ITEM_ID_GIVEN = `max(coalesce((SELECT max(id) FROM items), 0), (SELECT last_deleted FROM item_ids))`;

/** SQL for the largest number an AUTOINCREMENT log has given: an edit's, or a deletion's. */
export const largestNumberGiven = (log: 'item_edits' | 'item_deletions'): string =>
  `coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${log}'), 0)`;
