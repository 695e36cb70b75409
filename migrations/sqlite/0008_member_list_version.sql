-- The Members page may keep a rendered page of its list (web::members::results) under the
-- workspace's list_version. Every change to what that list shows bumps the version in the
-- same transaction as the change, so a kept page is never shown once its data changed, on
-- this instance or any other: a page lists memberships, their accounts' names and email,
-- and their teams. Triggers, not the store, so that no write path can forget.

ALTER TABLE workspaces ADD COLUMN list_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER list_version_member_added AFTER INSERT ON memberships BEGIN
    UPDATE workspaces SET list_version = list_version + 1 WHERE id = NEW.workspace_id;
END;
CREATE TRIGGER list_version_member_changed AFTER UPDATE ON memberships BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (OLD.workspace_id, NEW.workspace_id);
END;
CREATE TRIGGER list_version_member_removed AFTER DELETE ON memberships BEGIN
    UPDATE workspaces SET list_version = list_version + 1 WHERE id = OLD.workspace_id;
END;

CREATE TRIGGER list_version_account_changed
AFTER UPDATE OF email, first_name, last_name, display_name ON accounts
WHEN OLD.email IS NOT NEW.email OR OLD.first_name IS NOT NEW.first_name
    OR OLD.last_name IS NOT NEW.last_name OR OLD.display_name IS NOT NEW.display_name
BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (SELECT workspace_id FROM memberships WHERE account_id = NEW.id);
END;

CREATE TRIGGER list_version_team_member_added AFTER INSERT ON team_members BEGIN
    UPDATE workspaces SET list_version = list_version + 1 WHERE id = NEW.workspace_id;
END;
CREATE TRIGGER list_version_team_member_changed AFTER UPDATE ON team_members BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (OLD.workspace_id, NEW.workspace_id);
END;
CREATE TRIGGER list_version_team_member_removed AFTER DELETE ON team_members BEGIN
    UPDATE workspaces SET list_version = list_version + 1 WHERE id = OLD.workspace_id;
END;

CREATE TRIGGER list_version_team_changed AFTER UPDATE ON teams BEGIN
    UPDATE workspaces SET list_version = list_version + 1
    WHERE id IN (OLD.workspace_id, NEW.workspace_id);
END;
CREATE TRIGGER list_version_team_removed AFTER DELETE ON teams BEGIN
    UPDATE workspaces SET list_version = list_version + 1 WHERE id = OLD.workspace_id;
END;
