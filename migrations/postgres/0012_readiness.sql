-- One row that GET /readyz writes (at most once a second per instance) to learn whether
-- the database takes writes right now: a full disk, a read-only database or a lost
-- connection all show there first.

CREATE TABLE readiness (
    id INTEGER PRIMARY KEY NOT NULL,
    checked_at BIGINT NOT NULL
);
