-- The operator's interval for a feed ("every 5 minutes"), fetched on it instead of on the interval
-- its own publishing rate and <ttl> give; empty for that adaptive one. Failures still back off.
ALTER TABLE feeds ADD COLUMN interval_minutes INTEGER;
