-- Search finds members by their email's domain too ("acme-corp" → everyone
-- @acme-corp.example): the domain becomes one more term of every existing membership
-- (new ones get it from `member_search::terms`).
INSERT INTO member_search_terms (workspace_id, term, account_id)
SELECT m.workspace_id, lower(split_part(a.email, '@', 2)), m.account_id
FROM memberships m JOIN accounts a ON a.id = m.account_id
WHERE position('@' in a.email) > 0
ON CONFLICT DO NOTHING;
