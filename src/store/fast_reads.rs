//! The hottest reads on SQLite (who is asking, a page of members, a search) straight
//! through rusqlite. sqlx's SQLite driver runs each connection on a thread of its own and
//! sends every row across a channel as a copy of each value: for a page of fifty members
//! that hand-over costs more than SQLite's own work. Here a read runs on the request's
//! own thread, on a connection of a small read-only pool with its prepared statement
//! kept, and hands back the finished rows.
//!
//! Why on the request's thread and not tokio's blocking pool: these reads are CPU work
//! on pages already in memory (the file is mapped), bounded by their statements (a page
//! is 51 rows, a count stops at 1,001, a walk at 4,096 entries: at most a millisecond or
//! two at 100,000 members), about what rendering their HTML costs on the same thread.
//! Handing each to another thread and back cost more than that: measured on the Members
//! page at 100,000 members, 472 µs of server CPU per request through the blocking pool
//! (about 14 thread switches each), 348 µs here. A reader never waits long for a lock:
//! WAL readers do not wait for the writer, and when one would (WAL recovery, a
//! checkpoint restarting the log) it gives up after `BUSY_WAIT` and the sqlx path, on
//! threads of its own, answers instead. A long read (a CSV download) runs on the blocking
//! pool with a kept connection lent to it (`store::sqlite_read`).
//!
//! Same SQL text as the sqlx path (`$1`, `$2`, … bound by number, as sqlx binds them), so
//! the two cannot drift apart; the sqlx path stays for PostgreSQL, for an in-memory
//! database, and as the fallback whenever a read here fails. WAL mode lets these readers
//! run beside the writer, and each read sees every transaction committed before it began,
//! by whichever instance: a change shows on the next request.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Row};
use tokio::sync::Semaphore;

use super::remembered::Remembered;

/// How many reads run at once, each on a connection of its own (kept for the next):
/// the rest wait their turn rather than open connections that would be thrown away.
/// Reads run on the runtime's workers, one per core, so more could not run at once.
fn readers() -> usize {
    std::thread::available_parallelism().map_or(4, usize::from)
}

/// How long a read waits for a lock before the sqlx path answers instead: it holds up
/// a runtime worker while it waits.
const BUSY_WAIT: Duration = Duration::from_millis(10);

/// Prepared statements kept per connection.
const STATEMENTS_KEPT: usize = 64;

/// A bound parameter.
#[derive(Debug, Clone)]
pub enum Param<'a> {
    Text(&'a str),
    Int(i64),
}

/// How much of the database file each read connection may map (bytes).
const MAPPED_BYTES: i64 = 1 << 30;

/// Builds a value from one row of a read.
pub trait FromFastRow: Sized + Send + 'static {
    fn from_fast_row(row: &Row<'_>) -> rusqlite::Result<Self>;
}

/// A single number (a count).
impl FromFastRow for i64 {
    fn from_fast_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        row.get(0)
    }
}

/// A text and a number (a deep page's bucket and how many of it to skip).
impl FromFastRow for (String, i64) {
    fn from_fast_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

/// A read-only connection with the reads kept on it (`remembered`).
#[derive(Debug)]
struct Reader {
    conn: Connection,
    remembered: Remembered,
}

/// Read-only connections to one SQLite file.
#[derive(Debug)]
pub struct FastReads {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    /// How many idle connections are kept: every reader's, and as many again for
    /// downloads.
    most_idle: usize,
    readers: Semaphore,
    /// A connection that only asks whether anything was committed (`data_version`).
    watcher: Mutex<Option<Connection>>,
    /// Reads answered here, and reads that failed here and went through sqlx.
    answered: AtomicU64,
    fell_back: AtomicU64,
}

impl FastReads {
    /// For a database URL naming a file (`sqlite://path`, `sqlite:path`); `None` for an
    /// in-memory database, which other connections cannot see.
    pub fn for_url(url: &str) -> Option<Self> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or_default();
        let readers = readers();
        (!path.is_empty()).then(|| Self {
            path: PathBuf::from(path),
            idle: Mutex::new(Vec::new()),
            most_idle: readers * 2,
            readers: Semaphore::new(readers),
            watcher: Mutex::new(None),
            answered: AtomicU64::new(0),
            fell_back: AtomicU64::new(0),
        })
    }

    fn open(&self) -> rusqlite::Result<Reader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        // A reader waits only for WAL recovery or a checkpoint restarting the log; the
        // caller falls back to the sqlx path rather than stall a runtime worker longer.
        conn.busy_timeout(BUSY_WAIT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        // Pages read straight from the mapped file, not copied in from the kernel's cache
        // into each reader's small page cache (a search walks thousands of index pages).
        conn.pragma_update(None, "mmap_size", MAPPED_BYTES)?;
        Ok(Reader {
            conn,
            remembered: Remembered::default(),
        })
    }

