//! Where log lines go and how they look: human-readable text (colours only on a terminal)
//! or one JSON object per line for log collectors. Each request's span carries its
//! request id, method and path, and — once known — the workspace and account.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the global subscriber. `RUST_LOG` overrides the default level.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stdout().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// The request's own span, kept in its extensions: the session layers open spans of
/// their own, so inside a handler `Span::current()` is not the request's.
#[derive(Debug, Clone)]
pub struct RequestSpan(pub tracing::Span);

/// Just inside the trace layer, which calls it with the request's span entered:
/// remembers that span.
pub fn keep_request_span(mut request: axum::extract::Request) -> axum::extract::Request {
    request
        .extensions_mut()
        .insert(RequestSpan(tracing::Span::current()));
    request
}

/// Names the account in the request's log span.
pub fn record_account(extensions: &axum::http::Extensions, account_id: &str) {
    if let Some(RequestSpan(span)) = extensions.get() {
        span.record("account", account_id);
    }
}

/// Names the workspace in the request's log span.
pub fn record_workspace(extensions: &axum::http::Extensions, slug: &str) {
    if let Some(RequestSpan(span)) = extensions.get() {
        span.record("workspace", slug);
    }
}
