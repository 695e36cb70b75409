//! Whole Members pages kept for the session that asked for them, and given again to the
//! same session cookie for the same address while nothing at all has been committed to
//! the database since they were made. A kept page skips the session cookie's signature
//! check, the session and account reads, the timeouts and the page around the results:
//! about two thirds of what a page whose results are kept (`render_cache`) still costs.
//!
//! Why that is safe: the database's data version (`Store::data_version`), read before
//! the page is made, changes with every commit by any connection of any instance. Every
//! change a page could show, and every change to who may see it — a role, a removal, a
//! suspension, a password, a sign-out, a session written back — is a commit, so a kept
//! page is given only while the database is exactly as when it was made. What changes
//! without a commit is the time: a page is kept only while its session needs nothing
//! done (`session::SessionFresh`: no timeout passed, no activity write due, the stored
//! session not ended). The key holds the whole `Cookie` header, so only the browser
//! holding that signed session cookie can be given the page; the address, query
//! included, names the rest of what the page was made from. Only responses the handler
//! marks `Keepable` are kept (full pages, not htmx fragments, not Pending invitations,
//! whose expiry depends on the time), and never one that sets a cookie.
//!
//! PostgreSQL has no such version: nothing is kept there, and a capacity of 0 (the
//! same setting as the kept results) keeps nothing either.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::pieces;
use super::render_cache::KeptCache;
use super::session::SessionFresh;
use crate::clock::Clock;
use crate::error::AppError;
use crate::store::Store;

/// The one page kept whole.
const KEPT_ROUTE: &str = "/w/{slug}/members";

/// Set by a handler on a response that may be kept whole for its session.
#[derive(Debug, Clone, Copy)]
pub struct Keepable;

/// Pages kept whole, with what they are given again under.
#[derive(Debug, Clone)]
pub struct KeptPages {
    store: Store,
    clock: Clock,
    pages: KeptCache<Arc<KeptPage>>,
}

#[derive(Debug)]
struct KeptPage {
    /// The database's data version read before the page was made.
    version: i64,
    fresh: SessionFresh,
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

impl KeptPages {
    pub fn new(store: Store, clock: Clock, capacity: usize) -> Self {
        Self {
            store,
            clock,
            pages: KeptCache::new(capacity),
        }
    }

    /// Whether `page` is still what this request would be given now.
    fn still_true(&self, page: &KeptPage, version: i64) -> bool {
        page.version == version
            && self.clock.now() < page.fresh.until
            && time::OffsetDateTime::now_utc().unix_timestamp() < page.fresh.ends_at
    }
}

/// Gives a kept page when one is still true for this request; otherwise makes the
/// response and keeps it when it may be kept.
pub async fn give_or_keep(State(kept): State<KeptPages>, request: Request, next: Next) -> Response {
    let Some(key) = key(&request).filter(|_| !kept.pages.keeps_nothing()) else {
        return next.run(request).await;
    };
    // Read before the page is made: a commit after this read makes the page kept under
    // it never given again, whatever the page read.
    let Some(version) = kept.store.data_version() else {
        return next.run(request).await;
    };
    if let Some(page) = kept.pages.get(&key)
        && kept.still_true(&page, version)
    {
        return page.response();
    }
    let response = next.run(request).await;
    keep(&kept, key, version, response).await
}

/// The key of a request whose page may have been kept: a GET of the kept route with a
/// cookie, not from htmx (which asks for parts of the page).
fn key(request: &Request) -> Option<String> {
    let route = request.extensions().get::<MatchedPath>()?;
    let headers = request.headers();
    if request.method() != Method::GET
        || route.as_str() != KEPT_ROUTE
        || headers.contains_key("hx-request")
    {
        return None;
    }
    let mut key = request.uri().path_and_query()?.as_str().to_string();
    let mut cookies = headers.get_all(header::COOKIE).iter().peekable();
    cookies.peek()?;
    for cookie in cookies {
        key.push('\n');
        key.push_str(cookie.to_str().ok()?);
    }
    Some(key)
}

/// Keeps `response` under `key` and `version` when the handler marked it keepable for a
/// signed-in session, it succeeded and it sets no cookie; gives it on either way.
async fn keep(kept: &KeptPages, key: String, version: i64, response: Response) -> Response {
    let fresh = response.extensions().get::<SessionFresh>().copied();
    let keepable = response.extensions().get::<Keepable>().is_some()
        && response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE);
    let Some(fresh) = fresh.filter(|_| keepable) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Some(pieces) = pieces_of(body).await else {
        return AppError::Internal(anyhow::anyhow!("a kept page's body could not be read"))
            .into_response();
    };
    let page = Arc::new(KeptPage {
        version,
        fresh,
        headers: parts.headers,
        pieces,
    });
    kept.pages.put(key, page.clone());
    page.response()
}

/// The body's pieces as they come (the page's are in memory: three of them).
async fn pieces_of(mut body: Body) -> Option<Vec<Bytes>> {
    let mut pieces = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.ok()?.into_data() {
            pieces.push(data);
        }
    }
    Some(pieces)
}

impl KeptPage {
    fn response(&self) -> Response {
        let mut response = pieces::body(self.pieces.clone()).into_response();
        *response.headers_mut() = self.headers.clone();
        response
    }
}
