//! `GET /metrics` for Prometheus: requests by route and status, their latency, the mail
//! outbox's depth and failures, and database pool usage. Each `App` has its own registry
//! (no global recorder), so several apps in one process — as in the tests — never mix.
//! It is served on the main address only when `--metrics-on-main` says so, or on its own
//! address with `--metrics-bind`, which is the usual place: not reachable from outside.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::{Store, outbox};

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// This instance's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    outbox_queued: Gauge,
    outbox_failed: Gauge,
    webhooks_queued: Gauge,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
}

/// 1 ms to ~16 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("gatehouse");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let [
            outbox_queued,
            outbox_failed,
            webhooks_queued,
            pool_open,
            pool_idle,
            pool_max,
        ] = std::array::from_fn(|_| Gauge::default());
        for (name, help, gauge) in [
            (
                "mail_outbox_queued",
                "Emails waiting to be sent",
                &outbox_queued,
            ),
            (
                "mail_outbox_failed",
                "Emails that will not be sent (refused or given up)",
                &outbox_failed,
            ),
            (
                "webhook_deliveries_queued",
                "Webhook deliveries waiting to be sent (retries included)",
                &webhooks_queued,
            ),
            (
                "db_pool_open_connections",
                "Database connections open in this instance's pool",
                &pool_open,
            ),
            (
                "db_pool_idle_connections",
                "Open database connections not in use",
                &pool_idle,
            ),
            (
                "db_pool_max_connections",
                "The most connections the pool may open",
                &pool_max,
            ),
        ] {
            registry.register(name, help, gauge.clone());
        }
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (headers ready)",
            latency.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            outbox_queued,
            outbox_failed,
            webhooks_queued,
            pool_open,
            pool_idle,
            pool_max,
        }
    }
}

impl Metrics {
    /// Reads the gauges from the database and the pool, then encodes everything.
    async fn render(&self, store: &Store) -> anyhow::Result<String> {
        let depth = outbox::depth(store.pool()).await?;
        self.outbox_queued.set(depth.queued);
        self.outbox_failed.set(depth.failed);
        let webhooks = crate::store::webhook_deliveries::queued(store.pool()).await?;
        self.webhooks_queued.set(webhooks);
        let pool = store.pool();
        self.pool_open.set(i64::from(pool.size()));
        self.pool_idle
            .set(i64::try_from(pool.num_idle()).unwrap_or(i64::MAX));
        self.pool_max
            .set(i64::from(pool.options().get_max_connections()));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts and times every request under its route pattern (`/w/{slug}/members`, never
/// the raw path, which would name workspaces and grow without bound).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    let status = response.status().as_u16();
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    response
}

/// The `/metrics` route alone, for the main router or a listener of its own.
pub fn router<S: Clone + Send + Sync + 'static>(metrics: Arc<Metrics>, store: Store) -> Router<S> {
    Router::new()
        .route("/metrics", get(serve))
        .with_state((metrics, store))
}

async fn serve(State((metrics, store)): State<(Arc<Metrics>, Store)>) -> Response {
    match metrics.render(&store).await {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "could not gather metrics");
            (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable").into_response()
        }
    }
}
