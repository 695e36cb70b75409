//! Failed sign-in counters, kept in the database so every instance sees the same ones.

use sqlx::{Any, Executor};

use super::StoreResult;

/// The latest lock among `keys` that is still in force, if any.
pub async fn locked_until<'e, E: Executor<'e, Database = Any>>(
    e: E,
    keys: &[String],
    now: i64,
) -> StoreResult<Option<i64>> {
    // Keys are few (three); a fixed-arity IN keeps the SQL portable.
    let pad = |i: usize| keys.get(i).map_or("", String::as_str);
    sqlx::query_scalar(
        "SELECT MAX(locked_until) FROM sign_in_throttle WHERE key IN ($1, $2, $3) AND locked_until > $4",
    )
    .bind(pad(0))
    .bind(pad(1))
    .bind(pad(2))
    .bind(now)
    .fetch_one(e)
    .await
}

/// A counting rule: `limit` failures within `window` seconds lock the key for `lock` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub window: i64,
    pub limit: i64,
    pub lock: i64,
}

/// Counts one attempt against `key` before its outcome is known (a reservation), starting
/// a new window when the old one has passed and setting the lock when the count reaches
/// the limit — all in one statement, so a burst cannot slip past the count. Returns
/// whether this attempt may go ahead: within the limit and not under an earlier lock.
pub async fn reserve<'e, E: Executor<'e, Database = Any>>(
    e: E,
    key: &str,
    rule: Rule,
    now: i64,
) -> StoreResult<Reservation> {
    let (failures, locked_until): (i64, i64) = sqlx::query_as(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, CASE WHEN $4 <= 1 THEN $2 + $5 ELSE 0 END) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN sign_in_throttle.window_started_at <= $2 - $3 THEN 1 \
                      ELSE sign_in_throttle.failures + 1 END, \
           window_started_at = CASE WHEN sign_in_throttle.window_started_at <= $2 - $3 THEN $2 \
                      ELSE sign_in_throttle.window_started_at END, \
           locked_until = CASE WHEN sign_in_throttle.window_started_at > $2 - $3 \
                      AND sign_in_throttle.failures + 1 >= $4 THEN $2 + $5 \
                      ELSE sign_in_throttle.locked_until END \
         RETURNING failures, locked_until",
    )
    .bind(key)
    .bind(now)
    .bind(rule.window)
    .bind(rule.limit)
    .bind(rule.lock)
    .fetch_one(e)
    .await?;
    // At the limit, the lock is this attempt's own (it may still go ahead); below it, a
    // lock in force is an earlier window's.
    let refused = failures > rule.limit || (locked_until > now && failures < rule.limit);
    Ok(Reservation {
        allowed: !refused,
        locked_until,
    })
}

/// The outcome of [`reserve`].
#[derive(Debug, Clone, Copy)]
pub struct Reservation {
    pub allowed: bool,
    pub locked_until: i64,
}

/// Gives back a reservation whose attempt succeeded: it was not a failure.
pub async fn refund<'e, E: Executor<'e, Database = Any>>(e: E, key: &str) -> StoreResult<()> {
    sqlx::query("UPDATE sign_in_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
        .bind(key)
        .execute(e)
        .await
        .map(|_| ())
}

/// Forgets the failures of a key (after a successful sign-in).
pub async fn clear<'e, E: Executor<'e, Database = Any>>(e: E, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1")
        .bind(key)
        .execute(e)
        .await
        .map(|_| ())
}