    /// A connection for one long read (a CSV download, on the blocking pool), out of the
    /// kept readers: a slow client holds it for as long as it takes, so it waits out a
    /// checkpoint (no fallback once rows have gone out). It is kept again when the read
    /// ends, its memory map of the file still filled in for the next download.
    pub(super) fn with_download_connection<T>(
        &self,
        read: impl FnOnce(&Connection) -> T,
    ) -> rusqlite::Result<T> {
        let reader = self.idle_or_new()?;
        reader.conn.busy_timeout(Duration::from_secs(10))?;
        let out = read(&reader.conn);
        reader.conn.busy_timeout(BUSY_WAIT)?;
        self.give_back(reader);
        Ok(out)
    }

    /// A kept connection, or a new one when none is idle.
    fn idle_or_new(&self) -> rusqlite::Result<Reader> {
        match self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            Some(reader) => Ok(reader),
            None => self.open(),
        }
    }

    /// Keeps `reader` for the next read, unless as many as can be busy at once are kept
    /// (downloads at once may have opened more).
    fn give_back(&self, reader: Reader) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.most_idle
        {
            idle.push(reader);
        }
    }

    /// Every row of `sql` with `params` bound to `$1`, `$2`, … in order, read on the
    /// calling thread once a reader is free (see the module's comment for why).
    pub async fn all<T: FromFastRow>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> rusqlite::Result<Vec<T>> {
        let _turn = self
            .readers
            .acquire()
            .await
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        self.all_now(sql, params)
    }

    /// Several statements in one read transaction, on one connection: they see one
    /// snapshot, and take SQLite's read lock once (a system call or two each time) where
    /// separate reads would take it for each.
    pub async fn together<T>(
        &self,
        reads: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.in_transaction(|reader| reads(&reader.conn)).await
    }

    /// As `together`, but what `reads` gave under `key` is kept on the connection and
    /// given again, without reading, while nothing is committed to the database
    /// (`store::remembered`). Only `Some` is kept; what depends on the time besides the
    /// data is for the caller to check again.
    pub async fn together_remembered<T: Clone + Send + 'static>(
        &self,
        key: &str,
        reads: impl FnOnce(&Connection) -> rusqlite::Result<Option<T>>,
    ) -> rusqlite::Result<Option<T>> {
        self.in_transaction(|reader| reader.remembered.recall_or_read(&reader.conn, key, reads))
            .await
    }

    async fn in_transaction<T>(
        &self,
        reads: impl FnOnce(&mut Reader) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let _turn = self
            .readers
            .acquire()
            .await
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let mut reader = self.idle_or_new()?;
        reader.conn.prepare_cached("BEGIN")?.execute([])?;
        let out = reads(&mut reader);
        // A read-only transaction: ending it either way keeps nothing. A connection whose
        // transaction would not end is not kept.
        let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = reader
            .conn
            .prepare_cached(end)
            .and_then(|mut st| st.execute([]));
        if ended.is_ok() {
            self.give_back(reader);
        }
        let out = ended.and(out);
        let counter = if out.is_ok() {
            &self.answered
        } else {
            &self.fell_back
        };
        counter.fetch_add(1, Ordering::Relaxed);
        out
    }

    /// The database's version of everything in it, from one connection kept for this
    /// alone: it changes whenever any other connection (of this instance or another on
    /// the file) has committed since it was last read, and only then, since this
    /// connection never writes. Comparable only with what this method gave before.
    /// Each call is one read transaction of its own (the pragma begins and ends it).
    pub fn data_version(&self) -> rusqlite::Result<i64> {
        let mut watcher = self
            .watcher
            .lock()
            .map_err(|_| rusqlite::Error::InvalidQuery)?;
        if watcher.is_none() {
            *watcher = Some(self.open()?.conn);
        }
        // Kept whatever the answer (a busy database): a new connection would count its
        // versions afresh, and could give one this gave before for other data.
        let conn = watcher.as_ref().ok_or(rusqlite::Error::InvalidQuery)?;
        conn.prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))
    }

    /// How many reads were answered here, and how many fell back to sqlx.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.answered.load(Ordering::Relaxed),
            self.fell_back.load(Ordering::Relaxed),
        )
    }

    fn all_now<T: FromFastRow>(&self, sql: &str, params: &[Param<'_>]) -> rusqlite::Result<Vec<T>> {
        let reader = self.idle_or_new()?;
        let rows = read(&reader.conn, sql, params);
        if rows.is_ok() {
            self.give_back(reader);
        }
        rows
    }
}

/// Every row of `sql` with `params` on `conn` (a statement of `FastReads::together`).
pub(super) fn read<T: FromFastRow>(
    conn: &Connection,
    sql: &str,
    params: &[Param<'_>],
) -> rusqlite::Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    bind(&mut statement, params)?;
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(T::from_fast_row(row)?);
    }
    Ok(out)
}

