//! Security headers on every response, and long-lived caching for fingerprinted assets.

use std::path::Path;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Whether the public URL is https (then HSTS is sent too).
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

/// CSP without inline code, no framing, no sniffing, no referrer (links carry secrets),
/// HSTS over https, and `no-store` on anything that did not choose its own caching.
pub async fn add_security_headers(
    State(Https(https)): State<Https>,
    mut res: Response,
) -> Response {
    let headers = res.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// The static folder, cached for a year: its URL changes whenever its content does.
pub fn static_files(dir: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    SetResponseHeader::overriding(
        ServeDir::new(dir),
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    )
}
