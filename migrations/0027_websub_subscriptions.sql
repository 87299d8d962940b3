-- WebSub (W3C Recommendation, 2018): a feed that names a hub (a Link header, atom:link rel="hub",
-- a JSON Feed's hubs) is subscribed to there, and the hub calls back each time the feed changes: its
-- new items arrive within seconds of being published, not at the next poll. What the feed's last
-- fetch that read its document named (its Link header first); the topic is its rel="self" link,
-- else the feed's own URL.
ALTER TABLE feeds ADD COLUMN websub_hub TEXT;
ALTER TABLE feeds ADD COLUMN websub_topic TEXT;

-- A subscription asked of a hub. The token is the last segment of the callback URL the hub is
-- given, and the secret the key it signs what it sends with: neither leaves this table but to the
-- hub. feed_id turns NULL when the feed is deleted, and a row is given up (feed_id NULL, mode
-- 'unsubscribe') when its feed stops naming that hub and topic or is disabled: the hub is then
-- asked to unsubscribe, and the row goes once it confirms, or once the lease runs out.
-- next_action_at: when the hub is next asked (subscribe, renew, retry, or unsubscribe).
-- callback_base: the service's address (server.baseUrl) the callback was given under; a service
-- moved to another gives its subscriptions up, to be asked for anew at the new address.
CREATE TABLE websub_subscriptions (
  token            TEXT PRIMARY KEY,
  callback_base    TEXT NOT NULL,
  feed_id          INTEGER UNIQUE REFERENCES feeds (id) ON DELETE SET NULL,
  hub              TEXT NOT NULL,
  topic            TEXT NOT NULL,
  secret           TEXT NOT NULL,
  mode             TEXT NOT NULL CHECK (mode IN ('subscribe', 'unsubscribe')),
  state            TEXT NOT NULL CHECK (state IN ('new', 'requested', 'verified', 'denied', 'failed')),
  requested_at     TEXT,
  verified_at      TEXT,
  lease_expires_at TEXT,
  next_action_at   TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,  -- requests since the hub last confirmed one
  error            TEXT,
  notified_at      TEXT,
  notifications    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX websub_subscriptions_next_action ON websub_subscriptions (next_action_at);
