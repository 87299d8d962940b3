-- An item's id tells a follower of /api/items?afterId= what it has seen, so an id is never given
-- twice. SQLite gives a new row the largest id plus one, which, once the newest items are deleted
-- (their feed deleted), is an id a follower has already passed. The save takes ids above the
-- largest ever deleted. The trigger writes its one row only for a deleted id above the last.
CREATE TABLE item_ids (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  last_deleted INTEGER NOT NULL
);

INSERT INTO item_ids (id, last_deleted) VALUES (1, 0);

CREATE TRIGGER items_keep_last_deleted AFTER DELETE ON items
  WHEN OLD.id > (SELECT last_deleted FROM item_ids WHERE id = 1) BEGIN
  UPDATE item_ids SET last_deleted = OLD.id WHERE id = 1;
END;
