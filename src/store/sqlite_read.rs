//! SQLite's fast path for reading a long list once (the CSV downloads): a connection of
//! its own, opened for the one download on a blocking thread, that only reads
//! (`query_only`) and maps the database file rather than copying each page it visits
//! into a small cache. The same SQL as the pool runs, `$N` parameters included; writes
//! never come this way.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;

use super::StoreResult;
use super::listing::{Chunk, Columns, Listing, WriteRow};

/// How much of the database file the connection may map (bytes).
const MMAP_BYTES: i64 = 1 << 30;

/// A read of SQLite's that failed, as the store's error.
fn failed(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Protocol(format!("SQLite read: {e}"))
}

fn opened(file: &str) -> StoreResult<Connection> {
    // Read-write flags with `query_only`: a read-only open of a WAL database may fail
    // when it cannot write the shared-memory index.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file, flags).map_err(failed)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(failed)?;
    conn.execute_batch(&format!(
        "PRAGMA query_only = 1; PRAGMA mmap_size = {MMAP_BYTES};"
    ))
    .map_err(failed)?;
    Ok(conn)
}

/// `listing::write_rows` on SQLite: runs `sql` with `params` as `$1`, `$2`, … and sends
/// each full chunk with a blocking send (this runs on a blocking thread).
pub(super) fn write_rows<L: Listing>(
    file: &str,
    sql: &str,
    params: &[String],
    write: WriteRow<L>,
    chunks: &mpsc::Sender<String>,
) -> StoreResult<()> {
    let conn = opened(file)?;
    let mut statement = conn.prepare(sql).map_err(failed)?;
    for i in 1..=statement.parameter_count() {
        let value = statement
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| params.get(n.checked_sub(1)?))
            .ok_or_else(|| failed(format!("no value for parameter {i} of {sql}")))?;
        statement.raw_bind_parameter(i, value).map_err(failed)?;
    }
    let mut rows = statement.raw_query();
    let mut chunk = Chunk::new();
    while let Some(row) = rows.next().map_err(failed)? {
        if let Some(full) = chunk.push::<L>(&L::read(row)?, write)
            && chunks.blocking_send(full).is_err()
        {
            return Ok(());
        }
    }
    if let Some(rest) = chunk.rest() {
        let _ = chunks.blocking_send(rest);
    }
    Ok(())
}

fn value<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> StoreResult<ValueRef<'r>> {
    row.get_ref(i).map_err(failed)
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> StoreResult<&str> {
        value(self, i)?.as_str().map_err(failed)
    }
    fn text_or_null(&self, i: usize) -> StoreResult<Option<&str>> {
        value(self, i)?.as_str_or_null().map_err(failed)
    }
    fn int(&self, i: usize) -> StoreResult<i64> {
        value(self, i)?.as_i64().map_err(failed)
    }
    fn int_or_null(&self, i: usize) -> StoreResult<Option<i64>> {
        value(self, i)?.as_i64_or_null().map_err(failed)
    }
}
