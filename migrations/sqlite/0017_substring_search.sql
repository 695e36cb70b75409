-- Search matches any part of a name or an email ("nna" finds Anna, "acme-corp" everyone
-- @acme-corp.example), and deep pages of the list are as quick as the first, at 100,000
-- members. Replaces member_search_terms (word prefixes), which goes.
--
-- memberships.search_text: the display name, the first and last names (each only when the
-- display name does not already contain it) and the email, lower-cased and joined by
-- char(1) so that no match spans two of them. The store keeps it current with sort_name
-- (at join and at every rename), lower-cased in Rust; backfilled here with lower(), which
-- on SQLite lower-cases ASCII only.
ALTER TABLE memberships ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE memberships SET search_text = (
    SELECT lower(a.display_name)
        || CASE WHEN instr(lower(a.display_name), lower(a.first_name)) > 0 THEN ''
                ELSE char(1) || lower(a.first_name) END
        || CASE WHEN instr(lower(a.display_name), lower(a.last_name)) > 0 THEN ''
                ELSE char(1) || lower(a.last_name) END
        || char(1) || lower(a.email)
    FROM accounts a WHERE a.id = memberships.account_id
);

-- A broad search ("example", "com") walks the list in order and tests each entry: the
-- list's indexes carry search_text so that walk reads no table row.
DROP INDEX memberships_list;
CREATE INDEX memberships_list ON memberships
    (workspace_id, status, sort_name, account_id, role, has_seat, joined_at, joined_via, search_text);
DROP INDEX memberships_list_seat;
CREATE INDEX memberships_list_seat ON memberships
    (workspace_id, status, has_seat, sort_name, account_id, role, joined_at, joined_via, search_text);

DROP TABLE member_search_terms;

