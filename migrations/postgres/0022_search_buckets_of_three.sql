-- SQLite's substring index now places members by three sort-key characters (see
-- migrations/sqlite/0022_search_buckets_of_three.sql). PostgreSQL's trigram index has no
-- such placement.
SELECT 1;
