//! What an operator relies on: one binary that runs from any folder, logs a collector can
//! read (with the request's id, account and workspace), and metrics for Prometheus.

use crate::both_databases;
use crate::support::binary::Binary;
use crate::support::{BASE_URL, Db, MailServer, PASSWORD, Smtp, TestApp, TestClient, link_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_its_own_assets_from_any_folder() {
    let server = Binary::start(&[]).await;
    assert!(
        std::fs::read_dir(&server.folder)
            .expect("folder")
            .all(|e| e.expect("entry").file_name() != "static"),
        "nothing to serve from the working folder"
    );
    let client = TestClient::new(&server.address);
    let (status, page) = client.page("/sign-in").await;
    assert_eq!(status, 200);
    for (file, content_type) in [
        ("app.css", "text/css"),
        ("app.js", "text/javascript"),
        ("vendor/htmx.min.js", "text/javascript"),
    ] {
        let start = page
            .find(&format!("/{file}\""))
            .expect("page links the file");
        let href_start = page[..start].rfind('"').expect("href") + 1;
        let href = &page[href_start..start + file.len() + 1];
        let res = client.get(href).await;
        assert_eq!(res.status(), 200, "{href}");
        let header = res.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_string();
        assert!(header.starts_with(content_type), "{href}: {header}");
        let on_disk =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/static/").to_string() + file)
                .expect("source file");
        assert_eq!(res.bytes().await.expect("body").as_ref(), on_disk, "{href}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_name_each_request_with_its_account_and_workspace() {
    let mail = MailServer::reserve();
    mail.start();
    let smtp = format!("smtp://127.0.0.1:{}", mail.port);
    let server = Binary::start(&[("SMTP_URL", &smtp), ("GATEHOUSE_BASE_URL", BASE_URL)]).await;
    let client = TestClient::new(&server.address);
    client
        .sign_up("ops@example.com", PASSWORD, "Opal", "Ops")
        .await;
    let confirm = link_in(&mail.wait_for("ops@example.com", "Confirm your email").await);
    assert_eq!(client.post_form(&confirm, &[]).await.status(), 303);
    let res = client.post_form("/workspaces", &[("name", "Logged")]).await;
    let members = crate::support::client::location(&res);
    let res = client.get(&members).await;
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let line = server
        .wait_for_line("the members page's log line", |json| {
            json["span"]["request_id"] == id.as_str()
        })
        .await;
    assert_eq!(line["span"]["path"], members.as_str());
    assert_eq!(line["span"]["workspace"], "logged", "{line}");
    assert!(
        line["span"]["account"]
            .as_str()
            .is_some_and(|a| !a.is_empty()),
        "{line}"
    );
    assert_eq!(line["status"], 200);
    for line in server.lines() {
        assert!(
            !line.contains('\u{1b}'),
            "no colour codes in a pipe: {line}"
        );
        serde_json::from_str::<serde_json::Value>(&line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
}

async fn metrics_count_requests_by_route(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.metrics_on_main = true).await;
    let (owner, slug) = app.owner_of("metrics@example.com", "Measured").await;
    assert_eq!(owner.get(&format!("/w/{slug}/members")).await.status(), 200);
    assert_eq!(owner.get("/no-such-page").await.status(), 404);

    let res = app.client().get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("type")
            .contains("openmetrics-text")
    );
    let text = res.text().await.expect("body");
    for expected in [
        "gatehouse_http_requests_total{method=\"GET\",route=\"/w/{slug}/members\",status=\"200\"} 1",
        "gatehouse_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "gatehouse_http_request_duration_seconds_count{route=\"/w/{slug}/members\"} 1",
        "gatehouse_mail_outbox_queued ",
        "gatehouse_webhook_deliveries_queued ",
        "gatehouse_db_pool_max_connections ",
    ] {
        assert!(text.contains(expected), "metrics have {expected}:\n{text}");
    }
    assert!(!text.contains("measured"), "no workspace names in metrics");
}

async fn metrics_stay_off_the_main_address_unless_asked(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| {
        s.metrics_bind = Some("127.0.0.1:0".parse().expect("address"));
    })
    .await;
    assert_eq!(app.client().get("/metrics").await.status(), 404);
    let own = app.metrics_address.clone().expect("metrics listener");
    let res = TestClient::new(&own).get("/metrics").await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.expect("body");
    assert!(
        text.contains(
            "gatehouse_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert_eq!(
        TestClient::new(&own).get("/sign-in").await.status(),
        404,
        "only /metrics there"
    );
}

both_databases!(
    metrics_count_requests_by_route,
    metrics_stay_off_the_main_address_unless_asked
);
