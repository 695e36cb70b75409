//! The test harness: `TestApp` (server + database + SMTP), `TestClient` (a cookie-keeping
//! browser stand-in), and helpers that read like the user's journey.

pub mod api;
pub mod binary;
pub mod bulk;
pub mod client;
pub mod db;
pub mod domains;
pub mod invites;
pub mod links;
pub mod smtp;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gatehouse::clock::Clock;
use gatehouse::config::{Config, Settings};
use gatehouse::services::Services;
use tokio::sync::oneshot;

pub use client::TestClient;
pub use db::Db;
pub use smtp::{MailServer, ReceivedEmail, SilentSmtp};

/// Links in emails point here; tests turn them into paths on the real address.
pub const BASE_URL: &str = "http://gatehouse.test";
pub const PASSWORD: &str = "correct horse battery staple";

/// Runs each named `async fn name(db: Db)` once per database.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::Db::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::Db::Postgres).await })*
        }
    };
}

/// A running server with its own database, data folder and SMTP server.
pub struct TestApp {
    pub address: String,
    /// Where `--metrics-bind` listens, when a test set it.
    pub metrics_address: Option<String>,
    pub services: Services,
    pub mail: MailServer,
    /// Kept for its Drop: the database goes when the last app on it does.
    database: Arc<db::TestDatabase>,
    pub data_dir: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// How the SMTP server starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Smtp {
    Running,
    /// Not listening yet: `TestApp::mail.start()` brings it up later.
    Down,
    /// No SMTP configured: mail goes to the dev mailbox under the data folder.
    DevMailbox,
}

/// Small invitation quotas, so tests reach the edges quickly.
pub const TRIAL_QUOTA: i64 = 20;
pub const BUSINESS_DAILY_QUOTA: i64 = 10;

impl TestApp {
    pub async fn spawn(db: Db) -> Self {
        Self::spawn_with(db, Smtp::Running).await
    }

    pub async fn spawn_with(db: Db, smtp: Smtp) -> Self {
        Self::spawn_configured(db, smtp, |_| {}).await
    }

    /// As `spawn_with`, with some settings changed first.
    pub async fn spawn_configured(db: Db, smtp: Smtp, change: impl FnOnce(&mut Settings)) -> Self {
        let database = Arc::new(db::TestDatabase::create(db).await);
        let mail = MailServer::reserve();
        if smtp == Smtp::Running {
            mail.start();
        }
        Self::start(database, mail, smtp != Smtp::DevMailbox, change).await
    }

    /// Another instance on this app's database (as behind a load balancer), sending
    /// through `mail`, with some settings changed first.
    pub async fn spawn_beside(
        &self,
        mail: &MailServer,
        change: impl FnOnce(&mut Settings),
    ) -> Self {
        Self::start(self.database.clone(), mail.clone(), true, change).await
    }

