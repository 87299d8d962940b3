-- When a feed a callback did not take is to be sent again (server.hub.retrySeconds, backing off):
-- kept with the subscription so that a restart makes the delivery when it was due, instead of
-- leaving the subscriber without the feed until its next change. Null when none is pending.
ALTER TABLE hub_subscriptions ADD COLUMN retry_at TEXT;
