//! A real reverse proxy in front of another tool: nginx (Debian's nginx-light), started
//! here with a generated config, serves Gatehouse at gatehouse.test and a tiny "wiki" at
//! wiki.gatehouse.test behind `auth_request` to `/auth/verify`. Chromium reaches both
//! through nginx (as its proxy server, so the two names need no DNS). A signed-out visitor
//! is sent to sign in and comes back to the page they asked for, the wiki is told who
//! they are and never sees Gatehouse's cookie; a Viewer gets 403.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::HeaderMap;
use fantoccini::Locator;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp};

const WIKI_PAGE: &str = "http://wiki.gatehouse.test/page?x=1&y=2";

/// nginx in the foreground with a config of its own; stopped on drop.
struct Nginx {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The README's nginx example (its ```nginx block), for this test's ports and workspace.
fn readme_example(gatehouse: &str, wiki: u16, slug: &str) -> String {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("```nginx\n")
        .expect("an nginx example in the README")
        + 9;
    let example = &readme[start..];
    let example = &example[..example.find("```").expect("the example's end")];
    let gatehouse = gatehouse.trim_start_matches("http://");
    let wiki = format!("127.0.0.1:{wiki}");
    let slug = format!("workspace={slug}");
    let mut example = example.to_string();
    for (from, to) in [
        ("127.0.0.1:3000", gatehouse),
        ("127.0.0.1:8080", &wiki),
        ("workspace=acme", &slug),
        ("wiki.example.com", "wiki.gatehouse.test"),
    ] {
        assert!(example.contains(from), "the README's example has {from}");
        example = example.replace(from, to);
    }
    example
}

/// nginx in the foreground: Gatehouse at gatehouse.test, and the README's example.
fn nginx_config(
    dir: &std::path::Path,
    port: u16,
    gatehouse: &str,
    wiki: u16,
    slug: &str,
) -> String {
    let example = readme_example(gatehouse, wiki, slug)
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port};"));
    let dir = dir.display();
    format!(
        r#"daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  log_format trail '$host $request $status auth=$upstream_status';
  access_log {dir}/access.log trail;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;

  server {{
    listen 127.0.0.1:{port};
    server_name gatehouse.test;
    location / {{
      proxy_pass {gatehouse};
      proxy_set_header Host $host;
    }}
  }}

{example}
}}
"#
    )
}

impl Nginx {
    /// Starts nginx on a free port and waits until it accepts connections.
    async fn start(gatehouse: &str, wiki: u16, slug: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("gatehouse-nginx-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("nginx folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, nginx_config(&dir, port, gatehouse, wiki, slug)).expect("config");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("the forward-auth test needs nginx: apt-get install -y nginx-light ({e})")
            });
        let mut nginx = Self { child, dir, port };
        nginx.wait_until_listening().await;
        nginx
    }

    async fn wait_until_listening(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx stopped ({status}): {log}");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "nginx never listened: {log}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The protected tool: says who nginx told it is there, and whether Gatehouse's cookie
/// reached it.
async fn wiki(headers: HeaderMap) -> axum::response::Html<String> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let cookie = if text("cookie").contains("gatehouse_session") {
        "the wiki saw Gatehouse's cookie"
    } else {
        "no Gatehouse cookie"
    };
    let who = [
        "x-gatehouse-user-id",
        "x-gatehouse-email",
        "x-gatehouse-name",
        "x-gatehouse-role",
        "x-gatehouse-seat",
    ]
    .map(text)
    .join(" | ");
    axum::response::Html(format!(
        "<!doctype html><html lang=\"en\"><title>Wiki</title><h1>Wiki</h1>\
         <p id=\"who\">{who}</p><p id=\"cookie\">{cookie}</p></html>"
    ))
}

async fn start_wiki() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("wiki port");
    let port = listener.local_addr().expect("wiki address").port();
    let app = axum::Router::new().fallback(wiki);
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

impl Browser {
    async fn sign_in_here(&self, email: &str) {
        self.wait_for_heading("Sign in").await;
        self.fill("email", email).await;
        self.fill("password", PASSWORD).await;
        self.click_button("Sign in").await;
    }

    async fn text_of(&self, id: &str) -> String {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .text()
            .await
            .expect("text")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_admits_seat_holders_and_sends_the_signed_out_to_sign_in_and_back() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.member_as(&slug, "ada@example.com", "member").await;
    app.member_as(&slug, "vic@example.com", "viewer").await;
    // The instance behind nginx sets its cookie for gatehouse.test and its subdomains
    // (the test's own clients, at 127.0.0.1, could not keep such a cookie).
    let gatehouse = app
        .spawn_beside(&app.mail, |s| {
            s.cookie_domain = Some("gatehouse.test".into())
        })
        .await;
    let nginx = Nginx::start(&gatehouse.address, start_wiki().await, &slug).await;
    let browser = Browser::start_with_args(
        false,
        &[
            format!("--proxy-server=http://127.0.0.1:{}", nginx.port),
            "--disable-features=HttpsUpgrades".into(),
        ],
    )
    .await;
    let b = &browser;

    b.client.goto(WIKI_PAGE).await.expect("open the wiki");
    let sign_in = b.client.current_url().await.expect("url");
    assert!(
        sign_in
            .as_str()
            .starts_with("http://gatehouse.test/sign-in?next="),
        "{sign_in}"
    );
    b.sign_in_here("ada@example.com").await;
    if b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='Wiki']"))
        .await
        .is_err()
    {
        panic!(
            "the wiki never opened after signing in; nginx's log:\n{}",
            std::fs::read_to_string(nginx.dir.join("access.log")).unwrap_or_default()
        );
    }
    b.wait_for_heading("Wiki").await;
    assert_eq!(
        b.client.current_url().await.expect("url").as_str(),
        WIKI_PAGE,
        "back where they were going"
    );
    let ada = app.account_id("ada@example.com").await;
    assert_eq!(
        b.text_of("who").await,
        format!("{ada} | ada@example.com | Someone Tester | member | true")
    );
    assert_eq!(b.text_of("cookie").await, "no Gatehouse cookie");

    // A Viewer holds no seat: nginx answers 403.
    b.client
        .goto("http://gatehouse.test/")
        .await
        .expect("open Gatehouse");
    b.sign_out().await;
    b.client
        .goto("http://gatehouse.test/sign-in")
        .await
        .expect("sign in");
    b.sign_in_here("vic@example.com").await;
    b.wait_for_heading("Your workspaces").await;
    b.client.goto(WIKI_PAGE).await.expect("open the wiki");
    let source = b.client.source().await.expect("source");
    assert!(source.contains("403 Forbidden"), "{source}");
    browser.close().await;
    drop(nginx);
}
