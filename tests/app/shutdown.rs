//! Every wait on a client has a deadline and stopping finishes: a half-sent header is
//! closed after the header timeout, a stalled body fails after the body timeout, a request
//! in flight at shutdown still gets its answer, and SIGTERM makes the real binary exit 0
//! even with a half-open client and an SMTP server that never answers.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both_databases;
use crate::support::binary::Binary;
use crate::support::db::TestDatabase;
use crate::support::smtp::SilentSmtp;
use crate::support::{BASE_URL, Db, PASSWORD, Smtp, TestApp, TestClient, eventually};

/// The start of a request whose headers never end.
const HALF_A_HEADER: &[u8] = b"GET /sign-in HTTP/1.1\r\nHost: gatehouse.test\r\nAccept: text/";

/// Far longer than any deadline set in these tests.
const CEILING: Duration = Duration::from_secs(15);

fn address_of(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (a reset counts as closed); what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(CEILING, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server closes the connection");
    String::from_utf8_lossy(&received).into_owned()
}

async fn a_half_sent_header_is_closed_after_the_header_timeout(db: Db) {
    let app =
        TestApp::spawn_configured(db, Smtp::Running, |s| s.serve.header_read_timeout = 1).await;
    let mut stream = TcpStream::connect(address_of(&app)).await.unwrap();
    stream.write_all(HALF_A_HEADER).await.unwrap();
    let started = Instant::now();
    read_until_closed(&mut stream).await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed by the timeout, not at once: {:?}",
        started.elapsed()
    );
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status(), 200, "other clients are still served");
    app.stop().await;
}

async fn shutdown_is_not_held_by_a_half_sent_header_or_an_idle_connection(db: Db) {
    // Neither the header timeout (30 s) nor the drain deadline (60 s) ends these.
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.serve.shutdown_drain = 60).await;
    let idle = app.client();
    assert_eq!(
        idle.get("/healthz").await.status(),
        200,
        "a kept-alive connection"
    );
    let mut half_open = TcpStream::connect(address_of(&app)).await.unwrap();
    half_open.write_all(HALF_A_HEADER).await.unwrap();
    let started = Instant::now();
    tokio::time::timeout(CEILING, app.stop())
        .await
        .expect("connections without a request in flight close at once");
    read_until_closed(&mut half_open).await;
    println!("stopped with a half-open client in {:?}", started.elapsed());
}

/// Sends a POST's header with `Expect: 100-continue` and waits for hyper's "100 Continue",
/// which it sends once the handler starts reading the body: the request is then in flight.
async fn post_in_flight(address: &str, path: &str, content_length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: gatehouse.test\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {content_length}\r\n\
         Expect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut continue_line = [0u8; 25];
    stream.read_exact(&mut continue_line).await.unwrap();
    assert_eq!(&continue_line, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream
}

async fn the_drain_deadline_drops_a_request_still_in_flight(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.serve.shutdown_drain = 1).await;
    let mut stalled = post_in_flight(&address_of(&app), "/sign-in", 1000).await;
    stalled
        .write_all(b"email=someone%40example.com&pass")
        .await
        .unwrap();
    let started = Instant::now();
    // The body timeout is 30 s; the drain deadline, 1 s, is what ends this request.
    tokio::time::timeout(CEILING, app.stop())
        .await
        .expect("the app stops at the drain deadline");
    let answer = read_until_closed(&mut stalled).await;
    assert_eq!(answer, "", "dropped without an answer");
    println!("stopped with a stalled upload in {:?}", started.elapsed());
}

async fn a_stalled_request_body_fails_after_the_body_timeout(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| {
        s.serve.request_body_timeout = 1;
    })
    .await;
    let mut stream = TcpStream::connect(address_of(&app)).await.unwrap();
    let head = "POST /sign-in HTTP/1.1\r\nHost: gatehouse.test\r\nSec-Fetch-Site: same-origin\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(b"email=someone%40example.com&pass")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "the request fails with a client error, then the connection closes: {answer}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "failed by the timeout, not at once: {:?}",
        started.elapsed()
    );
    app.stop().await;
}

async fn a_request_in_flight_when_shutdown_starts_still_completes(db: Db) {
    let app = TestApp::spawn(db).await;
    let address = address_of(&app);
    let body = format!(
        "email=late%40example.com&password={}&first_name=Late&last_name=Comer&display_name=",
        PASSWORD.replace(' ', "+")
    );
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = post_in_flight(&address, "/sign-up", body.len()).await;
    stream.write_all(first.as_bytes()).await.unwrap();
    let stopping = tokio::spawn(app.stop());
    eventually("the server stops accepting connections", || {
        let address = address.clone();
        async move { TcpStream::connect(address).await.is_err() }
    })
    .await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 303"),
        "the sign-up in flight is answered: {answer}"
    );
    tokio::time::timeout(CEILING, stopping)
        .await
        .expect("the app stops once the request is answered")
        .unwrap();
}

async fn sigterm_exits_0_despite_a_half_open_client_and_a_silent_smtp_server(db: Db) {
    let database = TestDatabase::create(db).await;
    let smtp = SilentSmtp::start().await;
    let mut server = Binary::start(&[
        ("DATABASE_URL", &database.url),
        ("GATEHOUSE_BASE_URL", BASE_URL),
        ("SMTP_URL", &smtp.url()),
        ("GATEHOUSE_SHUTDOWN_DRAIN", "2"),
    ])
    .await;
    let client = TestClient::new(&server.address);
    client
        .sign_up("queued@example.com", PASSWORD, "Queued", "Mail")
        .await;
    smtp.wait_for_connection().await;
    let mut half_open = TcpStream::connect(server.address.trim_start_matches("http://"))
        .await
        .unwrap();
    half_open.write_all(HALF_A_HEADER).await.unwrap();

    server.terminate();
    let (status, took) = server.exit().await;
    assert!(
        status.success(),
        "exit status {status}; log:\n{:?}",
        server.lines()
    );
    println!("SIGTERM to exit with a half-open client and a silent SMTP server: {took:?}");
}

both_databases!(
    a_half_sent_header_is_closed_after_the_header_timeout,
    shutdown_is_not_held_by_a_half_sent_header_or_an_idle_connection,
    the_drain_deadline_drops_a_request_still_in_flight,
    a_stalled_request_body_fails_after_the_body_timeout,
    a_request_in_flight_when_shutdown_starts_still_completes,
    sigterm_exits_0_despite_a_half_open_client_and_a_silent_smtp_server,
);
