-- The Members page and its CSV read each listed member's email and names from accounts,
-- looked up by id: this index holds them, so the lookup can be an index-only scan (see
-- migrations/sqlite/0020_accounts_listed.sql).
CREATE INDEX accounts_listed ON accounts (id) INCLUDE (email, first_name, last_name, display_name);
