-- The substring index (member_search, FTS5) is merged by the server's tidying task only
-- (store::search_upkeep), not by the writes themselves. With FTS5's automatic merging on,
-- a write that flushed a segment went on with whatever merge was in progress, for up to
-- 64 pages times the number of levels: after the tidying's merges the index has 65
-- levels, so a role change rewrote up to the whole index (15 MB at 100,000 members,
-- about 20 million instructions, 3.7 ms of CPU per change at 50 changes a second).
-- Without it a write only adds its small segment (FTS5 still merges sixteen small ones
-- on one level at once, its 'crisismerge').
INSERT INTO member_search (member_search, rank) VALUES ('automerge', 0);
