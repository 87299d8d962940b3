-- Leases, one row each, that expire when their holder dies: 'ingest', one ingest pass at a time
-- over the database; 'hub', the one serve process that sends the WebSub hub's deliveries when
-- several serve the same database. The table held the ingest lease alone until now.
ALTER TABLE ingest_lease RENAME TO leases;
