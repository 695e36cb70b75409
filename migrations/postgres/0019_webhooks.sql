-- Signed webhooks (issue 16): endpoints a workspace's admins register, and one delivery
-- row per (event, endpoint), written in the transaction of the change that caused it and
-- sent by the webhook worker under a fencing claim, like the mail outbox.
--
-- `events` lists the subscribed event types between commas (",member.joined,"), so one
-- LIKE finds the endpoints of an event on both databases. `secret` is the signing key
-- sealed with a key derived from the server secret (see `domain::webhook`): a database
-- dump alone cannot sign. `failing_since` is when the current run of failures began (the
-- 3-day rule); NULL while deliveries succeed.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_at BIGINT,
    failing_since BIGINT,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, created_at);

-- `id` is the Standard Webhooks `webhook-id`, the same on every attempt. A delivery is due
-- while `next_attempt_at` is set; delivered or given up, it is NULL.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_attempt_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    given_up_at BIGINT,
    claim_token TEXT,
    claimed_until BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
