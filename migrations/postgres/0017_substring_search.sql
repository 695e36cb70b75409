-- Search matches any part of a name or an email ("nna" finds Anna, "acme-corp" everyone
-- @acme-corp.example), and deep pages of the list are as quick as the first, at 100,000
-- members. Replaces member_search_terms (word prefixes), which goes.
--
-- memberships.search_text: the display name, the first and last names (each only when the
-- display name does not already contain it) and the email, lower-cased and joined by
-- chr(1) so that no match spans two of them. The store keeps it current with sort_name
-- (at join and at every rename), lower-cased in Rust; backfilled here with lower().
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE memberships ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE memberships m SET search_text = lower(a.display_name)
    || CASE WHEN strpos(lower(a.display_name), lower(a.first_name)) > 0 THEN ''
            ELSE chr(1) || lower(a.first_name) END
    || CASE WHEN strpos(lower(a.display_name), lower(a.last_name)) > 0 THEN ''
            ELSE chr(1) || lower(a.last_name) END
    || chr(1) || lower(a.email)
FROM accounts a WHERE a.id = m.account_id;

-- A broad search ("example", "com") walks the list in order and tests each entry: the
-- list's indexes carry search_text so that walk reads no table row.
DROP INDEX memberships_list;
CREATE INDEX memberships_list ON memberships
    (workspace_id, status, sort_name, account_id, role, has_seat, joined_at, joined_via, search_text);
DROP INDEX memberships_list_seat;
CREATE INDEX memberships_list_seat ON memberships
    (workspace_id, status, has_seat, sort_name, account_id, role, joined_at, joined_via, search_text);

DROP TABLE member_search_terms;

-- A narrow search ("smith") is driven from a trigram index (LIKE '%smith%' uses it).
CREATE INDEX memberships_search ON memberships USING gin (search_text gin_trgm_ops);

-- Numbered pages deep in the list (page 1000 of 2,000): how many members each sort-key
-- bucket (the first three characters of sort_name) holds per workspace, status and seat,
-- kept by triggers like member_counts. A page adds up the buckets before it to find the
-- one it starts in, then skips at most that bucket's entries, not every entry before it.
-- (Its trigger runs after list_version's, which has locked the workspace row.)
CREATE TABLE member_list_buckets (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    bucket TEXT COLLATE "C" NOT NULL,
    has_seat BIGINT NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status, bucket, has_seat)
);
INSERT INTO member_list_buckets (workspace_id, status, bucket, has_seat, members)
SELECT workspace_id, status, substr(sort_name, 1, 3), has_seat, COUNT(*)
FROM memberships GROUP BY workspace_id, status, substr(sort_name, 1, 3), has_seat;

CREATE FUNCTION member_list_buckets_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE member_list_buckets SET members = members - 1
        WHERE workspace_id = OLD.workspace_id AND status = OLD.status
          AND bucket = substr(OLD.sort_name, 1, 3) AND has_seat = OLD.has_seat;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO member_list_buckets (workspace_id, status, bucket, has_seat, members)
        VALUES (NEW.workspace_id, NEW.status, substr(NEW.sort_name, 1, 3), NEW.has_seat, 1)
        ON CONFLICT (workspace_id, status, bucket, has_seat)
        DO UPDATE SET members = member_list_buckets.members + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER member_list_buckets_on_insert_or_delete AFTER INSERT OR DELETE ON memberships
FOR EACH ROW EXECUTE FUNCTION member_list_buckets_track();

CREATE TRIGGER member_list_buckets_on_update AFTER UPDATE OF status, has_seat, sort_name ON memberships
FOR EACH ROW WHEN (OLD.status <> NEW.status OR OLD.has_seat <> NEW.has_seat
    OR substr(OLD.sort_name, 1, 3) <> substr(NEW.sort_name, 1, 3))
EXECUTE FUNCTION member_list_buckets_track();
