-- A topic whose query is new or changed is matched against every stored item, in batches that
-- each commit. How far that has come is kept with the topic, in the batch's transaction: a
-- process killed or stopped part way resumes there at its next start, where before the topic kept
-- only the matches of the items reached, for good, since its query no longer read as changed.
-- NULL: nothing to match; 0: to match from the start, the old query's matches to be dropped first;
-- N: matched under the topic's query up to item N.
ALTER TABLE topics ADD COLUMN backfilled_through INTEGER;
