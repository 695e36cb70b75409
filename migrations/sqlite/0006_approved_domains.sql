-- Approved email domains: people with a verified address at one may join the workspace
-- from their home page. Stored in ASCII (punycode) lower case; looked up by domain.

CREATE TABLE approved_domains (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    added_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, domain)
);
CREATE INDEX approved_domains_by_domain ON approved_domains (domain, workspace_id);