/// Binds `params` to `$1`, `$2`, … by number, whatever their order in the text.
pub(super) fn bind(
    statement: &mut rusqlite::Statement<'_>,
    params: &[Param<'_>],
) -> rusqlite::Result<()> {
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(index);
        match params.get(number.wrapping_sub(1)) {
            Some(Param::Text(text)) => statement.raw_bind_parameter(index, *text)?,
            Some(Param::Int(n)) => statement.raw_bind_parameter(index, n)?,
            None => return Err(rusqlite::Error::InvalidParameterCount(number, params.len())),
        }
    }
    Ok(())
}

/// Runs a read here when the store has a fast path, else (or when it fails) `fallback`.
/// Failures are logged: the fallback answers, so a request never fails because of this
/// path.
pub async fn or_sqlx<T, F>(
    fast: Option<&Arc<FastReads>>,
    sql: &str,
    params: &[Param<'_>],
    fallback: F,
) -> super::StoreResult<Vec<T>>
where
    T: FromFastRow,
    F: Future<Output = super::StoreResult<Vec<T>>>,
{
    if let Some(fast) = fast {
        match fast.all(sql, params).await {
            Ok(rows) => {
                fast.answered.fetch_add(1, Ordering::Relaxed);
                return Ok(rows);
            }
            Err(e) => {
                fast.fell_back.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "fast read failed; reading through sqlx");
            }
        }
    }
    fallback.await
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    struct Pair(i64, String);

    impl FromFastRow for Pair {
        fn from_fast_row(row: &Row<'_>) -> rusqlite::Result<Self> {
            Ok(Self(row.get("n")?, row.get("s")?))
        }
    }

    /// A database file with table `t` (n, s) of three rows, and a fast path to it.
    pub(in crate::store) fn reader_with_table() -> (tempdir::Dir, Arc<FastReads>) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("t.db");
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER, s TEXT); \
             INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');",
        )
        .expect("fill");
        let reader = FastReads::for_url(&format!("sqlite://{}?mode=rwc", path.display()))
            .expect("a file URL");
        (dir, Arc::new(reader))
    }

    pub(in crate::store) mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let path =
                    std::env::temp_dir().join(format!("fast-reads-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&path).expect("temp dir");
                Self(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[tokio::test]
    async fn binds_dollar_numbers_by_number_whatever_their_order_in_the_text() {
        let (_dir, reader) = reader_with_table();
        let rows: Vec<Pair> = reader
            .all(
                "SELECT n, s FROM t WHERE s <> $2 AND n >= $1 AND n >= $1 ORDER BY n",
                &[Param::Int(2), Param::Text("c")],
            )
            .await
            .expect("read");
        let got: Vec<(i64, String)> = rows.into_iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(got, vec![(2, "b".to_string())]);
    }

    #[tokio::test]
    async fn a_missing_parameter_is_an_error_not_a_null() {
        let (_dir, reader) = reader_with_table();
        let result: rusqlite::Result<Vec<Pair>> = reader
            .all("SELECT n, s FROM t WHERE n = $2", &[Param::Int(1)])
            .await;
        assert!(result.is_err());
    }

    #[tokio::test]
    async fn reads_together_end_their_transaction_whether_or_not_they_fail() {
        let (dir, reader) = reader_with_table();
        let count = |conn: &Connection| read::<i64>(conn, "SELECT COUNT(*) FROM t", &[]);
        let both = reader
            .together(|conn| Ok((count(conn)?, count(conn)?)))
            .await
            .expect("read");
        assert_eq!(both, (vec![3], vec![3]));
        let failed: rusqlite::Result<()> = reader
            .together(|conn| read::<i64>(conn, "SELECT nothing FROM t", &[]).map(|_| ()))
            .await;
        assert!(failed.is_err());
        // A write from elsewhere shows on the next read: no transaction was left open.
        Connection::open(dir.0.join("t.db"))
            .expect("open")
            .execute("INSERT INTO t VALUES (4, 'd')", [])
            .expect("write");
        let after = reader.together(count).await.expect("read");
        assert_eq!(after, vec![4]);
    }

    #[test]
    fn keeps_no_more_idle_connections_than_can_be_busy_at_once() {
        let (_dir, reader) = reader_with_table();
        for _ in 0..reader.most_idle + 3 {
            reader.give_back(reader.open().expect("open"));
        }
        assert_eq!(reader.idle.lock().expect("lock").len(), reader.most_idle);
    }

    #[test]
    fn in_memory_databases_have_no_fast_path() {
        assert!(FastReads::for_url("sqlite::memory:").is_none());
        assert!(FastReads::for_url("sqlite://x.db?mode=memory&cache=shared").is_none());
    }
}
