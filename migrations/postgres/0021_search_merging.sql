-- SQLite's substring index stops merging inside writes (see
-- migrations/sqlite/0021_search_merging.sql). PostgreSQL's trigram index needs nothing
-- of the kind.
SELECT 1;