-- A narrow search ("smith") is driven from an FTS5 trigram index of search_text. Its rowid
-- says where the member is listed, so that one rowid range is one workspace, status and
-- seat filter, and matches are counted from the index alone:
--   rowid = scope number << 42 | (2 if suspended, + 1 if seated) << 40 | member number
-- member_search_scopes numbers the workspaces and their members; member_search_rows maps
-- each rowid to its membership and holds the sort key, so the matches are sorted without
-- reading memberships. The FTS table is contentless: a row is removed by giving back the
-- text it was indexed with (the 'delete' command), which the triggers below have as OLD.
-- These three tables exist on SQLite only (PostgreSQL has pg_trgm on search_text).
CREATE TABLE member_search_scopes (
    workspace_id TEXT PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number INTEGER NOT NULL UNIQUE,
    members_added INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE member_search_rows (
    id INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    UNIQUE (workspace_id, account_id)
);
CREATE VIRTUAL TABLE member_search USING fts5 (
    search_text, content = '', tokenize = 'trigram case_sensitive 1'
);

INSERT INTO member_search_scopes (workspace_id, number, members_added)
SELECT w.id, ROW_NUMBER() OVER (ORDER BY w.id),
       (SELECT COUNT(*) FROM memberships m WHERE m.workspace_id = w.id)
FROM workspaces w;
INSERT INTO member_search_rows (id, workspace_id, account_id, sort_name)
SELECT (s.number << 42) | (((m.status = 'suspended') * 2 + m.has_seat) << 40)
       | ROW_NUMBER() OVER (PARTITION BY m.workspace_id ORDER BY m.sort_name),
       m.workspace_id, m.account_id, m.sort_name
FROM memberships m JOIN member_search_scopes s ON s.workspace_id = m.workspace_id;
INSERT INTO member_search (rowid, search_text)
SELECT r.id, m.search_text FROM member_search_rows r
JOIN memberships m ON m.workspace_id = r.workspace_id AND m.account_id = r.account_id;

CREATE TRIGGER member_search_on_insert AFTER INSERT ON memberships BEGIN
    INSERT OR IGNORE INTO member_search_scopes (workspace_id, number)
    VALUES (NEW.workspace_id, (SELECT COALESCE(MAX(number), 0) + 1 FROM member_search_scopes));
    UPDATE member_search_scopes SET members_added = members_added + 1
    WHERE workspace_id = NEW.workspace_id;
    INSERT INTO member_search_rows (id, workspace_id, account_id, sort_name)
    SELECT (s.number << 42) | (((NEW.status = 'suspended') * 2 + NEW.has_seat) << 40)
           | s.members_added, NEW.workspace_id, NEW.account_id, NEW.sort_name
    FROM member_search_scopes s WHERE s.workspace_id = NEW.workspace_id;
    INSERT INTO member_search (rowid, search_text)
    SELECT id, NEW.search_text FROM member_search_rows
    WHERE workspace_id = NEW.workspace_id AND account_id = NEW.account_id;
END;

CREATE TRIGGER member_search_on_delete AFTER DELETE ON memberships BEGIN
    INSERT INTO member_search (member_search, rowid, search_text)
    SELECT 'delete', id, OLD.search_text FROM member_search_rows
    WHERE workspace_id = OLD.workspace_id AND account_id = OLD.account_id;
    DELETE FROM member_search_rows
    WHERE workspace_id = OLD.workspace_id AND account_id = OLD.account_id;
END;

CREATE TRIGGER member_search_on_update
AFTER UPDATE OF status, has_seat, sort_name, search_text ON memberships
WHEN OLD.status <> NEW.status OR OLD.has_seat <> NEW.has_seat
    OR OLD.sort_name <> NEW.sort_name OR OLD.search_text <> NEW.search_text
BEGIN
    INSERT INTO member_search (member_search, rowid, search_text)
    SELECT 'delete', id, OLD.search_text FROM member_search_rows
    WHERE workspace_id = OLD.workspace_id AND account_id = OLD.account_id;
    UPDATE member_search_rows
    SET id = (id & ~(3 << 40)) | (((NEW.status = 'suspended') * 2 + NEW.has_seat) << 40),
        sort_name = NEW.sort_name
    WHERE workspace_id = OLD.workspace_id AND account_id = OLD.account_id;
    INSERT INTO member_search (rowid, search_text)
    SELECT id, NEW.search_text FROM member_search_rows
    WHERE workspace_id = NEW.workspace_id AND account_id = NEW.account_id;
END;

-- Numbered pages deep in the list (page 1000 of 2,000): how many members each sort-key
-- bucket (the first three characters of sort_name) holds per workspace, status and seat,
-- kept by triggers like member_counts. A page adds up the buckets before it to find the
-- one it starts in, then skips at most that bucket's entries, not every entry before it.
CREATE TABLE member_list_buckets (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    bucket TEXT NOT NULL,
    has_seat INTEGER NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status, bucket, has_seat)
);
INSERT INTO member_list_buckets (workspace_id, status, bucket, has_seat, members)
SELECT workspace_id, status, substr(sort_name, 1, 3), has_seat, COUNT(*)
FROM memberships GROUP BY workspace_id, status, substr(sort_name, 1, 3), has_seat;

CREATE TRIGGER member_list_buckets_on_insert AFTER INSERT ON memberships BEGIN
    INSERT INTO member_list_buckets (workspace_id, status, bucket, has_seat, members)
    VALUES (NEW.workspace_id, NEW.status, substr(NEW.sort_name, 1, 3), NEW.has_seat, 1)
    ON CONFLICT (workspace_id, status, bucket, has_seat) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER member_list_buckets_on_delete AFTER DELETE ON memberships BEGIN
    UPDATE member_list_buckets SET members = members - 1
    WHERE workspace_id = OLD.workspace_id AND status = OLD.status
      AND bucket = substr(OLD.sort_name, 1, 3) AND has_seat = OLD.has_seat;
END;

CREATE TRIGGER member_list_buckets_on_update AFTER UPDATE OF status, has_seat, sort_name ON memberships
WHEN OLD.status <> NEW.status OR OLD.has_seat <> NEW.has_seat
    OR substr(OLD.sort_name, 1, 3) <> substr(NEW.sort_name, 1, 3)
BEGIN
    UPDATE member_list_buckets SET members = members - 1
    WHERE workspace_id = OLD.workspace_id AND status = OLD.status
      AND bucket = substr(OLD.sort_name, 1, 3) AND has_seat = OLD.has_seat;
    INSERT INTO member_list_buckets (workspace_id, status, bucket, has_seat, members)
    VALUES (NEW.workspace_id, NEW.status, substr(NEW.sort_name, 1, 3), NEW.has_seat, 1)
    ON CONFLICT (workspace_id, status, bucket, has_seat) DO UPDATE SET members = members + 1;
END;
