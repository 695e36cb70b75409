-- The workspace's help contact, and teams (named groups; one primary team per member).

ALTER TABLE workspaces ADD COLUMN coordinator_name TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN coordinator_email TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN coordinator_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN coordinator_notes TEXT NOT NULL DEFAULT '';

CREATE TABLE teams (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_unique_name ON teams (workspace_id, lower(name));

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES memberships (workspace_id, account_id) ON DELETE CASCADE
);
CREATE INDEX team_members_by_member ON team_members (workspace_id, account_id);
CREATE UNIQUE INDEX team_members_one_primary ON team_members (workspace_id, account_id) WHERE is_primary = 1;
