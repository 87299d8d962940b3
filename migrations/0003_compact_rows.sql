-- Items carry kilobytes of content, which SQLite keeps in overflow pages after the row's first
-- bytes: a column stored after content_html costs a walk down that chain to read. Small columns
-- now come first and the content last, so listing, clustering and retention read one page per item.
CREATE TABLE items_new (
  id             INTEGER PRIMARY KEY,
  feed_id        INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  story_id       INTEGER,                      -- id of the story's first item (itself when alone)
  sort_at        TEXT NOT NULL,                -- published_at, never later than first_seen_at
  first_seen_at  TEXT NOT NULL,
  changed_at     TEXT NOT NULL,
  published_at   TEXT,
  updated_at     TEXT,
  content_hash   TEXT NOT NULL,
  identity       TEXT NOT NULL,
  guid           TEXT,
  url            TEXT,
  language       TEXT,
  title          TEXT NOT NULL,
  authors        TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  categories     TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  enclosures     TEXT NOT NULL DEFAULT '[]',   -- JSON array of {url,type,length}
  summary        TEXT NOT NULL,
  content_html   TEXT NOT NULL,
  UNIQUE (feed_id, identity)
);

-- What clustering needs of an item, apart from the item: its fingerprint and band keys, read by
-- sort time when the store loads a day of keys into memory (stories/band-index.ts).
CREATE TABLE story_members (
  item_id   INTEGER PRIMARY KEY REFERENCES items_new (id) ON DELETE CASCADE,
  feed_id   INTEGER NOT NULL,
  sort_at   TEXT NOT NULL,
  story_id  INTEGER NOT NULL,
  signature BLOB NOT NULL,
  band_keys BLOB NOT NULL                      -- 32-bit keys, little-endian
);

INSERT INTO items_new (id, feed_id, story_id, sort_at, first_seen_at, changed_at, published_at, updated_at,
    content_hash, identity, guid, url, language, title, authors, categories, enclosures, summary, content_html)
  SELECT id, feed_id, story_id, sort_at, first_seen_at, changed_at, published_at, updated_at,
    content_hash, identity, guid, url, language, title, authors, categories, enclosures, summary, content_html
  FROM items;
-- Band keys cannot be recomputed in SQL (they hash a MinHash the table does not keep), so items
-- stored before this migration are no longer candidates: only stories within the 48-hour window
-- around the upgrade lose their clustering.
INSERT INTO story_members (item_id, feed_id, sort_at, story_id, signature, band_keys)
  SELECT id, feed_id, sort_at, coalesce(story_id, id), story_signature, x'' FROM items WHERE story_signature IS NOT NULL;
CREATE INDEX story_members_by_time ON story_members (sort_at);
DROP TABLE story_bands;

-- Foreign keys are off while migrations run (db.ts), so dropping the old table cascades nothing.
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE INDEX items_by_time ON items (sort_at DESC, id DESC);
CREATE INDEX items_by_feed_time ON items (feed_id, sort_at DESC, id DESC);
CREATE INDEX items_by_story ON items (story_id);
CREATE INDEX items_by_first_seen ON items (first_seen_at);
