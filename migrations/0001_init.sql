-- Feeds, items, topics and the materialized item↔topic matches.
-- Timestamps are ISO-8601 UTC strings from Date.toISOString(), so text order is time order.

CREATE TABLE feeds (
  id                   INTEGER PRIMARY KEY,
  url                  TEXT NOT NULL UNIQUE,
  title                TEXT,            -- the operator's title, when given
  source_title         TEXT,            -- the title the feed gives itself
  site_url             TEXT,
  origin               TEXT NOT NULL CHECK (origin IN ('config', 'api')),
  disabled             INTEGER NOT NULL DEFAULT 0,
  etag                 TEXT,
  last_modified        TEXT,
  content_hash         TEXT,            -- sha256 of the last body parsed: an unchanged body skips parsing
  last_fetched_at      TEXT,
  last_status          INTEGER,
  last_error_kind      TEXT,
  last_error_message   TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_fetch_at        TEXT,
  min_interval_minutes INTEGER,         -- the feed's own <ttl> / sy:updatePeriod
  created_at           TEXT NOT NULL
);

CREATE TABLE items (
  id             INTEGER PRIMARY KEY,
  feed_id        INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  identity       TEXT NOT NULL,
  guid           TEXT,
  url            TEXT,
  title          TEXT NOT NULL,
  summary        TEXT NOT NULL,
  content_html   TEXT NOT NULL,
  authors        TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  categories     TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  enclosures     TEXT NOT NULL DEFAULT '[]',   -- JSON array of {url,type,length}
  language       TEXT,
  published_at   TEXT,
  updated_at     TEXT,
  first_seen_at  TEXT NOT NULL,
  sort_at        TEXT NOT NULL,                -- published_at, never later than first_seen_at
  changed_at     TEXT NOT NULL,
  content_hash   TEXT NOT NULL,
  story_id       INTEGER,                      -- id of the story's first item (itself when alone)
  story_signature BLOB,
  UNIQUE (feed_id, identity)
);
CREATE INDEX items_by_time ON items (sort_at DESC, id DESC);
CREATE INDEX items_by_feed_time ON items (feed_id, sort_at DESC, id DESC);
CREATE INDEX items_by_story ON items (story_id);

-- Locality-sensitive buckets: items sharing a band key are candidate copies of one story.
CREATE TABLE story_bands (
  band_key TEXT NOT NULL,
  item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  sort_at  TEXT NOT NULL,
  PRIMARY KEY (band_key, item_id)
) WITHOUT ROWID;
CREATE INDEX story_bands_by_item ON story_bands (item_id);

CREATE TABLE topics (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL UNIQUE,
  title      TEXT NOT NULL,
  query      TEXT NOT NULL,
  origin     TEXT NOT NULL CHECK (origin IN ('config', 'api')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- sort_at is copied from the item so a topic feed is one index range scan.
CREATE TABLE topic_matches (
  topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  sort_at  TEXT NOT NULL,
  terms    TEXT NOT NULL,                      -- JSON array: the words that matched
  PRIMARY KEY (topic_id, item_id)
) WITHOUT ROWID;
CREATE INDEX topic_matches_by_time ON topic_matches (topic_id, sort_at DESC, item_id DESC);
CREATE INDEX topic_matches_by_item ON topic_matches (item_id);
