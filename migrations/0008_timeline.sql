-- The listing of every item by time is read from a table filed in batches, as topic feeds are
-- (0005), instead of the index items_by_time. A first load's entries span days, so that index
-- took a page per entry: 40 of the 117 pages a feed's commit wrote at 1,000 feeds. The filing
-- mark is topic_feed_filed's: every item with an id up to through_item is in the timeline, and
-- the items past it are read from items, by id, until their batch is filed.
CREATE TABLE timeline (
  sort_at TEXT NOT NULL,
  item_id INTEGER NOT NULL,
  PRIMARY KEY (sort_at DESC, item_id DESC)
) WITHOUT ROWID;

INSERT INTO timeline (sort_at, item_id)
  SELECT sort_at, id FROM items WHERE id <= (SELECT through_item FROM topic_feed_filed);
DROP INDEX items_by_time;

-- An item leaves the timeline however it goes: deleted, with its feed (cascades fire triggers), expired.
CREATE TRIGGER timeline_unfile AFTER DELETE ON items BEGIN
  DELETE FROM timeline WHERE sort_at = OLD.sort_at AND item_id = OLD.id;
END;
-- A corrected date moves a filed entry at once; an unfiled one is filed at its new time with its batch.
CREATE TRIGGER timeline_move AFTER UPDATE OF sort_at ON items WHEN NEW.sort_at IS NOT OLD.sort_at BEGIN
  DELETE FROM timeline WHERE sort_at = OLD.sort_at AND item_id = OLD.id;
  INSERT INTO timeline (sort_at, item_id)
    SELECT NEW.sort_at, NEW.id WHERE NEW.id <= (SELECT through_item FROM topic_feed_filed);
END;
