-- Topic matches keyed by item first. Ingest inserts an item's matches together, and item ids only
-- grow, so new rows land at the end of the table instead of in a thousand places (one per topic);
-- the key also serves lookups by item, so the separate index on item_id goes. Topic feeds still
-- read through topic_matches_by_time.
CREATE TABLE topic_matches_new (
  topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  sort_at  TEXT NOT NULL,
  terms    TEXT NOT NULL,                      -- JSON array: the words that matched
  PRIMARY KEY (item_id, topic_id)
) WITHOUT ROWID;

INSERT INTO topic_matches_new (topic_id, item_id, sort_at, terms)
  SELECT topic_id, item_id, sort_at, terms FROM topic_matches ORDER BY item_id, topic_id;

-- Foreign keys are off while migrations run (db.ts): nothing references topic_matches anyway.
DROP TABLE topic_matches;
ALTER TABLE topic_matches_new RENAME TO topic_matches;
CREATE INDEX topic_matches_by_time ON topic_matches (topic_id, sort_at DESC, item_id DESC);
