-- The Members page at 100,000 members: every list, filter, sort and search answers from an
-- index instead of scanning the workspace.
--
-- memberships.sort_name = lower(display_name) || chr(1) || email, kept current by the
-- store (at join and whenever the account's names change), so ORDER BY uses one column of
-- memberships and an index can return the page in order. COLLATE "C": byte order, as on
-- SQLite, whatever the database's locale, and prefix ranges that mean what they say.
--
-- member_search_terms holds, per membership, each lower-cased word of the first, last and
-- display names, the whole display name, the email and its local part; a search is a prefix
-- range on (workspace_id, term). Rows go with the membership (ON DELETE CASCADE).

ALTER TABLE memberships ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE memberships SET sort_name = (
    SELECT lower(a.display_name) || chr(1) || a.email FROM accounts a WHERE a.id = memberships.account_id
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
    term TEXT COLLATE "C" NOT NULL,
    account_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, term, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES memberships (workspace_id, account_id) ON DELETE CASCADE
);
CREATE INDEX member_search_terms_by_member ON member_search_terms (account_id, workspace_id);

INSERT INTO member_search_terms (workspace_id, term, account_id)
SELECT DISTINCT m.workspace_id, t.term, m.account_id
FROM memberships m
JOIN accounts a ON a.id = m.account_id
CROSS JOIN LATERAL (
    SELECT regexp_split_to_table(lower(a.first_name || ' ' || a.last_name || ' ' || a.display_name), '\s+') AS term
    UNION SELECT lower(trim(a.display_name))
    UNION SELECT a.email
    UNION SELECT split_part(a.email, '@', 1)
) t
WHERE t.term <> ''
ON CONFLICT DO NOTHING;

-- How many members each workspace has per (status, seat), kept by a trigger on every
-- insert, delete and status or seat change, so the list's total is one row read rather
-- than a count over 100,000 index entries. Filtered by a search, the store still counts.
-- (Seat changes lock the workspace row first, so this row never joins a lock cycle.)
CREATE TABLE member_counts (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    has_seat BIGINT NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status, has_seat)
);
INSERT INTO member_counts (workspace_id, status, has_seat, members)
SELECT workspace_id, status, has_seat, COUNT(*) FROM memberships GROUP BY workspace_id, status, has_seat;

CREATE FUNCTION member_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE member_counts SET members = members - 1
        WHERE workspace_id = OLD.workspace_id AND status = OLD.status AND has_seat = OLD.has_seat;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO member_counts (workspace_id, status, has_seat, members)
        VALUES (NEW.workspace_id, NEW.status, NEW.has_seat, 1)
        ON CONFLICT (workspace_id, status, has_seat) DO UPDATE SET members = member_counts.members + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER member_counts_on_insert_or_delete AFTER INSERT OR DELETE ON memberships
FOR EACH ROW EXECUTE FUNCTION member_counts_track();

CREATE TRIGGER member_counts_on_update AFTER UPDATE OF status, has_seat ON memberships
FOR EACH ROW WHEN (OLD.status <> NEW.status OR OLD.has_seat <> NEW.has_seat)
EXECUTE FUNCTION member_counts_track();
