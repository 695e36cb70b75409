//! Audit events: an append-only record of who did what to whom, when, from where.

use sqlx::{Any, AnyConnection, Executor};

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
    /// The API token the change was made through, if any.
    pub api_token_id: Option<&'a str>,
}

pub async fn record<'e, E: Executor<'e, Database = Any>>(
    e: E,
    ev: NewEvent<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (workspace_id, actor_account_id, action, target_account_id, \
         target, details, ip, created_at, api_token_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(ev.workspace_id)
    .bind(ev.actor_account_id)
    .bind(ev.action)
    .bind(ev.target_account_id)
    .bind(ev.target)
    .bind(ev.details)
    .bind(ev.ip)
    .bind(ev.now)
    .bind(ev.api_token_id)
    .execute(e)
    .await
    .map(|_| ())
}

/// Events per multi-row INSERT (nine parameters each).
const EVENTS_PER_INSERT: usize = 100;

/// Records many events, a hundred per statement (one per address of a large Invite
/// submission), in the caller's transaction.
pub async fn record_many(conn: &mut AnyConnection, events: &[NewEvent<'_>]) -> StoreResult<()> {
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO audit_events (workspace_id, actor_account_id, action, target_account_id, \
             target, details, ip, created_at, api_token_id){}",
            super::values("(?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for ev in chunk {
            query = query
                .bind(ev.workspace_id)
                .bind(ev.actor_account_id)
                .bind(ev.action)
                .bind(ev.target_account_id)
                .bind(ev.target)
                .bind(ev.details.as_deref())
                .bind(ev.ip)
                .bind(ev.now)
                .bind(ev.api_token_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
