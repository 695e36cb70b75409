//! The HTTP server under the router, built from hyper's own parts rather than
//! `axum::serve`, because every wait on a client needs a deadline and shutdown must finish:
//! request headers are read under hyper's `header_read_timeout` (its `TokioTimer`), request
//! bodies under tower-http's `RequestBodyTimeout`, and on shutdown hyper-util's
//! `GracefulShutdown` lets in-flight requests finish until the drain deadline, after which
//! whatever is still open (a half-sent header, a stalled upload) is dropped.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::Layer;
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
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    connections.spawn(connection(&http, &graceful, tcp, peer, app.clone()));
                }
                Err(e) => accept_failed(e).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let deadline = Instant::now() + limits.shutdown_drain;
    drain(graceful, connections, deadline).await;
    deadline
}

/// One connection's HTTP/1 conversation, watched for shutdown. The peer's address goes
/// into each request as `ConnectInfo`, as `into_make_service_with_connect_info` would.
fn connection(
    http: &http1::Builder,
    graceful: &GracefulShutdown,
    tcp: TcpStream,
    peer: SocketAddr,
    app: RequestBodyTimeout<Router>,
) -> impl Future<Output = ()> + use<> {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "could not set TCP_NODELAY");
    }
    let service = Extension(ConnectInfo(peer)).layer(app);
    let conn = http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
    let conn = graceful.watch(conn);
    async move {
        if let Err(e) = conn.await {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
        }
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

/// Tells every connection to finish its current request and close (idle ones close at
/// once), waits for them until `deadline`, then drops those still open.
async fn drain(graceful: GracefulShutdown, mut connections: JoinSet<()>, deadline: Instant) {
    let open = graceful.count();
    tracing::info!(open, "shutting down: finishing in-flight requests");
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
