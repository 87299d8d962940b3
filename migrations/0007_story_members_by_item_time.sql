-- A story member's sort time is its item's (both are written together): the days the story
-- index loads are found through items_by_time, and story_members keeps no time index of its
-- own. On a first load, whose entries span days, that index took about 60 of the ~325 pages
-- a feed's commit wrote for 50 entries, one page per entry.
DROP INDEX story_members_by_time;
