//! The mail outbox: emails committed with the change that causes them, delivered later
//! by the worker one at a time under a claim whose token fences the outcome, retried with
//! backoff until sent or given up (`failed_at`). States: queued (none of `sent_at`,
//! `cancelled_at`, `failed_at` set), sent, cancelled, failed.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::{Store, StoreResult};
use crate::config::Backend;

/// An email ready to be written to the outbox.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
    /// What kind of email this is (`verify_email`, `invitation`, ...), for logs and tests.
    pub kind: &'a str,
    /// What it is about (an invitation id, ...), so it can be cancelled with its cause.
    pub ref_id: Option<&'a str>,
    pub now: i64,
}

pub async fn enqueue<'e, E: Executor<'e, Database = Any>>(e: E, m: NewMail<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, kind, ref_id, created_at, \
         next_attempt_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0)",
    )
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.text_body)
    .bind(m.html_body)
    .bind(m.kind)
    .bind(m.ref_id)
    .bind(m.now)
    .execute(e)
    .await
    .map(|_| ())
}

/// Emails per multi-row INSERT (eight parameters each).
const MAILS_PER_INSERT: usize = 100;

/// Writes many emails to the outbox, a hundred per statement (an Invite submission of
/// a thousand addresses), in the caller's transaction.
pub async fn enqueue_many(conn: &mut AnyConnection, mails: &[NewMail<'_>]) -> StoreResult<()> {
    for chunk in mails.chunks(MAILS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, kind, ref_id, \
             created_at, next_attempt_at, attempts){}",
            super::values("(?, ?, ?, ?, ?, ?, ?, ?, 0)", chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for m in chunk {
            query = query
                .bind(m.recipient)
                .bind(m.subject)
                .bind(m.text_body)
                .bind(m.html_body)
                .bind(m.kind)
                .bind(m.ref_id)
                .bind(m.now)
                .bind(m.now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A claimed email, ready to hand to the transport.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub kind: String,
    pub attempts: i64,
    pub created_at: i64,
    /// The token of this claim: only its holder may record how the attempt ended.
    pub claim_token: String,
}

/// One worker's claim on one email: a random token, valid until `until`.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub token: &'a str,
    pub now: i64,
    pub until: i64,
}

/// Claims the next due email for one worker until `claim.until`, so other workers (other
/// instances) skip it meanwhile; a claim that ran out may be taken again, with a new
/// token. PostgreSQL skips a row another worker is claiming right now; SQLite has a single
/// writer, so the UPDATE alone is enough.
pub async fn claim_next(store: &Store, claim: Claim<'_>) -> StoreResult<Option<QueuedMail>> {
    let lock = match store.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE mail_outbox SET claimed_until = $2, claim_token = $3 WHERE id IN ( \
           SELECT id FROM mail_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL \
           AND failed_at IS NULL AND next_attempt_at <= $1 \
           AND (claimed_until IS NULL OR claimed_until <= $1) \
           ORDER BY next_attempt_at, id LIMIT 1 {lock}) \
         RETURNING id, recipient, subject, text_body, html_body, kind, attempts, created_at, \
         claim_token"
    );
    sqlx::query_as(&sql)
        .bind(claim.now)
        .bind(claim.until)
        .bind(claim.token)
        .fetch_optional(store.pool())
        .await
}

/// Records a delivery. `false` when the claim was no longer this worker's (it ran out and
/// another worker took the email): nothing is written then.
pub async fn mark_sent<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
    token: &str,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE mail_outbox SET sent_at = $3, claimed_until = NULL, claim_token = NULL, \
         attempts = attempts + 1 WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Records a failed attempt and when to try again, if the claim is still this worker's.
pub async fn retry_later<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
    token: &str,
    error: &str,
    next_attempt_at: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4, \
         claimed_until = NULL, claim_token = NULL WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .bind(error)
    .bind(next_attempt_at)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Gives up on an email for good (refused by the server, or undeliverable for too long),
/// if the claim is still this worker's. It is never tried again.
pub async fn mark_failed<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
    token: &str,
    reason: &str,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, failed_at = $4, \
         claimed_until = NULL, claim_token = NULL WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .bind(reason)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Hands a claimed email back untouched (its send was cut short by shutdown), so any
/// worker may take it at once.
pub async fn release<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
    token: &str,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE mail_outbox SET claimed_until = NULL, claim_token = NULL \
         WHERE id = $1 AND claim_token = $2",
    )
    .bind(id)
    .bind(token)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Cancels the not-yet-sent emails about `ref_id` (e.g. a revoked invitation's). An email
/// a worker is handing to SMTP right now cannot be called back, but it is cancelled all
/// the same: if that attempt fails it is never retried (if it succeeds, `sent_at` says so).
pub async fn cancel_by_ref<'e, E: Executor<'e, Database = Any>>(
    e: E,
    ref_id: &str,
    now: i64,
) -> StoreResult<u64> {
    sqlx::query(
        "UPDATE mail_outbox SET cancelled_at = $2 WHERE ref_id = $1 AND sent_at IS NULL \
         AND cancelled_at IS NULL AND failed_at IS NULL",
    )
    .bind(ref_id)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected())
}

/// How many emails wait to be sent (retries included), and how many failed for good
/// (refused, or given up on), for `/metrics`.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct Depth {
    pub queued: i64,
    pub failed: i64,
}

pub async fn depth<'e, E: Executor<'e, Database = Any>>(e: E) -> StoreResult<Depth> {
    sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END), 0) AS queued, \
         COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END), 0) AS failed \
         FROM mail_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL",
    )
    .fetch_one(e)
    .await
}
