// Item ids are given in the order items are stored and never twice (migrations/0014_item_ids_not_reused.sql).

/** SQL for the largest id ever given to an item: the newest's, or the last one deleted. */
export const LARGEST_ITEM_ID_GIVEN = `max(coalesce((SELECT max(id) FROM items), 0), (SELECT last_deleted FROM item_ids))`;
