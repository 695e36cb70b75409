//! Assembling the application: connect and migrate the database, build the router and
//! its layers, start the mail worker and session sweeper, serve until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower_sessions::ExpiredDeletion;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::invite_code::CodeKey;
use crate::mail::transport::Transport;
use crate::mail::worker::Worker;
use crate::services::{ServiceParts, Services};
use crate::store::sessions::DbSessionStore;
use crate::store::{Store, search_upkeep};
use crate::web::kept_pages::KeptPages;
use crate::web::metrics::Metrics;
use crate::web::render_cache::{KeptCache, RenderCache};

/// What every handler can reach (`AppParts`), behind one shared pointer: axum clones
/// the state for every handler and middleware a request passes through.
#[derive(Debug, Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

#[derive(Debug)]
pub struct AppParts {
    pub services: Services,
    pub config: Arc<Config>,
    /// Rendered Members page results, kept by list version (see `web::render_cache`).
    pub member_results: RenderCache,
    /// Each workspace's count of members waiting for a seat, kept by list version.
    pub seat_waiting_counts: KeptCache<i64>,
    /// Whole Members pages kept for their session (see `web::kept_pages`).
    pub kept_pages: KeptPages,
    pub metrics: Arc<Metrics>,
}

impl FromRef<AppState> for RenderCache {
    fn from_ref(state: &AppState) -> Self {
        state.member_results.clone()
    }
}

impl FromRef<AppState> for KeptPages {
    fn from_ref(state: &AppState) -> Self {
        state.kept_pages.clone()
    }
}

impl FromRef<AppState> for KeptCache<i64> {
    fn from_ref(state: &AppState) -> Self {
        state.seat_waiting_counts.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}

/// A built application bound to its listener, ready to run.
pub struct App {
    state: AppState,
    listener: TcpListener,
    /// `--metrics-bind`'s own listener, serving only `/metrics`.
    metrics_listener: Option<TcpListener>,
    worker: Worker,
}

impl App {
    /// Connects, migrates, binds. Time comes from `clock` (tests move it forward).
    pub async fn build(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url, config.backend)
            .await
            .with_context(|| format!("could not open the {:?} database", config.backend))?;
        store
            .migrate()
            .await
            .context("could not migrate the database")?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::smtp(url, &config.mail_from, config.smtp_timeout)?,
            None => Transport::dev_mailbox(config.data_dir.join("mail")),
        };
        let services = Services::new(ServiceParts {
            store: store.clone(),
            clock: clock.clone(),
            base_url: config.base_url.clone().into(),
            mail_wakeup: Arc::new(Notify::new()),
            codes: CodeKey::from_secret(&config.secret),
            invite_quotas: config.invite_quotas,
            client_send_limit: config.client_send_limit,
            hooks: crate::services::webhooks::Hooks {
                seal: crate::domain::webhook::SecretSeal::from_secret(&config.secret),
                limits: config.webhooks,
                wakeup: Arc::new(Notify::new()),
            },
        });
        let worker = Worker {
            store,
            clock,
            transport,
            wakeup: services.mail_wakeup.clone(),
            retry_base: config.mail_retry_base,
            poll_interval: config.mail_poll_interval,
            send_timeout: config.smtp_timeout,
        };
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("could not listen on {}", config.bind))?;
        let metrics_listener = match config.metrics_bind {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("could not listen on {address} for metrics"))?,
            ),
            None => None,
        };
        Ok(Self {
            state: AppState(Arc::new(AppParts {
                kept_pages: KeptPages::new(
                    services.store.clone(),
                    services.clock.clone(),
                    config.kept_member_pages,
                ),
                services,
                member_results: RenderCache::new(config.kept_member_pages),
                seat_waiting_counts: KeptCache::new(config.kept_member_pages),
                metrics: Arc::default(),
                config: Arc::new(config),
            })),
            listener,
            metrics_listener,
            worker,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where `--metrics-bind` listens, when set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    pub fn services(&self) -> &Services {
        &self.state.services
    }

    /// Serves until `shutdown` completes, then drains in-flight requests and stops the
    /// background tasks, all within the drain deadline (see `server::serve`).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let store = self.state.services.store.clone();
        let limits = self.state.config.serve;
        let mut background = vec![
            tokio::spawn(self.worker.run(stop_rx.clone())),
            tokio::spawn(crate::webhooks::worker::run(
                self.state.services.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(sweep(self.state.services.clone(), stop_rx.clone())),
            tokio::spawn(tidy_search_index(store.clone(), stop_rx.clone())),
        ];
        if let Some(listener) = self.metrics_listener {
            let router = crate::web::metrics::router(self.state.metrics.clone(), store.clone());
            let mut stop = stop_rx;
            background.push(tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|stopping| *stopping).await;
                };
                crate::server::serve(listener, router, limits, stopped).await;
            }));
        }
        let router = crate::web::router(self.state);
        let shutdown = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        let deadline = crate::server::serve(self.listener, router, limits, shutdown).await;
        stop_background(background, deadline).await;
        if tokio::time::timeout(STORE_CLOSE_WAIT, store.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections still in use at exit");
        }
        Ok(())
    }

    /// `gatehouse serve`: runs until Ctrl-C or SIGTERM.
    pub async fn serve_until_signal(config: Config) -> anyhow::Result<()> {
        let app = Self::build(config, Clock::default()).await?;
        tracing::info!(address = %app.local_addr()?, base_url = %app.state.config.base_url,
            database = ?app.state.config.backend, "gatehouse is listening");
        app.run(shutdown_signal()).await?;
        tracing::info!("gatehouse stopped");
        Ok(())
    }

    /// `gatehouse migrate`: brings the schema up to date and exits.
    pub async fn migrate_only(config: &Config) -> anyhow::Result<()> {
        let store = Store::connect(&config.database_url, config.backend).await?;
        store.migrate().await?;
        store.close().await;
        tracing::info!(database = ?config.backend, "migrations applied");
        Ok(())
    }
}

