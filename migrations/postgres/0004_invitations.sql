-- Email invitations (one per address; codes derived from the server secret, only their
-- hash is looked up), the extra teams an invitation pre-assigns, and account avatars.

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    primary_team_id TEXT REFERENCES teams (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'pending', 'accepted', 'revoked')),
    code_nonce TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    send_email INTEGER NOT NULL CHECK (send_email IN (0, 1)),
    invited_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX invitations_one_live_per_address ON invitations (workspace_id, email)
    WHERE status IN ('awaiting_approval', 'pending');
CREATE INDEX invitations_by_workspace ON invitations (workspace_id, status, created_at);

CREATE TABLE invitation_teams (
    invitation_id TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (invitation_id, team_id)
);

CREATE TABLE avatars (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    bytes BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
