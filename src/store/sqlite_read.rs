//! The CSV downloads' read on SQLite: the same SQL as the pool would run, on a kept
//! reader's connection lent to the download (`FastReads::with_download_connection`), each
//! row handed to the writer as the database has it, text borrowed rather than copied. It
//! runs on the blocking pool.

use rusqlite::types::ValueRef;
use tokio::sync::mpsc;

use super::StoreResult;
use super::fast_reads::{self, FastReads, Param};
use super::listing::{Chunk, Columns, Listing, WriteRow};

/// A read of SQLite's that failed, as the store's error.
fn failed(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Protocol(format!("SQLite read: {e}"))
}

/// `listing::write_rows` on SQLite: runs `sql` with `params` as `$1`, `$2`, … and sends
/// each full chunk with a blocking send.
pub(super) fn write_rows<L: Listing>(
    fast: &FastReads,
    sql: &str,
    params: &[Param<'_>],
    write: WriteRow<L>,
    chunks: &mpsc::Sender<String>,
) -> StoreResult<()> {
    fast.with_download_connection(|conn| write_with::<L>(conn, sql, params, write, chunks))
        .map_err(failed)?
}

fn write_with<L: Listing>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Param<'_>],
    write: WriteRow<L>,
    chunks: &mpsc::Sender<String>,
) -> StoreResult<()> {
    let mut statement = conn.prepare(sql).map_err(failed)?;
    fast_reads::bind(&mut statement, params).map_err(failed)?;
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
}
