//! The two probes a load balancer or Kubernetes asks: `/healthz` (liveness: the process
//! serves HTTP; it never touches the database, so a database outage does not get healthy
//! processes restarted in a loop) and `/readyz` (readiness: the database takes a write
//! right now). Readiness is checked at most once a second per instance, however many
//! probes arrive, and answers within a short deadline when the database hangs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::sync::Mutex;

use crate::app::AppState;
use crate::services::Services;

/// How long a readiness answer is reused.
const KEPT_FOR: Duration = Duration::from_secs(1);
/// How long the write check may take before the database counts as not answering.
const DEADLINE: Duration = Duration::from_secs(2);

/// Ready, or why not.
type Answer = Result<(), &'static str>;

/// The last readiness answer and when it was found; the lock also makes concurrent
/// probes wait for the one check in flight instead of each starting their own.
#[derive(Clone)]
pub struct Readiness {
    services: Services,
    last: Arc<Mutex<Option<(Instant, Answer)>>>,
}

/// `/healthz` and `/readyz`, outside sessions and CSRF.
pub fn router(state: &AppState) -> Router<AppState> {
    let readiness = Readiness {
        services: state.services.clone(),
        last: Arc::new(Mutex::new(None)),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(readiness)
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

async fn readyz(State(readiness): State<Readiness>) -> impl IntoResponse {
    match readiness.check().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}

impl Readiness {
    async fn check(&self) -> Answer {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = *last
            && at.elapsed() < KEPT_FOR
        {
            return answer;
        }
        let answer = self.write_once().await;
        *last = Some((Instant::now(), answer));
        answer
    }

    async fn write_once(&self) -> Answer {
        let store = &self.services.store;
        let now = self.services.clock.now();
        match tokio::time::timeout(DEADLINE, crate::store::readiness::touch(store, now)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "not ready: the database refuses writes");
                Err("not ready: the database refuses writes")
            }
            Err(_) => {
                tracing::warn!(deadline = ?DEADLINE, "not ready: the database did not answer");
                Err("not ready: the database did not answer in time")
            }
        }
    }
}
