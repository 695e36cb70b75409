//! Audit events: an append-only record of who did what to whom, when, from where.

use sqlx::{Any, Executor, FromRow};

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

/// An event as stored.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub workspace_id: Option<String>,
    pub actor_account_id: Option<String>,
    pub action: String,
    pub target_account_id: Option<String>,
    pub target: Option<String>,
    pub details: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
}

/// The newest events an account took part in (as actor or target), newest first.
pub async fn involving_account<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT id, workspace_id, actor_account_id, action, target_account_id, target, details, ip, \
         created_at FROM audit_events WHERE actor_account_id = $1 OR target_account_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(e)
    .await
}
