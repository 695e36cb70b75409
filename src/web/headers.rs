//! Security headers on every response.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Whether the public URL is https (then HSTS is sent too).
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

/// CSP without inline code, no framing, no sniffing, no referrer (links carry secrets),
/// HSTS over https, and `no-store` on anything that did not choose its own caching.
pub fn add_security_headers(Https(https): Https, mut res: Response) -> Response {
    let headers = res.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
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
