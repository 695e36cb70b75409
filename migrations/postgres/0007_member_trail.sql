-- A member's audit trail (their detail page, and the Audit log filtered to one member)
-- is every event of the workspace they did, that was done to them, or that names their
-- address (invitations): the actor index exists already; these find the other two
-- without reading the whole log.

CREATE INDEX audit_events_by_target_account ON audit_events (target_account_id, id);
CREATE INDEX audit_events_by_target ON audit_events (workspace_id, target, id);
