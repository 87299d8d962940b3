-- One ingesting process per database: a lease that expires if its holder dies.
CREATE TABLE ingest_lease (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- Retention counts from when an item was first stored, not from its (often old) published date:
-- expiring by published date would delete entries still in their feed, only to store them again.
CREATE INDEX items_by_first_seen ON items (first_seen_at);

-- A pinned topic's items are kept past retention.maxAgeDays.
ALTER TABLE topics ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
