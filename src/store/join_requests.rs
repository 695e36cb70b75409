//! Join requests: one pending request per person and workspace (a partial unique index),
//! decided once by a conditional UPDATE, and the declined codes a person cannot reuse.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// A request as the popover and the workflows see it.
#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    pub id: String,
    pub workspace_id: String,
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    pub link_id: Option<String>,
    /// The code it was filed with (`None`: asked from Browse workspaces).
    pub code_hash: Option<String>,
    pub status: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT r.id, r.workspace_id, r.account_id, a.display_name, a.email, \
     r.link_id, r.code_hash, r.status, r.created_at FROM join_requests r JOIN accounts a ON a.id = r.account_id";

/// Files a request; `false` when this person already has a pending one here.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    workspace_id: &str,
    account_id: &str,
    link: Option<(&str, &str)>,
    now: i64,
) -> StoreResult<bool> {
    let inserted: Option<String> = sqlx::query_scalar(
        "INSERT INTO join_requests (id, workspace_id, account_id, link_id, code_hash, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(workspace_id)
    .bind(account_id)
    .bind(link.map(|(l, _)| l))
    .bind(link.map(|(_, h)| h))
    .bind(now)
    .fetch_optional(e)
    .await?;
    Ok(inserted.is_some())
}

/// Whether this person was declined here after asking with this code.
pub async fn was_declined<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
    code_hash: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM join_requests WHERE workspace_id = $1 AND account_id = $2 \
         AND code_hash = $3 AND status = 'declined'",
    )
    .bind(workspace_id)
    .bind(account_id)
    .bind(code_hash)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// The pending request of this workspace with this id (another workspace's id: `None`).
pub async fn pending<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<Option<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE r.id = $1 AND r.workspace_id = $2 AND r.status = 'pending'"
    ))
    .bind(id)
    .bind(workspace_id)
    .fetch_optional(e)
    .await
}

/// Whether this person has a pending request here.
pub async fn has_pending<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM join_requests WHERE workspace_id = $1 AND account_id = $2 \
         AND status = 'pending'",
    )
    .bind(workspace_id)
    .bind(account_id)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// A workspace's pending requests, oldest first.
pub async fn list_pending<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    limit: i64,
) -> StoreResult<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE r.workspace_id = $1 AND r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $2"
    ))
    .bind(workspace_id)
    .bind(limit)
    .fetch_all(e)
    .await
}

pub async fn count_pending<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM join_requests WHERE workspace_id = $1 AND status = 'pending'",
    )
    .bind(workspace_id)
    .fetch_one(e)
    .await
}

/// Approves or declines a pending request; `false` if someone decided it first.
pub async fn decide<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    status: &str,
    decided_by: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE join_requests SET status = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(status)
    .bind(decided_by)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether an admin of this workspace ever declined this person's request, whatever code
/// it came with (Browse workspaces does not let them ask again).
pub async fn was_ever_declined<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM join_requests WHERE workspace_id = $1 AND account_id = $2 \
         AND status = 'declined'",
    )
    .bind(workspace_id)
    .bind(account_id)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}
