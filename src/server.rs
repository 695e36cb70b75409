//! The HTTP server under the router, built from hyper's own parts rather than
//! `axum::serve`, because every wait on a client needs a deadline and shutdown must finish:
//! request headers are read under hyper's `header_read_timeout` (its `TokioTimer`), request
//! bodies under tower-http's `RequestBodyTimeout`, and on shutdown hyper-util's
//! `GracefulShutdown` lets requests in flight finish until the drain deadline. Connections
//! without a request in flight (idle, or with half a request header) close at once; what
//! is still open at the deadline (a stalled upload, a slow download) is dropped.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::{Extension, Router};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::{Layer, ServiceExt};
use tower_http::timeout::RequestBodyTimeout;

use crate::config::ServeLimits;

/// Accepts connections until `shutdown` completes, then stops accepting and drains. Returns
/// the drain deadline, which the caller also gives its background tasks.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> Instant {
    let app = RequestBodyTimeout::new(router, limits.request_body_timeout);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let (stopping, stop) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    let conn = Connection { tcp, peer, stop: stop.clone() };
                    connections.spawn(conn.serve(&http, &graceful, app.clone()));
                }
                Err(e) => accept_failed(e).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let deadline = Instant::now() + limits.shutdown_drain;
    stopping.send_replace(true);
    drain(graceful, connections, deadline).await;
    deadline
}

/// An accepted connection, and the signal that the server is stopping.
struct Connection {
    tcp: TcpStream,
    peer: SocketAddr,
    stop: watch::Receiver<bool>,
}

impl Connection {
    /// The connection's HTTP/1 conversation, watched for shutdown. The peer's address goes
    /// into each request as `ConnectInfo`, as `into_make_service_with_connect_info` would.
    fn serve(
        self,
        http: &http1::Builder,
        graceful: &GracefulShutdown,
        app: RequestBodyTimeout<Router>,
    ) -> impl Future<Output = ()> + use<> {
        let Self { tcp, peer, stop } = self;
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        let busy = Arc::new(AtomicUsize::new(0));
        let app = Extension(ConnectInfo(peer)).layer(app);
        let counter = busy.clone();
        let service = tower::service_fn(move |request: Request<Incoming>| {
            let during = InFlight::start(&counter);
            let response = app.clone().oneshot(request);
            async move {
                let response = response.await?;
                Ok::<_, Infallible>(response.map(|body| during.until_sent(body)))
            }
        });
        let conn = http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        async move {
            tokio::select! {
                ended = conn => if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                },
                () = nothing_in_flight_at_shutdown(stop, &busy) => {
                    tracing::debug!(%peer, "closed at shutdown with no request in flight");
                }
            }
        }
    }
}

/// Completes when the server starts stopping while this connection has no request between
/// its complete header and the end of its response (so it is idle or still sending a
/// header); otherwise never, and the graceful shutdown ends the connection.
async fn nothing_in_flight_at_shutdown(mut stop: watch::Receiver<bool>, busy: &AtomicUsize) {
    let stopping = stop.wait_for(|stopping| *stopping).await.is_ok();
    if !stopping || busy.load(Ordering::SeqCst) > 0 {
        std::future::pending::<()>().await;
    }
}

/// One request counted on its connection from its header to the last byte of its response.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn start(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter.clone())
    }

    /// The response body, which keeps the request counted until hyper drops it (sent or
    /// abandoned).
    fn until_sent(self, body: Body) -> Body {
        Body::new(body.map_frame(move |frame| {
            let _still_in_flight = &self;
            frame
        }))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Connections refused or reset before they were accepted are the client's business;
/// anything else (out of file descriptors) is logged and retried after a second, as
/// `axum::serve` does.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "could not accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Tells every connection to finish its current request and close, waits for them until
/// `deadline`, then drops those still open.
async fn drain(graceful: GracefulShutdown, mut connections: JoinSet<()>, deadline: Instant) {
    tracing::info!(
        open = graceful.count(),
        "shutting down: finishing in-flight requests"
    );
    if tokio::time::timeout_at(deadline, graceful.shutdown())
        .await
        .is_err()
    {
        while connections.try_join_next().is_some() {}
        tracing::warn!(
            remaining = connections.len(),
            "drain deadline passed: closing the connections still open"
        );
    }
    connections.shutdown().await;
}
