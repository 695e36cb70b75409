-- Core tables: accounts, workspaces, memberships, one-time account tokens,
-- sessions, sign-in throttling, the mail outbox and audit events.
-- Timestamps are unix seconds; ids are UUID strings; flags are 0/1 integers.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    session_version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    plan TEXT NOT NULL DEFAULT 'trial' CHECK (plan IN ('trial', 'business', 'enterprise')),
    seat_count BIGINT NOT NULL CHECK (seat_count >= 1),
    seats_used BIGINT NOT NULL DEFAULT 0 CHECK (seats_used >= 0 AND seats_used <= seat_count),
    auto_assign_seats INTEGER NOT NULL DEFAULT 1 CHECK (auto_assign_seats IN (0, 1)),
    allow_invite_links INTEGER NOT NULL DEFAULT 1 CHECK (allow_invite_links IN (0, 1)),
    auto_approve_join_requests INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve_join_requests IN (0, 1)),
    discoverable INTEGER NOT NULL DEFAULT 0 CHECK (discoverable IN (0, 1)),
    who_may_invite TEXT NOT NULL DEFAULT 'admins' CHECK (who_may_invite IN ('admins', 'everyone')),
    invitation_expiry_days BIGINT NOT NULL DEFAULT 7 CHECK (invitation_expiry_days BETWEEN 1 AND 90),
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    has_seat INTEGER NOT NULL CHECK (has_seat IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    joined_at BIGINT NOT NULL,
    joined_via TEXT NOT NULL CHECK (joined_via IN ('created', 'invitation', 'link', 'domain', 'request', 'seed')),
    joined_via_ref TEXT,
    invited_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    PRIMARY KEY (workspace_id, account_id),
    CHECK (has_seat = 0 OR (role <> 'viewer' AND status = 'active'))
);
CREATE INDEX memberships_by_account ON memberships (account_id);
CREATE INDEX memberships_by_workspace_joined ON memberships (workspace_id, joined_at);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'sign_in')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX account_tokens_by_account ON account_tokens (account_id, purpose);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref_id TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT,
    sent_at BIGINT,
    cancelled_at BIGINT,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX mail_outbox_by_ref ON mail_outbox (ref_id);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT,
    actor_account_id TEXT,
    action TEXT NOT NULL,
    target_account_id TEXT,
    target TEXT,
    details TEXT,
    ip TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_account_id, id);
