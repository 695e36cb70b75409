-- The Members page may keep a rendered page of its list (web::members::results) under the
-- workspace's list_version. Every change to what that list shows bumps the version in the
-- same transaction as the change, so a kept page is never shown once its data changed, on
-- this instance or any other: a page lists memberships, their accounts' names and email,
-- and their teams. Triggers, not the store, so that no write path can forget; here once
-- per statement (a seed's 500-row INSERT bumps once), over the rows it touched.

ALTER TABLE workspaces ADD COLUMN list_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION list_version_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (SELECT workspace_id FROM new_rows);
    RETURN NULL;
END;
$$;

CREATE FUNCTION list_version_bump_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (SELECT workspace_id FROM old_rows);
    RETURN NULL;
END;
$$;

CREATE FUNCTION list_version_bump_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (SELECT workspace_id FROM old_rows UNION SELECT workspace_id FROM new_rows);
    RETURN NULL;
END;
$$;

CREATE FUNCTION list_version_bump_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (
        SELECT m.workspace_id FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        JOIN memberships m ON m.account_id = n.id
        WHERE (n.email, n.first_name, n.last_name, n.display_name)
            IS DISTINCT FROM (o.email, o.first_name, o.last_name, o.display_name)
    );
    RETURN NULL;
END;
$$;

CREATE TRIGGER list_version_member_added AFTER INSERT ON memberships
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_new();
CREATE TRIGGER list_version_member_changed AFTER UPDATE ON memberships
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_both();
CREATE TRIGGER list_version_member_removed AFTER DELETE ON memberships
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_old();

CREATE TRIGGER list_version_account_changed AFTER UPDATE ON accounts
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_accounts();

CREATE TRIGGER list_version_team_member_added AFTER INSERT ON team_members
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_new();
CREATE TRIGGER list_version_team_member_changed AFTER UPDATE ON team_members
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_both();
CREATE TRIGGER list_version_team_member_removed AFTER DELETE ON team_members
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_old();

CREATE TRIGGER list_version_team_changed AFTER UPDATE ON teams
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_both();
CREATE TRIGGER list_version_team_removed AFTER DELETE ON teams
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_old();
