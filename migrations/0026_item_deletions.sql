-- A program that mirrors what is stored (afterId) or edited (afterEdit) hears of every item that
-- comes and every edit, and of no item that goes: retention's, a deleted feed's. Each deleted item
-- is logged here, numbered in the order deleted (AUTOINCREMENT gives no number twice), with its
-- feed and the topics it was in, as item_topics spells them (',3,17,'; NULL when none), so that a
-- follower of a feed or a topic hears of its own (/api/items?afterDeletion=).
--
-- Logged by trigger, before the row goes and its topics with it, so that every way an item is
-- deleted (retention, a feed deleted by the API or left out of the configuration, a cascade)
-- is logged alike. The log is kept as long as items are (retention.maxAgeDays from the deletion,
-- by the database's clock, which writes deleted_at) and pruned from its oldest end only, so the
-- numbers kept follow one another from the oldest kept on.
--
-- The trigger's cost falls on deletes: retention deleting 50,000 items of 200 feeds (a third in two
-- topics, a third in one), in batches of 500, best of five copies, two runs: 25.3-25.6 against
-- 23.5-23.8 us an item without it.
CREATE TABLE item_deletions (
  deletion_id INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id     INTEGER NOT NULL,
  feed_id     INTEGER NOT NULL,
  topic_ids   TEXT,
  deleted_at  TEXT NOT NULL
);

CREATE TRIGGER items_log_deletion BEFORE DELETE ON items BEGIN
  INSERT INTO item_deletions (item_id, feed_id, topic_ids, deleted_at)
    VALUES (OLD.id, OLD.feed_id, (SELECT topic_ids FROM item_topics WHERE item_id = OLD.id), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

-- A follower of a history this one descends from goes on from the last deletion the two share
-- (migrations/0024_database_history.sql). Histories remembered before this migration share none:
-- their followers read the log from its start, and miss nothing.
ALTER TABLE earlier_histories ADD COLUMN deletions_through INTEGER NOT NULL DEFAULT 0;
