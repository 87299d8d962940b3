-- What a hub's word has been worth for its feed. changes_announced: the changes the feed's fetches
-- found in a row that the hub had announced first (a notification since the fetch before);
-- unannounced_change_at: when a fetch last found one it had not. Polls of a feed whose hub announced
-- its last three changes relax to ingest.websub.trustedPollMinutes; the first change a poll finds
-- unannounced brings the usual polls back.
ALTER TABLE websub_subscriptions ADD COLUMN changes_announced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE websub_subscriptions ADD COLUMN unannounced_change_at TEXT;