/// How long closing the database may wait for connections still checked out.
const STORE_CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Waits for the mail worker and the sweeper (already told to stop) until `deadline`, then
/// aborts those still running (a worker stuck on an SMTP server that never answers).
async fn stop_background(tasks: Vec<JoinHandle<()>>, deadline: tokio::time::Instant) {
    for mut task in tasks {
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            tracing::warn!("a background task did not stop by the drain deadline; stopping it");
            task.abort();
            let _ = task.await;
        }
    }
}

/// How often the substring index is looked at, and merged when changes split it.
const SEARCH_TIDY_INTERVAL: Duration = Duration::from_secs(15);

/// Every `SEARCH_TIDY_INTERVAL`, once changes have split the substring index into more
/// than 4 segments (a few hundred single changes), up to 20 slices of 100 pages 100 ms
/// apart: at most 8 MB rewritten per look however large the index, a writer never held
/// up by more than one slice, and a trickle of changes does not have the whole index
/// rewritten for each (see `store::search_upkeep`).
const SEARCH_TIDY: search_upkeep::Tidying = search_upkeep::Tidying {
    most_segments: 4,
    max_slices: 20,
    pause: Duration::from_millis(100),
};

/// At start down to one segment, then every `SEARCH_TIDY_INTERVAL` as `SEARCH_TIDY` says
/// (SQLite; on PostgreSQL it returns at once). Stopping drops a round part-way: a slice
/// cut short rolls back, and the merge goes on from there next time.
async fn tidy_search_index(store: Store, mut stop: watch::Receiver<bool>) {
    let mut how = search_upkeep::Tidying {
        most_segments: 1,
        ..SEARCH_TIDY
    };
    loop {
        let tidied = tokio::select! {
            tidied = search_upkeep::tidy(&store, how) => tidied,
            _ = stop.wait_for(|stopping| *stopping) => return,
        };
        match tidied {
            Ok(None) => return,
            Ok(Some(_)) => {}
            Err(e) => tracing::warn!(error = %e, "could not merge the search index"),
        }
        how = SEARCH_TIDY;
        if tokio::time::timeout(SEARCH_TIDY_INTERVAL, stop.wait_for(|stopping| *stopping))
            .await
            .is_ok()
        {
            return;
        }
    }
}

/// Finished webhook deliveries are kept this many days.
const WEBHOOK_LOG_DAYS: i64 = 30;

/// Hourly: expired sessions, throttle counters that can no longer refuse anything, and
/// finished webhook deliveries older than `WEBHOOK_LOG_DAYS`.
async fn sweep(services: Services, mut stop: watch::Receiver<bool>) {
    let sessions = DbSessionStore::new(services.store.pool().clone());
    loop {
        if let Err(e) = sessions.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        let now = services.clock.now();
        if let Err(e) = crate::store::throttle::sweep(services.store.pool(), now).await {
            tracing::warn!(error = %e, "could not delete old throttle counters");
        }
        let kept_from = now - WEBHOOK_LOG_DAYS * 86_400;
        let pool = services.store.pool();
        if let Err(e) =
            crate::store::webhook_deliveries::delete_finished_before(pool, kept_from).await
        {
            tracing::warn!(error = %e, "could not delete old webhook deliveries");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
