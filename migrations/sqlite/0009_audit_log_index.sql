-- The Audit log page filtered by action reads this index in order (newest first within
-- one action), and the action filter's list of actions seeks it once per distinct action.
-- The unfiltered page already reads audit_events_by_workspace (workspace_id, id) backwards.

CREATE INDEX audit_events_by_workspace_action ON audit_events (workspace_id, action, id);
