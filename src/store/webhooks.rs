//! Webhook endpoints: where a workspace's events are posted, which events, the sealed
//! signing key, and whether the endpoint is enabled (the 3-day rule turns it off).

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

#[derive(Debug, Clone, FromRow)]
pub struct EndpointRow {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    /// `,a,b,` (see `domain::webhook::events_column`).
    pub events: String,
    /// The signing key, sealed (see `domain::webhook::SecretSeal`).
    pub secret: String,
    pub enabled: i64,
    pub disabled_at: Option<i64>,
    pub failing_since: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, workspace_id, url, events, secret, enabled, disabled_at, failing_since, created_at";

/// A new endpoint, enabled.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    n: NewEndpoint<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, workspace_id, url, events, secret, enabled, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(n.id)
    .bind(n.workspace_id)
    .bind(n.url)
    .bind(n.events)
    .bind(n.secret)
    .bind(n.created_by)
    .bind(n.now)
    .execute(e)
    .await
    .map(|_| ())
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<EndpointRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 ORDER BY created_at, id"
    ))
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// The endpoint `id` of this workspace (another workspace's is not found).
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<Option<EndpointRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(workspace_id)
    .bind(id)
    .fetch_optional(e)
    .await
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
) -> StoreResult<Option<EndpointRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(e)
    .await
}

/// Deletes an endpoint (its deliveries go with it); `false` when it was not there.
pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<bool> {
    sqlx::query("DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2")
        .bind(workspace_id)
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Enables a disabled endpoint again, with a clean failure record; `false` when it was
/// not disabled.
pub async fn enable<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE webhook_endpoints SET enabled = 1, disabled_at = NULL, failing_since = NULL \
         WHERE workspace_id = $1 AND id = $2 AND enabled = 0",
    )
    .bind(workspace_id)
    .bind(id)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// The enabled endpoints of a workspace subscribed to `event`.
pub async fn subscribed<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    event: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM webhook_endpoints WHERE workspace_id = $1 AND enabled = 1 \
         AND events LIKE $2 ORDER BY id",
    )
    .bind(workspace_id)
    .bind(format!("%,{event},%"))
    .fetch_all(e)
    .await
}

/// A delivery succeeded: the endpoint is not failing any more.
pub async fn record_success<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
        .bind(id)
        .execute(e)
        .await
        .map(|_| ())
}

/// A delivery failed: the failure run starts now unless it already had. Returns since
/// when the endpoint has been failing.
pub async fn record_failure<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
         WHERE id = $1 RETURNING failing_since",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(e)
    .await
    .map(Option::flatten)
}

/// Disables an endpoint that has been failing since `cutoff` or earlier. `true` for the
/// one caller that disabled it (so its admins are emailed once).
pub async fn disable_if_failing_since<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    cutoff: i64,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_at = $3 \
         WHERE id = $1 AND enabled = 1 AND failing_since <= $2",
    )
    .bind(id)
    .bind(cutoff)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}
