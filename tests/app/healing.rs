//! Faults that heal without a restart: after "disk full" clears the next write succeeds,
//! a connection the database server dropped is not handed out again, and `/readyz` says
//! whether the database takes writes while `/healthz` only says the process serves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sqlx::{Connection, Executor, PgConnection};

use crate::both_databases;
use crate::support::db::postgres_admin_url;
use crate::support::{Db, PASSWORD, TestApp, TestClient, eventually};

both_databases!(
    a_write_after_a_database_fault_succeeds,
    readyz_answers_503_while_the_database_refuses_writes,
);

/// A `gatehouse serve` process whose SQLite database lives on a small tmpfs mounted in the
/// process's own mount namespace (`unshare`), so the test can really fill the disk and
/// free it again, and nothing stays mounted once the process is gone.
struct ServerOnSmallDisk {
    child: Child,
    /// The mount point, as seen from inside the server's namespace.
    mount: PathBuf,
    data_dir: PathBuf,
    address: String,
}

/// The tmpfs' size: room for the schema and a write-ahead log that has not been
/// checkpointed yet.
const DISK_BYTES: usize = 16 * 1024 * 1024;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl ServerOnSmallDisk {
    async fn start() -> Self {
        let name = format!("gh_disk_{}", uuid::Uuid::new_v4().simple());
        let mount = std::env::temp_dir().join(&name);
        let data_dir = std::env::temp_dir().join(format!("{name}_data"));
        std::fs::create_dir_all(&mount).expect("mount point");
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let port = free_port();
        let mut unshare = Command::new("unshare");
        unshare.args(["--mount", "--propagation", "private"]);
        if !is_root() {
            unshare.arg("--map-root-user");
        }
        let script = format!(
            "mount -t tmpfs -o size={DISK_BYTES} gatehouse-test \"$1\" && exec \"$2\" serve"
        );
        let child = unshare
            .args(["sh", "-c", &script, "sh"])
            .arg(&mount)
            .arg(env!("CARGO_BIN_EXE_gatehouse"))
            .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/gatehouse.db", mount.display()),
            )
            .env("GATEHOUSE_DATA_DIR", &data_dir)
            .env(
                "GATEHOUSE_SECRET",
                "test-secret-that-is-long-enough-0123456789",
            )
            .env("GATEHOUSE_CLIENT_SEND_LIMIT", "100000")
            .env_remove("SMTP_URL")
            .env_remove("GATEHOUSE_BASE_URL")
            .stdout(Stdio::null())
            .spawn()
            .expect("unshare runs (util-linux)");
        let server = Self {
            child,
            mount,
            data_dir,
            address: format!("http://127.0.0.1:{port}"),
        };
        let client = server.client();
        eventually("the server on the small disk answers", || async {
            client
                .http
                .get(client.url("/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        })
        .await;
        server
    }

    fn client(&self) -> TestClient {
        TestClient::new(&self.address)
    }

    /// The mount point as this process reaches it: through the server's own root.
    fn disk(&self) -> PathBuf {
        Path::new(&format!("/proc/{}/root", self.child.id())).join(
            self.mount
                .strip_prefix("/")
                .expect("the mount point is absolute"),
        )
    }

    /// Fills the disk to the last byte; returns how much was written.
    fn fill(&self) -> usize {
        let mut file = std::fs::File::create(self.disk().join("filler")).expect("filler file");
        let mut written = 0;
        for chunk in [64 * 1024, 4096, 512, 1] {
            let block = vec![0u8; chunk];
            while file.write_all(&block).is_ok() {
                written += chunk;
            }
        }
        written
    }

    fn free(&self) {
        std::fs::remove_file(self.disk().join("filler")).expect("filler removed");
    }

    async fn sign_up(&self, email: &str) -> u16 {
        self.client()
            .post_form(
                "/sign-up",
                &[
                    ("email", email),
                    ("password", PASSWORD),
                    ("first_name", "Disk"),
                    ("last_name", "Full"),
                    ("display_name", ""),
                ],
            )
            .await
            .status()
            .as_u16()
    }
}

impl Drop for ServerOnSmallDisk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.mount);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// SQLite: the disk fills up, then has room again. PostgreSQL: the connection a write
/// transaction runs on is killed before its COMMIT.
async fn a_write_after_a_database_fault_succeeds(db: Db) {
    match db {
        Db::Sqlite => writes_succeed_again_as_soon_as_a_full_disk_has_room().await,
        Db::Postgres => a_connection_killed_before_commit_is_not_reused().await,
    }
}

async fn writes_succeed_again_as_soon_as_a_full_disk_has_room() {
    let server = ServerOnSmallDisk::start().await;
    assert_eq!(server.sign_up("before@example.com").await, 303);

    assert!(server.fill() > 0, "the disk filled up");
    for i in 0..12 {
        assert_eq!(
            server.sign_up(&format!("full{i}@example.com")).await,
            500,
            "a full disk refuses the write"
        );
    }

    server.free();
    let freed = Instant::now();
    let first = server.sign_up("after0@example.com").await;
    let recovered_in = freed.elapsed();
    assert_eq!(
        first, 303,
        "the first write once the disk has room succeeds"
    );
    for i in 1..12 {
        assert_eq!(
            server.sign_up(&format!("after{i}@example.com")).await,
            303,
            "every later write succeeds too (no connection is left refusing them)"
        );
    }
    eprintln!("disk full cleared: first write succeeded after {recovered_in:?}");
}

async fn a_connection_killed_before_commit_is_not_reused() {
    let app = TestApp::spawn(Db::Postgres).await;
    let mut tx = app.services.store.begin_write().await.expect("begin");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *tx)
        .await
        .expect("backend pid");
    sqlx::query("INSERT INTO readiness (id, checked_at) VALUES (1, 1)")
        .execute(&mut *tx)
        .await
        .expect("insert");
    let mut admin = PgConnection::connect(&postgres_admin_url())
        .await
        .expect("admin connection");
    let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 10000)")
        .bind(pid)
        .fetch_one(&mut admin)
        .await
        .expect("terminate");
    assert!(killed, "the backend is gone");
    assert!(
        tx.commit().await.is_err(),
        "COMMIT on a killed connection fails"
    );

    for i in 0..12 {
        app.client()
            .sign_up(&format!("after{i}@example.com"), PASSWORD, "After", "Kill")
            .await;
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM readiness").await, 0);
    let reused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1")
        .bind(pid)
        .fetch_one(&mut admin)
        .await
        .expect("activity");
    assert_eq!(reused, 0);
}

async fn readyz_answers_503_while_the_database_refuses_writes(db: Db) {
    match db {
        Db::Sqlite => {
            let server = ServerOnSmallDisk::start().await;
            let client = server.client();
            assert_eq!(client.get("/readyz").await.status(), 200);
            server.fill();
            ready_becomes(&client, 503).await;
            assert_eq!(client.get("/healthz").await.status(), 200, "still alive");
            server.free();
            ready_becomes(&client, 200).await;
        }
        Db::Postgres => {
            let app = TestApp::spawn(db).await;
            let client = app.client();
            assert_eq!(client.get("/readyz").await.status(), 200);
            let name: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
                .fetch_one(app.services.store.pool())
                .await
                .expect("database name");
            read_only(&name, true).await;
            ready_becomes(&client, 503).await;
            let (status, body) = client.page("/readyz").await;
            assert_eq!(status, 503);
            assert!(body.contains("refuses writes"), "{body}");
            assert_eq!(client.get("/healthz").await.status(), 200, "still alive");
            read_only(&name, false).await;
            ready_becomes(&client, 200).await;
        }
    }
}

/// Waits (readiness answers are kept for a second) until /readyz answers `status`.
async fn ready_becomes(client: &TestClient, status: u16) {
    eventually(&format!("/readyz answers {status}"), || async {
        client.get("/readyz").await.status() == status
    })
    .await;
}

/// Makes a PostgreSQL database read-only (or writable again) for new sessions, and ends
/// the existing ones so the app's pool reconnects under the new rule.
async fn read_only(database: &str, on: bool) {
    let mut admin = PgConnection::connect(&postgres_admin_url())
        .await
        .expect("admin connection");
    let setting = if on {
        format!("ALTER DATABASE {database} SET default_transaction_read_only = on")
    } else {
        format!("ALTER DATABASE {database} RESET default_transaction_read_only")
    };
    admin
        .execute(setting.as_str())
        .await
        .expect("alter database");
    sqlx::query(
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(database)
    .fetch_all(&mut admin)
    .await
    .expect("end sessions");
}
