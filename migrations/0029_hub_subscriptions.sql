-- The service as a WebSub hub for its own feeds (server.hub): a reader's server subscribes a
-- callback to a topic feed's URL, and is sent the feed each time an ingest pass changes it, instead
-- of polling. A row is kept once the callback confirmed the subscription (the hub's verification of
-- intent), until its lease ends or the subscriber unsubscribes. secret: the key the content sent is
-- signed with (X-Hub-Signature), the subscriber's own; null for none. failures: deliveries in a row
-- the callback did not take.
CREATE TABLE hub_subscriptions (
  id               INTEGER PRIMARY KEY,
  topic            TEXT NOT NULL,
  callback         TEXT NOT NULL,
  secret           TEXT,
  lease_expires_at TEXT NOT NULL,
  subscribed_at    TEXT NOT NULL,
  delivered_at     TEXT,
  failures         INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  UNIQUE (topic, callback)
);

CREATE INDEX hub_subscriptions_lease ON hub_subscriptions (lease_expires_at);
