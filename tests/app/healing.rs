//! Faults that heal without a restart: after "disk full" clears the next write succeeds,
//! a connection the database server dropped is not handed out again, and `/readyz` says
//! whether the database takes writes while `/healthz` only says the process serves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{PASSWORD, TestClient, eventually};

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
            .env("GATEHOUSE_SECRET", "test-secret-that-is-long-enough-0123456789")
            .env("GATEHOUSE_STATIC_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/static"))
            .env("GATEHOUSE_CLIENT_SEND_LIMIT", "100000")
            .env_remove("SMTP_URL")
            .env_remove("GATEHOUSE_BASE_URL")
            .stdout(Stdio::inherit())
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_succeed_again_as_soon_as_a_full_disk_has_room() {
    let server = ServerOnSmallDisk::start().await;
    assert_eq!(server.sign_up("before@example.com").await, 303);

    let filled = server.fill();
    assert!(filled > 0, "the disk filled up");
    let mut refused = 0;
    for i in 0..24 {
        let status = server.sign_up(&format!("full{i}@example.com")).await;
        if status == 500 {
            refused += 1;
        }
    }
    eprintln!("refused while full: {refused}/24");
    assert!(refused > 0, "a full disk refuses writes");

    server.free();
    let freed = Instant::now();
    let mut statuses = Vec::new();
    for i in 0..24 {
        statuses.push(server.sign_up(&format!("after{i}@example.com")).await);
    }
    eprintln!("after freeing: {statuses:?} in {:?}", freed.elapsed());
    assert!(
        statuses.iter().all(|s| *s == 303),
        "every write after the disk has room succeeds: {statuses:?}"
    );
    let _ = Duration::ZERO;
}
