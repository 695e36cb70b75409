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
CREATE INDEX memberships_list ON memberships (workspace_id, status, sort_name, account_id);
CREATE INDEX memberships_list_seat ON memberships (workspace_id, status, has_seat, sort_name, account_id);

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
