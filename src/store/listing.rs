//! What the filtered lists (the Members page, the Audit log) share: their filters are text
//! parameters bound in order, and their CSV downloads stream every match through a
//! bounded channel so memory stays flat however many there are.

use futures_util::{Stream, TryStreamExt};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::QueryAs;
use sqlx::{Any, AnyPool, FromRow};
use tokio::sync::mpsc;

use super::StoreResult;

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

/// Sends every row `sql` selects into `rows`, one at a time. Stops early when the
/// receiver goes away.
pub(super) async fn send_rows<T>(
    pool: &AnyPool,
    sql: &str,
    params: Vec<String>,
    rows: mpsc::Sender<T>,
) -> StoreResult<()>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    stream_into(bind_all(sqlx::query_as(sql), params).fetch(pool), rows).await
}

/// Sends the rows of `stream` into `rows`, one at a time, until either ends.
pub(super) async fn stream_into<T>(
    mut stream: impl Stream<Item = StoreResult<T>> + Unpin,
    rows: mpsc::Sender<T>,
) -> StoreResult<()> {
    while let Some(row) = stream.try_next().await? {
        if rows.send(row).await.is_err() {
            break;
        }
    }
    Ok(())
}
