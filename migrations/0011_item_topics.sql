-- An item's topic matches in one row instead of a row a matched topic. Ingest wrote ~9 rows an
-- item at 1,000 topics into topic_matches, each a B-tree insert of its own; one row holds them all.
-- Topic feeds are still read from topic_feed (0005), filed from these rows in batches; the few
-- entries past the filing mark are found by the topic's id in topic_ids.
CREATE TABLE item_topics (
  item_id   INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  sort_at   TEXT NOT NULL,             -- the item's: what its entries in topic_feed are filed under
  topic_ids TEXT NOT NULL,             -- ',3,17,912,': each matched topic's id between commas
  terms     TEXT NOT NULL              -- JSON object: each matched topic's id -> the words that matched
);

INSERT INTO item_topics (item_id, sort_at, topic_ids, terms)
  SELECT item_id, min(sort_at), ',' || group_concat(topic_id, ',') || ',', json_group_object(topic_id, json(terms))
  FROM topic_matches GROUP BY item_id;

DROP TRIGGER topic_matches_unfile;
DROP TABLE topic_matches;

-- An item's entries leave its topics' feeds with its matches: an edit, a deleted item (cascades
-- fire triggers), retention. A deleted or redefined topic is taken out of these rows by the store
-- (store/topics.ts), which then empties its feed.
CREATE TRIGGER item_topics_unfile AFTER DELETE ON item_topics BEGIN
  DELETE FROM topic_feed WHERE topic_id IN (SELECT CAST(key AS INTEGER) FROM json_each(OLD.terms))
    AND sort_at = OLD.sort_at AND item_id = OLD.item_id;
END;
