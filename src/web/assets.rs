//! The stylesheet, the script and htmx, compiled into the binary so one file is the whole
//! server: it runs from any folder and can never serve a page whose assets are missing.
//! htmx is still installed from npm (pinned in package-lock.json, never committed);
//! `build.rs` stops the build with a clear message when it has not been installed.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: its path under the assets URL, its type and its bytes.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: [Asset; 3] = [
    Asset {
        path: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css")),
    },
    Asset {
        path: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.js")),
    },
    Asset {
        path: "vendor/htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/static/vendor/htmx.min.js"
        )),
    },
];

/// The embedded files, to be nested under the fingerprinted `ASSETS` path. A found file
/// is cached for a year (its URL changes whenever its content does); a miss is not cached.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/{*file}", get(serve))
}

async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|asset| asset.path == file) {
        Some(asset) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_has_content() {
        for asset in &FILES {
            assert!(asset.body.len() > 100, "{} is nearly empty", asset.path);
        }
    }
}
