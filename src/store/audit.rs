//! Audit events: an append-only record of who did what to whom, when, from where.

use sqlx::{Any, Executor};

use super::StoreResult;

/// One event to record. `details` is a short JSON object (e.g. `{"from":"member","to":"admin"}`).
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub workspace_id: Option<&'a str>,
    pub actor_account_id: Option<&'a str>,
    pub action: &'a str,
    pub target_account_id: Option<&'a str>,
    pub target: Option<&'a str>,
    pub details: Option<String>,
    pub ip: Option<&'a str>,
    pub now: i64,
}

pub async fn record<'e, E: Executor<'e, Database = Any>>(
    e: E,
    ev: NewEvent<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, actor_account_id, action, target_account_id, \
         target, details, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ev.workspace_id)
    .bind(ev.actor_account_id)
    .bind(ev.action)
    .bind(ev.target_account_id)
    .bind(ev.target)
    .bind(ev.details)
    .bind(ev.ip)
    .bind(ev.now)
    .execute(e)
    .await
    .map(|_| ())
}
