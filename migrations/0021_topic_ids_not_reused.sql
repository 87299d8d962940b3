-- A deleted topic's matches were taken out of item_topics and topic_feed in the transaction that
-- deleted it: ~27,500 of them took 3.5 s at 1,000,000 items, every other request waiting. The
-- topic's row now goes at once and its matches a batch at a time after (store/topics.ts), from
-- the ids this table lists. Until then rows still name the id, so a new topic must never be given
-- it: as feed ids are (0020_feed_ids_not_reused.sql), topic ids are taken past the largest ever
-- deleted.
CREATE TABLE topic_ids (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  last_deleted INTEGER NOT NULL
);

INSERT INTO topic_ids (id, last_deleted) VALUES (1, 0);

-- Deleted topics whose matches some rows may still hold.
CREATE TABLE topics_deleted (
  topic_id INTEGER PRIMARY KEY
);

CREATE TRIGGER topics_keep_deleted AFTER DELETE ON topics BEGIN
  UPDATE topic_ids SET last_deleted = OLD.id WHERE id = 1 AND OLD.id > last_deleted;
  INSERT OR IGNORE INTO topics_deleted (topic_id) VALUES (OLD.id);
END;
