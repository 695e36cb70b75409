//! HTTP: one module per area, each with its own `router()`, plus the extractors, CSRF,
//! session rules and security headers they all share.

pub mod account;
pub mod api;
pub mod api_tokens;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod avatar;
pub mod browse;
pub mod client_ip;
pub mod csrf;
pub mod csv_download;
pub mod domains;
pub mod extract;
pub mod form;
pub mod forward_auth;
pub mod headers;
pub mod health;
pub mod invitations;
pub mod invite;
pub mod join;
pub mod kept_pages;
pub mod links;
pub mod members;
pub mod metrics;
pub mod onboarding;
pub mod page;
pub mod password;
pub mod pieces;
pub mod render_cache;
pub mod requests;
pub mod security;
pub mod session;
pub mod settings;
pub mod teams;
pub mod webhooks;
pub mod workspaces;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::services::{FieldErrors, ServiceError, ServiceResult};

/// Where the fingerprinted static files are served from.
pub const ASSETS: &str = concat!("/static/", env!("GATEHOUSE_ASSET_VERSION"));

/// The whole application's routes and layers.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(auth::router())
        .merge(forward_auth::router())
        .merge(account::router())
        .merge(password::router())
        .merge(workspaces::router())
        .merge(onboarding::router())
        .merge(browse::router())
        .merge(members::router())
        .merge(settings::router())
        .merge(teams::router())
        .merge(invitations::router())
        .merge(invite::router())
        .merge(security::router())
        .merge(links::router())
        .merge(domains::router())
        .merge(join::router())
        .merge(requests::router())
        .merge(audit::router())
        .merge(api_tokens::router())
        .merge(webhooks::router())
        .fallback(not_found)
        // Outermost first. One `layer` call: each call boxes every route once more, and
        // each box is cloned for every request.
        .layer(
            ServiceBuilder::new()
                // A refused request never loads a session.
                .layer(middleware::from_fn_with_state(
                    csrf::AllowedOrigin::from_base_url(&state.config.base_url),
                    csrf::verify,
                ))
                // Before the session is read: a kept page needs none of it.
                .layer(middleware::from_fn_with_state(
                    state.kept_pages.clone(),
                    kept_pages::give_or_keep,
                ))
                .map_future(session::read_account_with_session)
                .layer(session::auth_layer(&state))
                .layer(middleware::from_fn_with_state(
                    state.services.clone(),
                    session::enforce_timeouts,
                )),
        );
    let mut routes = Router::new()
        .merge(health::router(&state))
        // The JSON API: bearer tokens, no session, no CSRF (web::api).
        .merge(api::router())
        .nest(ASSETS, assets::router())
        .merge(pages);
    if state.config.metrics_on_main {
        routes = routes.merge(metrics::router(
            state.metrics.clone(),
            state.services.store.clone(),
        ));
    }
    // On each route: it counts by the route matched.
    let routes = routes
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .with_state(state.clone());
    // Around the whole router rather than on each route: these need no matched route, and
    // are then neither boxed per route nor cloned box by box per request.
    let https = headers::Https(state.config.is_https());
    let around = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        // Inside the id, so the span can name it; outside the trace layer.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .map_request(crate::logging::keep_request_span)
        .layer(axum::Extension(state.config.client_ip.clone()))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .map_response(move |response| headers::add_security_headers(https, response))
        .service(routes);
    Router::new().fallback_service(around)
}

/// Request ids: random UUIDs from the thread's generator (seeded from the OS), not one
/// system call each as `MakeRequestUuid`'s: an id finds a request in the logs and guards
/// nothing.
#[derive(Debug, Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        let text = id.hyphenated().encode_lower(&mut text);
        axum::http::HeaderValue::from_str(text)
            .ok()
            .map(RequestId::new)
    }
}

/// The request's log span: its id (also sent back as `X-Request-Id`), method and path
/// with secrets from emailed links cut out; the account and workspace are filled in by
/// the extractors once known.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", request_id = %id, method = %request.method(),
        path = %redacted_path(request.uri().path()),
        account = tracing::field::Empty, workspace = tracing::field::Empty)
}

/// A path fit for logs: the token in /verify/{token} and the like becomes `…`.
pub fn redacted_path(path: &str) -> String {
    const SECRET_PREFIXES: [&str; 5] = [
        "/verify/",
        "/sign-in-link/",
        "/reset-password/",
        "/invite/",
        "/domain-proof/",
    ];
    match SECRET_PREFIXES.iter().find(|p| path.starts_with(*p)) {
        Some(prefix) => format!("{prefix}…"),
        None => path.to_string(),
    }
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// The usual answer to a form post: done → a one-time message and a redirect to `then`;
/// refused for bad input → the page again (422) with each reason beside its field.
pub async fn answer_post<P, F, Fut>(
    outcome: ServiceResult<()>,
    session: &tower_sessions::Session,
    done: &str,
    then: &str,
    rerender: F,
) -> AppResult<Response>
where
    P: IntoResponse,
    F: FnOnce(FieldErrors) -> Fut,
    Fut: Future<Output = AppResult<P>>,
{
    match outcome {
        Ok(()) => {
            session::flash(session, done).await?;
            Ok(Redirect::to(then).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, rerender(errors).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Percent-encodes a string for a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let request = axum::http::Request::new(());
        let ids: Vec<String> = (0..2)
            .map(|_| {
                let id = RandomRequestId.make_request_id(&request).expect("an id");
                id.header_value().to_str().expect("text").to_string()
            })
            .collect();
        assert_ne!(ids[0], ids[1]);
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4, "{id}");
        }
    }

    #[test]
    fn secrets_in_paths_stay_out_of_logs() {
        assert_eq!(redacted_path("/verify/abc123"), "/verify/…");
        assert_eq!(redacted_path("/reset-password/abc"), "/reset-password/…");
        assert_eq!(redacted_path("/w/acme/members"), "/w/acme/members");
    }

    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(urlencode("/w/a b?x=1&y"), "/w/a%20b%3Fx%3D1%26y");
    }
}
