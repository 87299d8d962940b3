-- A feed's id is a name outside the database too: topic queries name feeds by it (`feed:12`), and
-- programs list a feed's items by it (`/api/items?feed=12`). SQLite gives a new row the largest id
-- plus one, so a feed added after the newest one was deleted took the deleted feed's id, and both
-- went on to another feed without a word. As item ids are (0014_item_ids_not_reused.sql), feed ids
-- are taken past the largest ever deleted.
CREATE TABLE feed_ids (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  last_deleted INTEGER NOT NULL
);

INSERT INTO feed_ids (id, last_deleted) VALUES (1, 0);

CREATE TRIGGER feeds_keep_last_deleted AFTER DELETE ON feeds
  WHEN OLD.id > (SELECT last_deleted FROM feed_ids WHERE id = 1) BEGIN
  UPDATE feed_ids SET last_deleted = OLD.id WHERE id = 1;
END;
