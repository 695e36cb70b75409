//! Failed sign-in counters, kept in the database so every instance sees the same ones.
//! Each attempt is reserved (counted) before its password is checked; a success gives
//! its reservation back.

use sqlx::{Any, Executor};

use super::StoreResult;

/// A counting rule: `limit` failures within `window` seconds lock the key for `lock` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub window: i64,
    pub limit: i64,
    pub lock: i64,
}

/// Counts one attempt against `key` before its outcome is known (a reservation): refused
/// while a lock is in force; otherwise counted, starting a new window when the old one
/// has passed and setting the lock when the count reaches the limit. The key's row is
/// made to exist and then taken (row lock) before it is read, so concurrent attempts
/// queue on it: of a burst, only the attempts that fit under the limit go ahead. Run it
/// inside a write transaction.
pub async fn reserve(
    conn: &mut sqlx::AnyConnection,
    key: &str,
    rule: Rule,
    now: i64,
) -> StoreResult<Reservation> {
    sqlx::query(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 0, $2, 0) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // A no-op UPDATE takes the row (PostgreSQL's row lock; SQLite's write lock is the
    // transaction's) and reads it.
    let (failures, window_started_at, locked_until): (i64, i64, i64) = sqlx::query_as(
        "UPDATE sign_in_throttle SET failures = failures WHERE key = $1 \
         RETURNING failures, window_started_at, locked_until",
    )
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    if locked_until > now {
        return Ok(Reservation {
            allowed: false,
            locked_until,
        });
    }
    let (count, started) = if window_started_at <= now - rule.window {
        (1, now)
    } else {
        (failures + 1, window_started_at)
    };
    let lock = if count >= rule.limit {
        now + rule.lock
    } else {
        locked_until
    };
    sqlx::query(
        "UPDATE sign_in_throttle SET failures = $2, window_started_at = $3, locked_until = $4 \
         WHERE key = $1",
    )
    .bind(key)
    .bind(count)
    .bind(started)
    .bind(lock)
    .execute(&mut *conn)
    .await?;
    Ok(Reservation {
        allowed: true,
        locked_until: lock,
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
    sqlx::query(
        "UPDATE sign_in_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0",
    )
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

/// Deletes counters that can no longer refuse anything: windows (at most an hour) that
/// started over a day ago and locks no longer in force. Returns how many went.
pub async fn sweep<'e, E: Executor<'e, Database = Any>>(e: E, now: i64) -> StoreResult<u64> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE window_started_at < $1 AND locked_until < $2")
        .bind(now - 86_400)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected())
}
