//! The real `gatehouse` binary as an operator runs it: its own process, working folder
//! and environment, its log lines collected as they come.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use super::eventually;

/// A running `gatehouse serve` with its log.
pub struct Binary {
    pub child: Child,
    pub address: String,
    pub folder: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
}

impl Binary {
    /// Starts the binary in a fresh empty folder with `--bind 127.0.0.1:0`, JSON logs
    /// and the given extra environment; returns once it says where it listens.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let folder =
            std::env::temp_dir().join(format!("gatehouse-bin-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&folder).expect("folder");
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .current_dir(&folder)
            .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gatehouse");
        let stdout = child.stdout.take().expect("stdout");
        let log = Arc::new(Mutex::new(Vec::new()));
        let collected = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                collected.lock().expect("log").push(line);
            }
        });
        let mut binary = Self {
            child,
            address: String::new(),
            folder,
            log,
        };
        binary.address = binary.wait_for_address().await;
        binary
    }

    async fn wait_for_address(&self) -> String {
        let listening = self
            .wait_for_line("gatehouse is listening", |json| {
                json["message"] == "gatehouse is listening"
            })
            .await;
        format!(
            "http://{}",
            listening["address"].as_str().unwrap_or_default()
        )
    }

    /// Every log line so far.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Waits until a log line satisfies `found`, and returns it parsed.
    pub async fn wait_for_line(
        &self,
        what: &str,
        found: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let pick = || {
            self.lines()
                .iter()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|json| found(json))
        };
        eventually(what, || async { pick().is_some() }).await;
        pick().expect("line found")
    }
}

impl Binary {
    /// Sends SIGTERM, as systemd or `docker stop` would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM");
    }

    /// Waits for the process to exit; its status and how long that took.
    pub async fn exit(&mut self) -> (std::process::ExitStatus, std::time::Duration) {
        let started = std::time::Instant::now();
        let mut status = None;
        eventually("the server process exits", || {
            status = self.child.try_wait().expect("process status");
            std::future::ready(status.is_some())
        })
        .await;
        (status.expect("exited"), started.elapsed())
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
