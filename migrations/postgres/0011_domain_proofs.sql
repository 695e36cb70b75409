-- Proof of control before a workspace approves a domain: a single-use link emailed to an
-- address at that domain, which approves it when followed (POST). Only the SHA-256 of the
-- link's token is kept; each proof expires (24 hours) and belongs to one workspace, so
-- several workspaces may approve the same domain, each with its own proof.

CREATE TABLE domain_proofs (
    token_hash TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    email TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX domain_proofs_by_workspace ON domain_proofs (workspace_id, domain);
CREATE INDEX domain_proofs_by_email ON domain_proofs (email, created_at);
CREATE INDEX domain_proofs_by_requester ON domain_proofs (requested_by, created_at);
