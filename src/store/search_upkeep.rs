//! Keeps SQLite's substring index of the Members list (`member_search`, FTS5) in one
//! segment. Each transaction that changes a membership adds a small segment, and FTS5's
//! own merging folds them only level by level: a bulk load leaves about a dozen, a wave
//! of joins a score. A search looks each of its trigrams up in every segment, so at
//! 100,000 members finding the first match of an email domain (fifteen trigrams) took
//! 450 µs among 13 segments and 75 µs in one. `tidy` merges them a bounded slice at a
//! time (FTS5's 'merge' with a negative number of pages: an 'optimize' done
//! incrementally), each slice its own short write transaction, so no writer waits long.
//! PostgreSQL's trigram index needs nothing of the kind (autovacuum keeps it).

use crate::config::Backend;

use super::{Store, StoreResult};

/// Pages of merge work in one write transaction (about 20–40 ms at 100,000 members).
pub const PAGES_PER_SLICE: i64 = 200;

/// How many segments the substring index has now (`None` on PostgreSQL, which has no
/// such index to tidy).
pub async fn segments(store: &Store) -> StoreResult<Option<i64>> {
    match store.backend() {
        Backend::Sqlite => {
            let n = sqlx::query_scalar("SELECT COUNT(DISTINCT segid) FROM member_search_idx")
                .fetch_one(store.pool())
                .await?;
            Ok(Some(n))
        }
        Backend::Postgres => Ok(None),
    }
}

/// Merges the index's segments, slice by slice, until one is left or `max_slices`
/// slices are done; returns how many were done (0 when there was nothing to merge), or
/// `None` on PostgreSQL.
pub async fn tidy(store: &Store, max_slices: usize) -> StoreResult<Option<usize>> {
    let mut done = 0;
    while done < max_slices {
        match segments(store).await? {
            None => return Ok(None),
            Some(n) if n <= 1 => break,
            Some(_) => {}
        }
        let mut tx = store.begin_write().await?;
        sqlx::query("INSERT INTO member_search (member_search, rank) VALUES ('merge', $1)")
            .bind(-PAGES_PER_SLICE)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(Some(done))
}
