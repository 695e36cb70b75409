//! Keeps SQLite's substring index of the Members list (`member_search`, FTS5) in one
//! segment. Each transaction that changes a membership adds a small segment, and FTS5's
//! own merging folds them only level by level: a bulk load leaves about a dozen, a wave
//! of joins a score. A search looks each of its trigrams up in every segment, so at
//! 100,000 members finding the first match of an email domain (fifteen trigrams) took
//! 450 µs among 13 segments and 75 µs in one. `tidy` merges them a bounded slice at a
//! time (FTS5's 'merge' with a negative number of pages: an 'optimize' done
//! incrementally), each slice its own short write transaction with a pause after it, so a
//! writer waiting for the database gets in between two slices.
//! PostgreSQL's trigram index needs nothing of the kind (autovacuum keeps it).

use std::time::Duration;

use crate::config::Backend;

use super::{Store, StoreResult};

/// Pages of merge work in one write transaction (about 10–20 ms at 100,000 members).
pub const PAGES_PER_SLICE: i64 = 100;

/// When and how much to merge.
#[derive(Debug, Clone, Copy)]
pub struct Tidying {
    /// Merging starts only when the index has more segments than this.
    pub most_segments: i64,
    /// Slices at most, then it stops, whether or not one segment is left.
    pub max_slices: usize,
    /// Between two slices.
    pub pause: Duration,
}

impl Tidying {
    /// Down to one segment, at once (after a bulk load, before any server answers).
    pub const ALL_AT_ONCE: Self = Self {
        most_segments: 1,
        max_slices: usize::MAX,
        pause: Duration::ZERO,
    };
}

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

/// Merges the index's segments slice by slice, when it has more than `how.most_segments`,
/// until one is left or `how.max_slices` are done; returns how many slices were done, or
/// `None` on PostgreSQL.
pub async fn tidy(store: &Store, how: Tidying) -> StoreResult<Option<usize>> {
    let mut done = 0;
    while done < how.max_slices {
        let limit = if done == 0 { how.most_segments } else { 1 };
        match segments(store).await? {
            None => return Ok(None),
            Some(n) if n <= limit => break,
            Some(_) => {}
        }
        if done > 0 {
            tokio::time::sleep(how.pause).await;
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
