//! What reads on one SQLite connection gave, kept until anything is committed to the
//! database. Every signed-in request reads its session and who is asking (the account,
//! every membership and workspace): a third of a kept Members page's work, though those
//! rows change rarely. SQLite's `PRAGMA data_version`, read inside the read transaction,
//! changes whenever another connection — of this process or any other instance on the
//! file — has committed since this connection's last transaction (these connections
//! never write). While it stays the same, the database is exactly as when the kept
//! results were read, so they are what reading again would give: a change still shows on
//! the next request, on every instance.

use std::any::Any;
use std::collections::HashMap;

use rusqlite::Connection;

/// Reads kept per connection at most; all are dropped when full (they are cheap to read
/// again, and this bounds the memory a stream of different sessions can take).
const MOST_KEPT: usize = 512;

/// One connection's kept reads and the data version they were read at.
#[derive(Default)]
pub(super) struct Remembered {
    version: Option<i64>,
    kept: HashMap<String, Box<dyn Any + Send>>,
}

impl std::fmt::Debug for Remembered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remembered")
            .field("version", &self.version)
            .field("kept", &self.kept.len())
            .finish()
    }
}

impl Remembered {
    /// What `read` gives on `conn`, which is in a read transaction: kept under `key` from
    /// an earlier transaction on the same connection when nothing was committed since.
    /// Only `Some` is kept.
    pub(super) fn recall_or_read<T: Clone + Send + 'static>(
        &mut self,
        conn: &Connection,
        key: &str,
        read: impl FnOnce(&Connection) -> rusqlite::Result<Option<T>>,
    ) -> rusqlite::Result<Option<T>> {
        // Starts the transaction's snapshot (it reads the database), so what follows is
        // read at exactly this version.
        let version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        if self.version != Some(version) {
            self.kept.clear();
            self.version = Some(version);
        }
        if let Some(kept) = self.kept.get(key).and_then(|k| k.downcast_ref::<T>()) {
            return Ok(Some(kept.clone()));
        }
        let fresh = read(conn)?;
        if let Some(fresh) = &fresh {
            if self.kept.len() >= MOST_KEPT {
                self.kept.clear();
            }
            self.kept.insert(key.to_string(), Box::new(fresh.clone()));
        }
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rusqlite::Connection;

    use crate::store::fast_reads::tests::reader_with_table;
    use crate::store::fast_reads::{FastReads, read};

    /// The count of `t`, remembered under "count", counting the reads that ran.
    async fn count(fast: &FastReads, reads: &AtomicUsize) -> i64 {
        let counted = fast.together_remembered("count", |conn| {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok(read::<i64>(conn, "SELECT COUNT(*) FROM t", &[])?.pop())
        });
        counted.await.expect("read").expect("a count")
    }

    #[tokio::test]
    async fn a_read_is_given_again_until_anything_is_committed() {
        let (dir, fast) = reader_with_table();
        let reads = AtomicUsize::new(0);
        assert_eq!(count(&fast, &reads).await, 3);
        assert_eq!(count(&fast, &reads).await, 3);
        assert_eq!(reads.load(Ordering::SeqCst), 1, "the second was remembered");
        let writer = Connection::open(dir.0.join("t.db")).expect("open");
        writer
            .execute("INSERT INTO t VALUES (4, 'd')", [])
            .expect("write");
        assert_eq!(
            count(&fast, &reads).await,
            4,
            "a commit elsewhere shows at once"
        );
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        // A commit to another table counts too: nothing tells what a read depended on.
        writer.execute("CREATE TABLE u (x)", []).expect("write");
        assert_eq!(count(&fast, &reads).await, 4);
        assert_eq!(reads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn what_is_kept_was_read_at_the_version_it_is_kept_under() {
        let (dir, fast) = reader_with_table();
        let writer = Connection::open(dir.0.join("t.db")).expect("open");
        // A commit after the version was read but before the rows were: the transaction
        // still reads as of that version, so nothing newer is kept under it.
        let counted = fast.together_remembered("count", |conn| {
            writer.execute("INSERT INTO t VALUES (4, 'd')", [])?;
            Ok(read::<i64>(conn, "SELECT COUNT(*) FROM t", &[])?.pop())
        });
        assert_eq!(
            counted.await.expect("read"),
            Some(3),
            "the snapshot began first"
        );
        let reads = AtomicUsize::new(0);
        assert_eq!(
            count(&fast, &reads).await,
            4,
            "and the commit shows next time"
        );
    }

    #[tokio::test]
    async fn nothing_found_is_not_kept() {
        let (_dir, fast) = reader_with_table();
        let reads = AtomicUsize::new(0);
        for _ in 0..2 {
            let none: Option<i64> = fast
                .together_remembered("none", |_| {
                    reads.fetch_add(1, Ordering::SeqCst);
                    Ok(None)
                })
                .await
                .expect("read");
            assert!(none.is_none());
        }
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }
}
