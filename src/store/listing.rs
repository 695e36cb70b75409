//! What the filtered lists (the Members page, the Audit log) share: their filters are text
//! parameters bound in order, and their CSV downloads read every match once, in order,
//! each row written (by the caller's function, borrowing the row's text where it can)
//! into chunks of about 64 kB that go out through a small bounded channel, so memory
//! stays flat however many there are. On SQLite the rows are read on the blocking pool
//! through a kept read connection lent to the download (`sqlite_read`): sqlx's SQLite
//! driver hands each row over a channel from its worker thread, copying every value,
//! which cost more than the rest of the download.

use futures_util::TryStreamExt;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::QueryAs;
use sqlx::{Any, Row};
use tokio::sync::mpsc;

use super::member_pages::Statement;
use super::{Store, StoreResult};

/// About how many bytes each chunk of a download holds.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// `query` with `params` bound as its next parameters, in order.
pub(super) fn bind_all<'q, O>(
    mut query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    params: Vec<String>,
) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
    for param in params {
        query = query.bind(param);
    }
    query
}

/// A row's columns by position, whichever way it was read; text is borrowed from it.
pub trait Columns {
    fn text(&self, i: usize) -> StoreResult<&str>;
    fn text_or_null(&self, i: usize) -> StoreResult<Option<&str>>;
    fn int(&self, i: usize) -> StoreResult<i64>;
}

impl Columns for AnyRow {
    fn text(&self, i: usize) -> StoreResult<&str> {
        self.try_get(i)
    }
    fn text_or_null(&self, i: usize) -> StoreResult<Option<&str>> {
        self.try_get(i)
    }
    fn int(&self, i: usize) -> StoreResult<i64> {
        self.try_get(i)
    }
}

/// A list whose rows a download reads: `Row<'r>` may borrow from the database's row.
pub trait Listing {
    type Row<'r>;
    fn read<C: Columns>(row: &C) -> StoreResult<Self::Row<'_>>;
}

/// Appends one row to a chunk (a CSV line, say).
pub type WriteRow<L> = for<'r> fn(&<L as Listing>::Row<'r>, &mut String);

/// A chunk being filled.
pub(super) struct Chunk(String);

impl Chunk {
    pub fn new() -> Self {
        Self(String::with_capacity(CHUNK_BYTES + 4096))
    }

    /// Writes one row; the full chunk comes back when this row filled it.
    pub fn push<L: Listing>(&mut self, row: &L::Row<'_>, write: WriteRow<L>) -> Option<String> {
        write(row, &mut self.0);
        (self.0.len() >= CHUNK_BYTES).then(|| std::mem::replace(self, Self::new()).0)
    }

    /// What is left at the end, if anything.
    pub fn rest(self) -> Option<String> {
        (!self.0.is_empty()).then_some(self.0)
    }
}

/// Writes every row `st` selects, in order, into chunks sent to `chunks`. Stops early,
/// without error, when the receiver goes away; a row that cannot be read ends it with
/// that error (the download then fails rather than ending short).
pub(super) async fn write_rows<L: Listing + 'static>(
    store: &Store,
    st: Statement,
    write: WriteRow<L>,
    chunks: mpsc::Sender<String>,
) -> StoreResult<()> {
    if let Some(fast) = store.fast_reads() {
        let fast = fast.clone();
        return tokio::task::spawn_blocking(move || {
            super::sqlite_read::write_rows::<L>(&fast, &st.sql, &st.fast_params(), write, &chunks)
        })
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
    }
    let mut rows = st.bind_query(sqlx::query(&st.sql)).fetch(store.pool());
    let mut chunk = Chunk::new();
    while let Some(row) = rows.try_next().await? {
        if let Some(full) = chunk.push::<L>(&L::read(&row)?, write)
            && chunks.send(full).await.is_err()
        {
            return Ok(());
        }
    }
    if let Some(rest) = chunk.rest() {
        let _ = chunks.send(rest).await;
    }
    Ok(())
}
