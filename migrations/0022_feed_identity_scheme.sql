-- How a feed's entries are told apart (IdentityScheme in src/model.ts): 0 by guid, 1 by link for a
-- feed that gives one guid to different entries, 2 by link, title and date for one that also gives
-- them one link. A feed moves on when a fetched document shows its scheme failing, and never back:
-- its entries stored under the later scheme would otherwise be read as new ones.
ALTER TABLE feeds ADD COLUMN identity_scheme INTEGER NOT NULL DEFAULT 0 CHECK (identity_scheme IN (0, 1, 2));
