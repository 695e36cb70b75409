//! A CSV file streamed to the browser as its rows arrive from the database (members, audit
//! log): a header line, then the rows in chunks of about 64 kB written by the store as it
//! reads them, a few chunks queued at most, so memory stays flat however many there are.
//! The status line has gone out before the first row is read, so a database error
//! part-way can no longer turn into an error page: instead the body ends with an error,
//! hyper cuts the connection without the final chunk, and the browser or `curl` reports
//! a failed download rather than saving a file that silently lacks rows.

use std::fmt::Display;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Chunks queued between the database and the socket.
const QUEUED_CHUNKS: usize = 4;

/// The download `filename`: `header` (with its line end), then the chunks `fill` sends,
/// `fill` running on its own task. When `fill` fails the body fails too.
pub fn attachment<F, E>(
    header: &'static str,
    filename: &str,
    fill: impl FnOnce(mpsc::Sender<String>) -> F,
) -> Response
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Display + Send + 'static,
{
    let (tx, rx) = mpsc::channel(QUEUED_CHUNKS);
    let filler = tokio::spawn(fill(tx));
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok(chunk), rx))
    });
    let body = futures_util::stream::once(async move { Ok(header.to_string()) })
        .chain(chunks)
        .chain(
            futures_util::stream::once(outcome(filler, filename.to_string()))
                .filter_map(|end| async move { end.err().map(Err) }),
        );
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

/// How the rows ended (their sender is gone once `filler` returns): an error aborts the
/// response, and is logged here since the person downloading only sees a failed download.
async fn outcome<E: Display>(
    filler: JoinHandle<Result<(), E>>,
    filename: String,
) -> Result<(), std::io::Error> {
    let error = match filler.await {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    tracing::error!(file = %filename, error = %error, "CSV download aborted part-way");
    Err(std::io::Error::other(format!(
        "the CSV download stopped part-way: {error}"
    )))
}
