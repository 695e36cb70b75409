//! CSRF protection for every state-changing request, from what the browser itself says
//! about where a request came from, so that pages carry no per-session secret: a rendered
//! page or fragment depends on data and role only, can be kept and shared between
//! sessions, and an anonymous visitor needs no session to be shown a form.
//!
//! On POST/PUT/PATCH/DELETE, in this order:
//! 1. `Sec-Fetch-Site` present (every current browser): only `same-origin` and `none` (a
//!    navigation the user started) pass; `same-site` and `cross-site` are refused.
//! 2. Else `Origin` present (older browsers): it must equal the origin of the configured
//!    base URL, never one derived from the Host header. `Origin: null` counts as absent.
//! 3. Else refused with a page saying the browser is too old. There is no token fallback:
//!    it would put a per-session secret back on every page (and a session behind every
//!    anonymous form). `Sec-Fetch-Site` comes from Chrome/Edge 76+, Firefox 90+, Safari
//!    16.4+; older browsers send `Origin`, which `Referrer-Policy: same-origin` keeps
//!    real on our own forms (`no-referrer` would turn it into `null`). Scripts,
//!    which need no CSRF protection (they hold no victim's cookies), send
//!    `Sec-Fetch-Site: same-origin` or the base URL's `Origin`.
//!
//! The check runs before the session is loaded, so a refused request costs no database
//! read. SameSite=Lax cookies stay on as a second line.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::error_page;

pub const FETCH_SITE: &str = "sec-fetch-site";

/// The origin (`scheme://host[:port]`) that state-changing requests must come from.
#[derive(Debug, Clone)]
pub struct AllowedOrigin(Arc<str>);

impl AllowedOrigin {
    /// The origin of a base URL as browsers serialise it: lower case, no default port, no
    /// path, no user info. (`Config` has already checked the URL is http(s)://host….)
    pub fn from_base_url(base_url: &str) -> Self {
        let (scheme, rest) = base_url.split_once("://").unwrap_or(("http", base_url));
        let scheme = scheme.to_ascii_lowercase();
        let authority = rest.split('/').next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host_port = host_port.to_ascii_lowercase();
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let host_port = host_port.strip_suffix(default_port).unwrap_or(&host_port);
        Self(format!("{scheme}://{host_port}").into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the headers say about a request's source.
#[derive(Debug, PartialEq, Eq)]
enum Source {
    /// Gatehouse's own pages (or a script that said so).
    OwnPages,
    /// Another site, or another origin of this site.
    Elsewhere,
    /// The browser said nothing usable.
    Unsaid,
}

fn source(headers: &HeaderMap, allowed: &AllowedOrigin) -> Source {
    if let Some(site) = headers.get(FETCH_SITE) {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Source::OwnPages,
            _ => Source::Elsewhere,
        };
    }
    match headers.get(header::ORIGIN).map(|o| o.as_bytes()) {
        None | Some(b"null") => Source::Unsaid,
        Some(origin) if origin == allowed.as_str().as_bytes() => Source::OwnPages,
        Some(_) => Source::Elsewhere,
    }
}

/// Refuses POST/PUT/PATCH/DELETE that did not come from Gatehouse's own pages.
pub async fn verify(
    State(allowed): State<AllowedOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match source(request.headers(), &allowed) {
        Source::OwnPages => next.run(request).await,
        Source::Elsewhere => {
            tracing::warn!("request refused: sent from another site");
            error_page(
                StatusCode::FORBIDDEN,
                "Refused: this came from another site",
                "Your browser says this request was sent by another website, so Gatehouse \
                 changed nothing. If you meant to do it, open Gatehouse yourself and try \
                 again from its own page.",
            )
        }
        Source::Unsaid => {
            tracing::warn!("request refused: neither Sec-Fetch-Site nor Origin");
            error_page(
                StatusCode::FORBIDDEN,
                "Your browser is too old for this",
                "Your browser did not say which site sent this request, so Gatehouse \
                 changed nothing. Update your browser (any from the last few years says it) \
                 and try again. Scripts: send the header Sec-Fetch-Site: same-origin.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn origin(base: &str) -> String {
        AllowedOrigin::from_base_url(base).as_str().to_string()
    }

    #[test]
    fn the_origin_of_a_base_url_is_what_browsers_send() {
        assert_eq!(origin("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(
            origin("https://Gate.Example.com/"),
            "https://gate.example.com"
        );
        assert_eq!(
            origin("https://gate.example.com:443/app"),
            "https://gate.example.com"
        );
        assert_eq!(
            origin("http://gate.example.com:80"),
            "http://gate.example.com"
        );
        assert_eq!(
            origin("https://gate.example.com:8443"),
            "https://gate.example.com:8443"
        );
        assert_eq!(
            origin("https://u:p@gate.example.com"),
            "https://gate.example.com"
        );
    }

    fn with(pairs: &[(&'static str, &'static str)]) -> Source {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        source(
            &headers,
            &AllowedOrigin::from_base_url("https://gate.example.com"),
        )
    }

    #[test]
    fn fetch_metadata_decides_first_then_origin() {
        assert_eq!(with(&[(FETCH_SITE, "same-origin")]), Source::OwnPages);
        assert_eq!(with(&[(FETCH_SITE, "none")]), Source::OwnPages);
        assert_eq!(with(&[(FETCH_SITE, "same-site")]), Source::Elsewhere);
        assert_eq!(with(&[(FETCH_SITE, "cross-site")]), Source::Elsewhere);
        let cross_site_with_our_origin = [
            (FETCH_SITE, "cross-site"),
            ("origin", "https://gate.example.com"),
        ];
        assert_eq!(with(&cross_site_with_our_origin), Source::Elsewhere);
        assert_eq!(
            with(&[("origin", "https://gate.example.com")]),
            Source::OwnPages
        );
        assert_eq!(
            with(&[("origin", "https://evil.example")]),
            Source::Elsewhere
        );
        assert_eq!(
            with(&[("origin", "http://gate.example.com")]),
            Source::Elsewhere
        );
        assert_eq!(with(&[("origin", "null")]), Source::Unsaid);
        assert_eq!(with(&[]), Source::Unsaid);
    }
}
