-- Topic feeds read their entries from a table of their own, keyed by topic and time, filled in
-- batches. The index topic_matches_by_time kept each topic's entries in its own region, so a
-- commit of one feed's 50 new items, matching 9 topics each, wrote a page in hundreds of regions:
-- 460 of the 720 pages of a commit at 1,000 topics. Filed a thousand items at a time, a topic's
-- new entries share a page. Matches of the items past the filing mark are read from topic_matches
-- (item-major, so they sit together at its end) until they are filed.
CREATE TABLE topic_feed (
  topic_id INTEGER NOT NULL,
  sort_at  TEXT NOT NULL,
  item_id  INTEGER NOT NULL,
  PRIMARY KEY (topic_id, sort_at DESC, item_id DESC)
) WITHOUT ROWID;

-- One row: every match of an item with an id up to through_item is in topic_feed.
CREATE TABLE topic_feed_filed (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  through_item INTEGER NOT NULL
);

INSERT INTO topic_feed (topic_id, sort_at, item_id) SELECT topic_id, sort_at, item_id FROM topic_matches;
INSERT INTO topic_feed_filed (id, through_item) VALUES (1, (SELECT coalesce(max(id), 0) FROM items));
DROP INDEX topic_matches_by_time;

-- A match leaves its topic's feed with it, however it goes: an edit, a deleted item or topic
-- (cascades fire triggers), retention.
CREATE TRIGGER topic_matches_unfile AFTER DELETE ON topic_matches BEGIN
  DELETE FROM topic_feed WHERE topic_id = OLD.topic_id AND sort_at = OLD.sort_at AND item_id = OLD.item_id;
END;
