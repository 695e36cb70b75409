//! The write behind `/readyz`: one tiny upsert, committed, so a database that refuses
//! writes (full disk, read-only, gone) is noticed by the probe and not only by users.

use super::{Store, StoreResult};

/// Writes the time of this check into the one-row `readiness` table, in a write
/// transaction of its own (on SQLite `BEGIN IMMEDIATE`, held for one statement).
pub async fn touch(store: &Store, now: i64) -> StoreResult<()> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO readiness (id, checked_at) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
