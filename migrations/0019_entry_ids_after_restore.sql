-- Readers know an entry by its id (RSS guid, Atom id, JSON Feed id) and never show one they have
-- seen again. Made of the item's row id alone, an id came back for another item once the database
-- was restored from a backup (the ids past the backup's newest are given again, to the items
-- fetched anew, in another order) or started afresh under the same address: readers skipped those
-- items as read and showed others twice. Items stored from now on have ids that also name when
-- they were first stored (syndication/entry.ts); those stored before keep theirs, so that no
-- reader is shown them again. A backup holds this mark with the rest.
ALTER TABLE item_ids ADD COLUMN plain_entry_ids_through INTEGER NOT NULL DEFAULT 0;
UPDATE item_ids SET plain_entry_ids_through = max(coalesce((SELECT max(id) FROM items), 0), last_deleted);
