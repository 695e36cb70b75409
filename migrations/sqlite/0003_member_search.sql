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
CREATE INDEX memberships_list ON memberships (workspace_id, status, sort_name, account_id);
CREATE INDEX memberships_list_seat ON memberships (workspace_id, status, has_seat, sort_name, account_id);

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
