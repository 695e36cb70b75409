//! A page sent in the pieces it was made of. The Members page's results are kept rendered
//! (`render_cache`) and are most of the page; copying their 40 kB into every page was a
//! fifth of a kept page's instructions. So the page around them is rendered with a marker
//! where they go, and the piece before the marker, the kept results and the piece after
//! go to the socket as they are (one `writev`), with an exact length.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

/// Where kept HTML goes in a page rendered around it. Everything a template writes from
/// data is escaped, so no data can contain it.
pub const KEPT_HTML_HERE: &str = "<!--kept-->";

/// An HTML response: `page` with `kept` in place of its first `KEPT_HTML_HERE`; an error
/// when the template left the marker out.
pub fn html_around(page: String, kept: Bytes) -> anyhow::Result<Response> {
    // memchr's search, many bytes at a time: `str::find` over the ~9 kB before the
    // marker was 6 % of a kept page's instructions.
    let at = memchr::memmem::find(page.as_bytes(), KEPT_HTML_HERE.as_bytes())
        .ok_or_else(|| anyhow::anyhow!("the page has no place for its kept HTML"))?;
    let page = Bytes::from(page);
    let pieces = VecDeque::from([
        page.slice(..at),
        kept,
        page.slice(at + KEPT_HTML_HERE.len()..),
    ]);
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body(pieces),
    )
        .into_response())
}

/// A body sending `pieces` as they are, one frame each, with an exact length.
pub fn body(pieces: impl Into<VecDeque<Bytes>>) -> Body {
    Body::new(Pieces::new(pieces.into()))
}

/// A body of byte pieces sent one frame each, its whole length known at the start.
struct Pieces {
    pieces: VecDeque<Bytes>,
    left: u64,
}

impl Pieces {
    fn new(pieces: VecDeque<Bytes>) -> Self {
        let left = pieces.iter().map(|p| p.len() as u64).sum();
        Self { pieces, left }
    }
}

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let next = self.pieces.pop_front();
        if let Some(piece) = &next {
            self.left -= piece.len() as u64;
        }
        Poll::Ready(next.map(|piece| Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn sent(response: Response) -> (Option<u64>, String) {
        let exact = http_body::Body::size_hint(response.body()).exact();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        (exact, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
    }

    #[tokio::test]
    async fn the_kept_piece_goes_where_the_marker_was_with_an_exact_length() {
        let page = format!("<main>{KEPT_HTML_HERE}</main><p>{KEPT_HTML_HERE}</p>");
        let kept = Bytes::from_static(b"<table></table>");
        let (exact, body) = sent(html_around(page, kept).expect("a page")).await;
        let want = format!("<main><table></table></main><p>{KEPT_HTML_HERE}</p>");
        assert_eq!(body, want);
        assert_eq!(exact, Some(want.len() as u64));
    }

    #[test]
    fn a_page_without_the_marker_is_an_error_not_a_page_without_its_results() {
        assert!(html_around("<p>x</p>".into(), Bytes::from_static(b"kept")).is_err());
    }
}
