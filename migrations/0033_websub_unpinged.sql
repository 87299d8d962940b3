-- The service's feeds the hub in server.websubHub has yet to take a publish ping for, kept so
-- that a `feedsieve ingest` run, or a serve that stops, before the hub takes them leaves them to
-- the next ping of any process over the database instead of losing them. `failed_at`: when the
-- last ping that named the feed and failed began; a ping that begins after it tells the hub of
-- every change that one was to tell.
CREATE TABLE websub_unpinged (
  url TEXT PRIMARY KEY,
  failed_at TEXT NOT NULL
) WITHOUT ROWID;
