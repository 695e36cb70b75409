-- A search that many members of one two-letter sort-key bucket match, but not the first
-- ones ("ann": Ann and Anna after Andrea, Andrew and Angela, all in "an"), walked every
-- entry of that bucket before its first match. The substring index's rowids (see 0017)
-- now place each member by the first three characters of the sort key, five bits each:
--   0 the end of the key or any character below 'a' (space, digits, punctuation, the
--     separator, upper case), 1-26 'a' to 'z', 27 any character above 'z';
-- and after a 0 or a 27, which stand for many characters, the rest are 0: what follows
-- such a character says nothing about the order (" b" sorts before ".a"), so only this
-- keeps the buckets in the list's order (store::member_fts::walk_bound reads them back).
-- The 15 bits take the place of the two code points' 16, so every other part of the
-- rowid stays where it was.
CREATE VIEW member_sort_buckets AS
SELECT workspace_id, account_id,
       (k1 << 10) | CASE WHEN k1 BETWEEN 1 AND 26
           THEN (k2 << 5) | CASE WHEN k2 BETWEEN 1 AND 26 THEN k3 ELSE 0 END
           ELSE 0 END AS bucket
FROM (
    SELECT workspace_id, account_id,
           CASE WHEN c1 BETWEEN 97 AND 122 THEN c1 - 96 WHEN c1 > 122 THEN 27 ELSE 0 END AS k1,
           CASE WHEN c2 BETWEEN 97 AND 122 THEN c2 - 96 WHEN c2 > 122 THEN 27 ELSE 0 END AS k2,
           CASE WHEN c3 BETWEEN 97 AND 122 THEN c3 - 96 WHEN c3 > 122 THEN 27 ELSE 0 END AS k3
    FROM (
        SELECT workspace_id, account_id,
               unicode(substr(sort_name, 1, 1)) AS c1,
               unicode(substr(sort_name, 2, 1)) AS c2,
               unicode(substr(sort_name, 3, 1)) AS c3
        FROM memberships
    )
);

DROP TRIGGER member_search_on_insert;
DROP TRIGGER member_search_on_update;

-- Every row renumbered (into a copy first: a new rowid may be another row's old one).
CREATE TABLE member_search_rows_renumbered AS
SELECT ((r.id >> 41) << 41) | (b.bucket << 25) | (r.id & 33554431) AS id,
       r.workspace_id, r.account_id, r.sort_name
FROM member_search_rows r
JOIN member_sort_buckets b ON b.workspace_id = r.workspace_id AND b.account_id = r.account_id;
DELETE FROM member_search_rows;
INSERT INTO member_search_rows (id, workspace_id, account_id, sort_name)
SELECT id, workspace_id, account_id, sort_name FROM member_search_rows_renumbered;
DROP TABLE member_search_rows_renumbered;

-- The index again under the new rowids (it is contentless: emptied, then filled).
INSERT INTO member_search (member_search) VALUES ('delete-all');
INSERT INTO member_search (rowid, search_text)
SELECT r.id, m.search_text FROM member_search_rows r
JOIN memberships m ON m.workspace_id = r.workspace_id AND m.account_id = r.account_id;

CREATE TRIGGER member_search_on_insert AFTER INSERT ON memberships BEGIN
    INSERT OR IGNORE INTO member_search_scopes (workspace_id, number)
    VALUES (NEW.workspace_id, (SELECT COALESCE(MAX(number), 0) + 1 FROM member_search_scopes));
    UPDATE member_search_scopes SET members_added = members_added + 1
    WHERE workspace_id = NEW.workspace_id;
    INSERT INTO member_search_rows (id, workspace_id, account_id, sort_name)
    SELECT (s.number << 42) | ((NEW.status = 'suspended') << 41) | (b.bucket << 25)
           | (NEW.has_seat << 24) | (s.members_added & 16777215),
           NEW.workspace_id, NEW.account_id, NEW.sort_name
    FROM member_search_scopes s
    JOIN member_sort_buckets b ON b.workspace_id = NEW.workspace_id AND b.account_id = NEW.account_id
    WHERE s.workspace_id = NEW.workspace_id;
    INSERT INTO member_search (rowid, search_text)
    SELECT id, NEW.search_text FROM member_search_rows
    WHERE workspace_id = NEW.workspace_id AND account_id = NEW.account_id;
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
    SET id = ((id >> 42) << 42) | ((NEW.status = 'suspended') << 41)
           | ((SELECT b.bucket FROM member_sort_buckets b
               WHERE b.workspace_id = NEW.workspace_id AND b.account_id = NEW.account_id) << 25)
           | (NEW.has_seat << 24) | (id & 16777215),
        sort_name = NEW.sort_name
    WHERE workspace_id = OLD.workspace_id AND account_id = OLD.account_id;
    INSERT INTO member_search (rowid, search_text)
    SELECT id, NEW.search_text FROM member_search_rows
    WHERE workspace_id = NEW.workspace_id AND account_id = NEW.account_id;
END;
