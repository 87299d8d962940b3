-- A follower's marks (afterId, afterEdit) hold within one history of the database. A database
-- restored from a backup gives again the ids and edit numbers past the backup's newest, to other
-- items, and once it has given as many as before, a mark from before the restore is no longer past
-- them all: nothing tells the follower, which skips what took the numbers it had passed.
--
-- So each history has an id, which responses carry and followers send back. A copy that
-- `feedsieve backup` writes is marked as one; the first open of it as a database starts a history
-- of its own, and remembers each history it descends from with the last item id and edit number it
-- shares with it, from where a follower of that history goes on.
CREATE TABLE database_history (
  only      INTEGER PRIMARY KEY CHECK (only = 1),
  id        TEXT NOT NULL,
  is_backup INTEGER NOT NULL DEFAULT 0
);

INSERT INTO database_history (only, id) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE earlier_histories (
  id            TEXT PRIMARY KEY,
  items_through INTEGER NOT NULL,
  edits_through INTEGER NOT NULL
) WITHOUT ROWID;
