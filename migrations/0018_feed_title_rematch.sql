-- A feed's title is a field topic queries can name (`feed:reuters`), and each item was matched
-- under the title its feed had then. A feed renamed (by its operator, its config file or its own
-- document) kept those matches for good: `feed:reuters` missed every item stored before a feed
-- became "Reuters". matched_title is the title the feed's items were matched under; a feed whose
-- title is no longer that has the topics the change concerns matched again, in the transaction
-- that takes the new title as matched, so a process stopped before then leaves it still to do.
ALTER TABLE feeds ADD COLUMN matched_title TEXT;
UPDATE feeds SET matched_title = coalesce(title, source_title);

-- A backfill that starts again (its topic's query edited, a feed renamed) is a new run: a batch
-- of the run before writes nothing more, whatever the query (migrations/0015_topic_backfill_mark.sql).
ALTER TABLE topics ADD COLUMN backfill_run INTEGER NOT NULL DEFAULT 0;
