//! Webhook deliveries: the outbox of webhook events, one row per (event, endpoint),
//! written in the transaction of the change. Claimed like the mail outbox: one worker at
//! a time under a random token valid until `claimed_until`, the outcome recorded only by
//! the holder of the token — so each event goes out once however many instances run.

use sqlx::{Any, Executor, FromRow};

use super::{Store, StoreResult};
use crate::config::Backend;

/// A delivery to write, due at once.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub endpoint_id: &'a str,
    pub event_type: &'a str,
    pub payload: &'a str,
    pub now: i64,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    d: NewDelivery<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, created_at, \
         attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5)",
    )
    .bind(d.id)
    .bind(d.endpoint_id)
    .bind(d.event_type)
    .bind(d.payload)
    .bind(d.now)
    .execute(e)
    .await
    .map(|_| ())
}

/// A claimed delivery, ready to post.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub payload: String,
    pub attempts: i64,
}

/// One worker's claim: a random token, valid until `until`.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub token: &'a str,
    pub now: i64,
    pub until: i64,
}

/// Claims the next due delivery of an enabled endpoint. PostgreSQL skips rows another
/// worker is claiming right now; SQLite has one writer, so the UPDATE alone is enough.
pub async fn claim_next(store: &Store, claim: Claim<'_>) -> StoreResult<Option<ClaimedDelivery>> {
    let lock = match store.backend() {
        Backend::Postgres => "FOR UPDATE OF d SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE webhook_deliveries SET claimed_until = $2, claim_token = $3 WHERE id IN ( \
           SELECT d.id FROM webhook_deliveries d \
           JOIN webhook_endpoints e ON e.id = d.endpoint_id \
           WHERE d.next_attempt_at <= $1 AND e.enabled = 1 \
           AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
           ORDER BY d.next_attempt_at, d.id LIMIT 1 {lock}) \
         RETURNING id, endpoint_id, event_type, payload, attempts"
    );
    sqlx::query_as(&sql)
        .bind(claim.now)
        .bind(claim.until)
        .bind(claim.token)
        .fetch_optional(store.pool())
        .await
}

/// How one attempt ended.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub status: Option<i64>,
    pub error: Option<&'a str>,
    pub now: i64,
    /// When to try again; `None` when delivered.
    pub retry_at: Option<i64>,
}

/// Records an attempt if the claim is still `token`'s; `false` when another worker has
/// taken the delivery meanwhile (nothing is written then).
pub async fn record<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    token: &str,
    o: Outcome<'_>,
) -> StoreResult<bool> {
    let delivered_at = o.retry_at.is_none().then_some(o.now);
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $3, \
         last_status = $4, last_error = $5, next_attempt_at = $6, delivered_at = $7, \
         claim_token = NULL, claimed_until = NULL WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .bind(o.now)
    .bind(o.status)
    .bind(o.error)
    .bind(o.retry_at)
    .bind(delivered_at)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Hands a claimed delivery back untouched (shutdown cut its attempt short).
pub async fn release<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    token: &str,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE webhook_deliveries SET claim_token = NULL, claimed_until = NULL \
         WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Gives up the pending deliveries of a disabled endpoint (Redeliver sends one again).
pub async fn give_up_pending<'e, E: Executor<'e, Database = Any>>(
    e: E,
    endpoint_id: &str,
    now: i64,
) -> StoreResult<u64> {
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = NULL, given_up_at = $2 \
         WHERE endpoint_id = $1 AND next_attempt_at IS NOT NULL",
    )
    .bind(endpoint_id)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected())
}

/// Makes a delivery of this endpoint due again now (same `webhook-id`); `false` when
/// there is no such delivery.
pub async fn redeliver<'e, E: Executor<'e, Database = Any>>(
    e: E,
    endpoint_id: &str,
    id: &str,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = $3, given_up_at = NULL, \
         delivered_at = NULL WHERE endpoint_id = $1 AND id = $2",
    )
    .bind(endpoint_id)
    .bind(id)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// One line of an endpoint's delivery log.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub event_type: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub given_up_at: Option<i64>,
}

/// The endpoint's latest deliveries, newest first.
pub async fn latest<'e, E: Executor<'e, Database = Any>>(
    e: E,
    endpoint_id: &str,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    sqlx::query_as(
        "SELECT id, event_type, created_at, attempts, next_attempt_at, last_attempt_at, \
         last_status, last_error, delivered_at, given_up_at FROM webhook_deliveries \
         WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(e)
    .await
}

/// Deletes finished deliveries (delivered or given up) created before `cutoff`, so the
/// log keeps what is worth reading (the hourly sweep calls it).
pub async fn delete_finished_before<'e, E: Executor<'e, Database = Any>>(
    e: E,
    cutoff: i64,
) -> StoreResult<u64> {
    sqlx::query("DELETE FROM webhook_deliveries WHERE created_at < $1 AND next_attempt_at IS NULL")
        .bind(cutoff)
        .execute(e)
        .await
        .map(|r| r.rows_affected())
}

/// Deliveries still to be sent (retries included), for `/metrics`.
pub async fn queued<'e, E: Executor<'e, Database = Any>>(e: E) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL")
        .fetch_one(e)
        .await
}