    async fn start(
        database: Arc<db::TestDatabase>,
        mail: MailServer,
        smtp: bool,
        change: impl FnOnce(&mut Settings),
    ) -> Self {
        let data_dir =
            std::env::temp_dir().join(format!("gatehouse-test-{}", uuid::Uuid::new_v4().simple()));
        let settings = Settings {
            bind: "127.0.0.1:0".parse().expect("bind address"),
            database_url: Some(database.url.clone()),
            base_url: Some(BASE_URL.into()),
            secret: Some("test-secret-that-is-long-enough-0123456789".into()),
            smtp_url: smtp.then(|| format!("smtp://127.0.0.1:{}", mail.port)),
            mail_from: "Gatehouse <gatehouse@gatehouse.test>".into(),
            smtp_timeout: 30,
            data_dir: data_dir.clone(),
            invite_quota_trial: TRIAL_QUOTA,
            invite_quota_business_daily: BUSINESS_DAILY_QUOTA,
            kept_member_pages: 64,
            metrics_bind: None,
            metrics_on_main: false,
            trusted_proxies: String::new(),
            client_ip_header: "x-forwarded-for".into(),
            // Tests sign up hundreds of people from 127.0.0.1; `abuse_limits` sets it low.
            client_send_limit: 100_000,
            cookie_domain: None,
            serve: Default::default(),
        };
        let mut settings = settings;
        change(&mut settings);
        let mut config = Config::from_settings(settings).expect("test config");
        config.mail_retry_base = Duration::from_secs(1);
        config.mail_poll_interval = Duration::from_millis(100);
        let app = gatehouse::App::build(config, Clock::default())
            .await
            .expect("app builds");
        let address = format!("http://{}", app.local_addr().expect("local addr"));
        let metrics_address = app.metrics_addr().map(|a| format!("http://{a}"));
        let services = app.services().clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.run(async {
            let _ = rx.await;
        }));
        Self {
            address,
            metrics_address,
            services,
            mail,
            database,
            data_dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// A new browser stand-in with an empty cookie jar.
    pub fn client(&self) -> TestClient {
        TestClient::new(&self.address)
    }

    /// Signs up, confirms the address from the email, and returns the signed-in client.
    pub async fn signed_up(&self, email: &str, first: &str) -> TestClient {
        let client = self.client();
        client.sign_up(email, PASSWORD, first, "Tester").await;
        let mail = self.mail.wait_for(email, "Confirm your email").await;
        let path = link_in(&mail);
        let res = client.post_form(&path, &[]).await;
        assert_eq!(res.status(), 303, "confirming the address signs in");
        client
    }

    /// Signs up and creates a workspace; returns the Owner's client and the slug.
    pub async fn owner_of(&self, email: &str, workspace: &str) -> (TestClient, String) {
        let client = self.signed_up(email, "Owner").await;
        let res = client
            .post_form("/workspaces", &[("name", workspace)])
            .await;
        assert_eq!(res.status(), 303, "workspace created");
        let location = client::location(&res);
        let slug = location
            .trim_start_matches("/w/")
            .trim_end_matches("/welcome")
            .to_string();
        (client, slug)
    }

    pub fn clock(&self) -> &Clock {
        &self.services.clock
    }

    /// Stops the server the way SIGTERM does and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The link in an email, as a path on the test server (it must point at the base URL).
pub fn link_in(mail: &ReceivedEmail) -> String {
    let start = mail
        .text
        .find(BASE_URL)
        .unwrap_or_else(|| panic!("no link to {BASE_URL} in:\n{}", mail.text));
    let url: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.trim_start_matches(BASE_URL).to_string()
}

impl TestApp {
    /// Signs up `email` and makes them a `role` of the workspace directly in the database
    /// (for tests about what each role may do, before invitations exist).
    pub async fn member_as(&self, slug: &str, email: &str, role: &str) -> TestClient {
        let client = self.signed_up(email, "Someone").await;
        let pool = self.services.store.pool();
        let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_one(pool)
            .await
            .expect("workspace");
        let account_id: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
            .expect("account");
        let seat = role != "viewer";
        // One write transaction, begun IMMEDIATE on SQLite like the app's: a deferred one
        // reads the account first and is refused ("database is locked") when a background
        // task of the app commits between its read and its write.
        let mut tx = self.services.store.begin_write().await.expect("begin");
        if seat {
            assert!(
                gatehouse::store::workspaces::take_seat(&mut *tx, &workspace_id)
                    .await
                    .expect("seat"),
                "a free seat"
            );
        }
        let membership = gatehouse::store::members::NewMembership {
            workspace_id: &workspace_id,
            account_id: &account_id,
            role,
            has_seat: seat,
            joined_via: "seed",
            joined_via_ref: None,
            invited_by: None,
            now: self.clock().now(),
        };
        assert!(
            gatehouse::store::members::insert(&mut *tx, membership)
                .await
                .expect("membership")
        );
        tx.commit().await.expect("commit");
        client
    }
}

/// Waits (up to 15 s) for a condition that some background task will make true, such as
/// the mail worker recording an attempt. Checks every 25 ms.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl TestApp {
    /// Adds `n` people to a workspace straight in the database (no passwords that work),
    /// named "{prefix} 000", "{prefix} 001", …, joined one second apart in that order.
    /// Seat-holding roles take seats as they would in the product.
    pub async fn add_members(&self, slug: &str, prefix: &str, n: usize, role: &str) -> Vec<String> {
        let pool = self.services.store.pool();
        let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_one(pool)
            .await
            .expect("workspace");
        let mut ids = Vec::with_capacity(n);
        let mut tx = self
            .services
            .store
            .begin_write()
            .await
            .expect("transaction");
        let start = self.clock().now();
        for i in 0..n {
            let id = uuid::Uuid::new_v4().to_string();
            let name = format!("{prefix} {i:03}");
            let email = format!(
                "{}{i:03}@example.com",
                prefix.to_lowercase().replace(' ', ".")
            );
            let account = gatehouse::store::accounts::NewAccount {
                id: &id,
                email: &email,
                password_hash: "not-a-hash",
                first_name: prefix,
                last_name: &format!("{i:03}"),
                display_name: &name,
                email_verified: true,
                now: start,
            };
            gatehouse::store::accounts::insert(&mut *tx, account)
                .await
                .expect("account");
            let seat = role != "viewer"
                && gatehouse::store::workspaces::take_seat(&mut *tx, &workspace_id)
                    .await
                    .expect("seat");
            let membership = gatehouse::store::members::NewMembership {
                workspace_id: &workspace_id,
                account_id: &id,
                role: if seat || role == "viewer" {
                    role
                } else {
                    "viewer"
                },
                has_seat: seat,
                joined_via: "seed",
                joined_via_ref: None,
                invited_by: None,
                now: start + i as i64,
            };
            gatehouse::store::members::insert(&mut *tx, membership)
                .await
                .expect("membership");
            ids.push(id);
        }
        tx.commit().await.expect("commit");
        ids
    }

    /// Sets a workspace's seat count directly.
    pub async fn set_seat_count(&self, slug: &str, seats: i64) {
        sqlx::query("UPDATE workspaces SET seat_count = $2 WHERE slug = $1")
            .bind(slug)
            .bind(seats)
            .execute(self.services.store.pool())
            .await
            .expect("seat count");
    }

    /// One number from the database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.services.store.pool())
            .await
            .expect(sql)
    }
}
