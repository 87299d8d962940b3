-- A program that follows what is stored by id (`/api/items?afterId=`) sees an item once, when it is
-- stored; a feed that corrects an article afterwards (a new headline, a changed figure) changes the
-- item in place, under the same id. Each item's latest edit is kept here, numbered in the order
-- edits are made, so a program can follow edits as it follows new items. An item edited again gets
-- a new number and leaves its old one (one row an item); AUTOINCREMENT gives no number twice, not
-- even the newest after its row went, so a follower's mark never names another edit.
CREATE TABLE item_edits (
  edit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id INTEGER NOT NULL UNIQUE REFERENCES items (id) ON DELETE CASCADE
);
