//! A CSV file streamed to the browser as its rows arrive from the database (members, audit
//! log): a header line, then rows in chunks, so memory stays flat however many there are.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Rows per chunk of the body (and twice that queued between database and socket).
pub const CHUNK_ROWS: usize = 500;

/// The channel a database task fills with rows for `attachment`.
pub fn channel<T>() -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
    mpsc::channel(CHUNK_ROWS * 2)
}

/// The download: `header` (with its line end), then one `line` per row received.
pub fn attachment<T: Send + 'static>(
    rows: mpsc::Receiver<T>,
    header: &'static str,
    line: fn(&T) -> String,
    filename: &str,
) -> Response {
    let rows = futures_util::stream::unfold(rows, |mut rx| async move {
        rx.recv().await.map(|row| (row, rx))
    });
    let body = futures_util::stream::once(async move { header.to_string() })
        .chain(
            rows.ready_chunks(CHUNK_ROWS)
                .map(move |chunk| chunk.iter().map(line).collect::<String>()),
        )
        .map(Ok::<_, std::convert::Infallible>);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
