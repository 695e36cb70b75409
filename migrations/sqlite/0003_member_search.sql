-- The Members page at 100,000 members: every list, filter, sort and search answers from an
-- index instead of scanning the workspace.
--
-- memberships.sort_name = lower(display_name) || char(1) || email, kept current by the
-- store (at join and whenever the account's names change), so ORDER BY uses one column of
-- memberships and an index can return the page in order.
--
-- member_search_terms holds, per membership, each lower-cased word of the first, last and
-- display names, the whole display name, the email and its local part; a search is a prefix
-- range on (workspace_id, term). Rows go with the membership (ON DELETE CASCADE).

ALTER TABLE memberships ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
UPDATE memberships SET sort_name = (
    SELECT lower(a.display_name) || char(1) || a.email FROM accounts a WHERE a.id = memberships.account_id
);
-- The list's indexes cover every membership column a row shows, so a page reads no
-- membership rows, only these entries and then the accounts.
CREATE INDEX memberships_list ON memberships
    (workspace_id, status, sort_name, account_id, role, has_seat, joined_at, joined_via);
CREATE INDEX memberships_list_seat ON memberships
    (workspace_id, status, has_seat, sort_name, account_id, role, joined_at, joined_via);
-- A search finds account ids in the terms, then checks each one's status and seat here
-- (and reads what its row shows) without reading the table.
CREATE INDEX memberships_match ON memberships
    (workspace_id, account_id, status, has_seat, sort_name, role, joined_at, joined_via);
-- The teams shown in a page's rows, from indexes alone.
CREATE INDEX team_members_tags ON team_members (workspace_id, account_id, is_primary, team_id);
CREATE INDEX teams_names ON teams (id, name);

CREATE TABLE member_search_terms (
    workspace_id TEXT NOT NULL,
    term TEXT NOT NULL,
    account_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, term, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES memberships (workspace_id, account_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX member_search_terms_by_member ON member_search_terms (account_id, workspace_id);

WITH RECURSIVE
    words(workspace_id, account_id, word, rest) AS (
        SELECT m.workspace_id, m.account_id, '',
               lower(a.first_name || ' ' || a.last_name || ' ' || a.display_name) || ' '
        FROM memberships m JOIN accounts a ON a.id = m.account_id
        UNION ALL
        SELECT workspace_id, account_id, substr(rest, 1, instr(rest, ' ') - 1),
               ltrim(substr(rest, instr(rest, ' ') + 1))
        FROM words WHERE rest <> ''
    ),
    terms(workspace_id, account_id, term) AS (
        SELECT workspace_id, account_id, word FROM words
        UNION SELECT m.workspace_id, m.account_id, lower(trim(a.display_name))
            FROM memberships m JOIN accounts a ON a.id = m.account_id
        UNION SELECT m.workspace_id, m.account_id, a.email
            FROM memberships m JOIN accounts a ON a.id = m.account_id
        UNION SELECT m.workspace_id, m.account_id, substr(a.email, 1, instr(a.email, '@') - 1)
            FROM memberships m JOIN accounts a ON a.id = m.account_id
    )
INSERT OR IGNORE INTO member_search_terms (workspace_id, term, account_id)
SELECT workspace_id, term, account_id FROM terms WHERE term <> '';

-- How many members each workspace has per (status, seat), kept by triggers on every
-- insert, delete and status or seat change, so the list's total is one row read rather
-- than a count over 100,000 index entries. Filtered by a search, the store still counts.
CREATE TABLE member_counts (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    has_seat INTEGER NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status, has_seat)
);
INSERT INTO member_counts (workspace_id, status, has_seat, members)
SELECT workspace_id, status, has_seat, COUNT(*) FROM memberships GROUP BY workspace_id, status, has_seat;

CREATE TRIGGER member_counts_on_insert AFTER INSERT ON memberships BEGIN
    INSERT INTO member_counts (workspace_id, status, has_seat, members)
    VALUES (NEW.workspace_id, NEW.status, NEW.has_seat, 1)
    ON CONFLICT (workspace_id, status, has_seat) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER member_counts_on_delete AFTER DELETE ON memberships BEGIN
    UPDATE member_counts SET members = members - 1
    WHERE workspace_id = OLD.workspace_id AND status = OLD.status AND has_seat = OLD.has_seat;
END;

CREATE TRIGGER member_counts_on_update AFTER UPDATE OF status, has_seat ON memberships
WHEN OLD.status <> NEW.status OR OLD.has_seat <> NEW.has_seat BEGIN
    UPDATE member_counts SET members = members - 1
    WHERE workspace_id = OLD.workspace_id AND status = OLD.status AND has_seat = OLD.has_seat;
    INSERT INTO member_counts (workspace_id, status, has_seat, members)
    VALUES (NEW.workspace_id, NEW.status, NEW.has_seat, 1)
    ON CONFLICT (workspace_id, status, has_seat) DO UPDATE SET members = members + 1;
END;
