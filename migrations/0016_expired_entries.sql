-- Retention deletes items first stored long ago. A feed can still carry such an entry (a podcast's
-- episodes, a quiet blog's last posts): stored again at the next fetch, it came back as a new item,
-- in every topic feed it matches, under a new id. So each feed's last document names its entries,
-- and an item deleted while its feed still carries it leaves its identity behind, which the feed's
-- later fetches skip as stored. Once the feed no longer carries the entry, that goes too.
CREATE TABLE feed_entries (
  feed_id    INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
  identities TEXT NOT NULL                      -- JSON array: the entries of the feed's last document read
);

CREATE TABLE expired_entries (
  feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  identity     TEXT NOT NULL,
  content_hash TEXT NOT NULL,                   -- as stored: an unchanged entry is skipped unread
  markup_hash  TEXT,
  PRIMARY KEY (feed_id, identity)
) WITHOUT ROWID;
