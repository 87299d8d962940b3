-- The markup hash of the element an entry was read from (src/ingest/entry-markup.ts): a changed
-- feed's entries that match a stored one's are that entry unchanged, and are not read again.
-- Entries stored before have none: the first fetch that reads one again and finds it unchanged
-- gives it its hash.
ALTER TABLE items ADD COLUMN markup_hash TEXT;
