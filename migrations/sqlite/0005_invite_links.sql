-- Invite links (shareable codes with a role, teams, max uses and an expiry; like
-- invitations, only a nonce and the code's hash are stored), their visits and joins per
-- day for the chart, sign-ups waiting for their address to be verified before joining
-- through a link, and join requests (links that need approval, discoverable workspaces).

CREATE TABLE invite_links (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    primary_team_id TEXT REFERENCES teams (id) ON DELETE SET NULL,
    code_nonce TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    -- NULL: never expires. Regenerating restarts the same lifetime from then.
    lifetime_secs BIGINT,
    expires_at BIGINT,
    -- NULL: unlimited.
    max_uses BIGINT CHECK (max_uses IS NULL OR max_uses > 0),
    uses BIGINT NOT NULL DEFAULT 0,
    visits BIGINT NOT NULL DEFAULT 0,
    notify_creator INTEGER NOT NULL DEFAULT 1 CHECK (notify_creator IN (0, 1)),
    regenerated_at BIGINT,
    revoked_at BIGINT,
    CHECK (max_uses IS NULL OR uses <= max_uses),
    CHECK (role <> 'admin' OR expires_at IS NOT NULL)
);
CREATE INDEX invite_links_by_workspace ON invite_links (workspace_id, created_at);
CREATE INDEX invite_links_by_creator ON invite_links (created_by, workspace_id);

CREATE TABLE invite_link_teams (
    link_id TEXT NOT NULL REFERENCES invite_links (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (link_id, team_id)
);

-- Days are counted from the Unix epoch (UTC).
CREATE TABLE invite_link_days (
    link_id TEXT NOT NULL REFERENCES invite_links (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    visits BIGINT NOT NULL DEFAULT 0,
    joins BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (link_id, day)
);

CREATE TABLE link_signups (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    link_id TEXT NOT NULL REFERENCES invite_links (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, link_id)
);

CREATE TABLE join_requests (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The link it came through (NULL: a discoverable workspace, or the link was deleted).
    link_id TEXT REFERENCES invite_links (id) ON DELETE SET NULL,
    -- The code used, so a declined person cannot ask again with the same code.
    code_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests (workspace_id, account_id)
    WHERE status = 'pending';
CREATE INDEX join_requests_by_workspace ON join_requests (workspace_id, status, created_at);
CREATE INDEX join_requests_by_account ON join_requests (account_id, workspace_id, status);
