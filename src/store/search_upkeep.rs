//! Keeps SQLite's substring index of the Members list (`member_search`, FTS5) in few
//! segments, and in one when changes stop. Each transaction that changes a membership adds
//! a small segment. A search looks each of its trigrams up in every segment, so at
//! 100,000 members finding the first match of an email domain (fifteen trigrams) took
//! 450 µs among 13 segments and 75 µs in one. Writes do not merge (FTS5's `automerge` is
//! off, migrations/sqlite/0021): `tidy` does, a bounded slice at a time, each slice its
//! own short write transaction with a pause after it, so a writer waiting for the
//! database gets in between two slices.
//!
//! How a slice merges depends on the index's shape (`fts_structure`). A merge in progress
//! goes on ('merge' with a positive number of pages). Else a level crowded with small
//! segments is merged into one. Else, when no change came in since the last look, a merge
//! of everything into one segment starts ('merge' with a negative number: an 'optimize'
//! done incrementally). Starting that while changes keep coming would gather each new
//! small segment into the merge again and add a level each time (at 100,000 members and
//! 50 changes a second: 136 segments, 65 levels).
//! PostgreSQL's trigram index needs nothing of the kind (autovacuum keeps it).

use std::time::Duration;

use crate::config::Backend;

use super::fts_structure::{STRUCTURE_ROWID, Structure};
use super::{Store, StoreResult};

/// Pages of merge work in one write transaction (about 10–20 ms at 100,000 members).
pub const PAGES_PER_SLICE: i64 = 100;

/// When and how much to merge.
#[derive(Debug, Clone, Copy)]
pub struct Tidying {
    /// Merging starts only when the index has more segments than this (or a merge is
    /// under way).
    pub most_segments: i64,
    /// Slices at most, then it stops, whether or not one segment is left.
    pub max_slices: usize,
    /// Before each slice: between two, and before the first to see whether changes are
    /// coming in (a new segment in the meantime).
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
    if store.backend() == Backend::Postgres {
        return Ok(None);
    }
    let shape = decode(&structure_record(store).await?)?;
    Ok(Some(i64::try_from(shape.segments()).unwrap_or(i64::MAX)))
}

/// The substring index's structure record as stored (SQLite only): it changes with every
/// bit of merging done.
async fn structure_record(store: &Store) -> StoreResult<Vec<u8>> {
    sqlx::query_scalar("SELECT block FROM member_search_data WHERE id = $1")
        .bind(STRUCTURE_ROWID)
        .fetch_one(store.pool())
        .await
}

fn decode(record: &[u8]) -> StoreResult<Structure> {
    Structure::decode(record).ok_or_else(|| {
        sqlx::Error::Protocol("the search index's structure record is not one we read".into())
    })
}

/// Levels with this many segments are merged while changes come in (FTS5's 'merge' with a
/// positive number of pages merges a level holding `usermerge` segments, 4 by default).
const CROWDED: u64 = 4;

/// What the next slice does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slice {
    /// Goes on with the merge in progress, or merges a crowded level ('merge', +pages).
    GoOn,
    /// Starts merging everything into one segment ('merge', -pages).
    StartAll,
}

/// The slice `shape` calls for, if any: `most` segments are few enough, and `quiet` says
/// no change came in since the last look.
fn next_slice(shape: &Structure, most: u64, quiet: bool) -> Option<Slice> {
    if shape.merging() || shape.crowded(CROWDED) {
        Some(Slice::GoOn)
    } else if shape.segments() > most && quiet {
        Some(Slice::StartAll)
    } else {
        None
    }
}

/// Merges the index's segments slice by slice, when it has more than `how.most_segments`
/// (then down to one) or a merge is under way, until nothing is left to do or
/// `how.max_slices` are done; returns how many slices were done, or `None` on PostgreSQL.
pub async fn tidy(store: &Store, how: Tidying) -> StoreResult<Option<usize>> {
    if store.backend() == Backend::Postgres {
        return Ok(None);
    }
    let mut record = structure_record(store).await?;
    let mut done = 0;
    while done < how.max_slices {
        let most = if done == 0 { how.most_segments } else { 1 };
        let most = u64::try_from(most).unwrap_or(0);
        let shape = decode(&record)?;
        if shape.segments() <= most && !shape.merging() {
            break;
        }
        tokio::time::sleep(how.pause).await;
        let now = decode(&structure_record(store).await?)?;
        let quiet = now.segments() <= shape.segments();
        let Some(slice) = next_slice(&now, most, quiet) else {
            break;
        };
        let pages = match slice {
            Slice::GoOn => PAGES_PER_SLICE,
            Slice::StartAll => -PAGES_PER_SLICE,
        };
        let mut tx = store.begin_write().await?;
        sqlx::query("INSERT INTO member_search (member_search, rank) VALUES ('merge', $1)")
            .bind(pages)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done += 1;
        let before = std::mem::replace(&mut record, structure_record(store).await?);
        if record == before {
            // Nothing merged (FTS5 found nothing it would merge): stop, not spin.
            break;
        }
    }
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::{Slice, next_slice};
    use crate::store::fts_structure::{Level, Structure};

    fn shape(levels: &[(u64, u64)]) -> Structure {
        Structure {
            levels: levels
                .iter()
                .map(|&(merging, segments)| Level { merging, segments })
                .collect(),
        }
    }

    #[test]
    fn a_merge_in_progress_goes_on_and_one_of_everything_starts_only_when_quiet() {
        let merging = shape(&[(0, 1), (2, 2)]);
        assert_eq!(next_slice(&merging, 1, false), Some(Slice::GoOn));
        let crowded = shape(&[(0, 4), (0, 1)]);
        assert_eq!(next_slice(&crowded, 1, false), Some(Slice::GoOn));
        let spread = shape(&[(0, 3), (0, 2), (0, 1)]);
        assert_eq!(next_slice(&spread, 1, true), Some(Slice::StartAll));
        assert_eq!(next_slice(&spread, 1, false), None, "changes coming in");
        assert_eq!(next_slice(&spread, 6, true), None, "few enough");
        assert_eq!(next_slice(&shape(&[(0, 1)]), 1, true), None, "one segment");
    }
}
