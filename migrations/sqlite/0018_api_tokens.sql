-- Workspace API tokens (issue 16): made by an Owner or Admin, acting as that person with
-- at most their scope. Only the SHA-256 of the token is kept. An audit event made through
-- a token names it (api_token_id).

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id, created_at);

ALTER TABLE audit_events ADD COLUMN api_token_id TEXT;
