//! A fresh database per test: an SQLite file in a temp folder, or a new PostgreSQL
//! database on the local server (dropped when the test ends).

use sqlx::{Connection, Executor, PgConnection};

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The server tests create their PostgreSQL databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("GATEHOUSE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub struct TestDatabase {
    pub url: String,
    pub kind: Db,
    name: String,
}

impl TestDatabase {
    pub async fn create(kind: Db) -> Self {
        let name = format!("gh_test_{}", uuid::Uuid::new_v4().simple());
        match kind {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("temp dir for SQLite");
                let url = format!("sqlite://{}/gatehouse.db", dir.display());
                Self { url, kind, name }
            }
            Db::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL tests need a server at {admin} (user postgres, trust auth; \
                         set GATEHOUSE_TEST_POSTGRES_URL to use another): {e}"
                    )
                });
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                // Durability is not under test: commits must not queue behind the disk
                // when the whole suite (and Chromium) share two cores and one disk.
                conn.execute(
                    format!("ALTER DATABASE {name} SET synchronous_commit = off").as_str(),
                )
                .await
                .expect("set synchronous_commit on the test database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                Self {
                    url: format!("{base}/{name}"),
                    kind,
                    name,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self.kind {
            Db::Sqlite => {
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(&self.name));
            }
            Db::Postgres => {
                let name = self.name.clone();
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(mut conn) = PgConnection::connect(&postgres_admin_url()).await {
                            let _ = conn
                                .execute(
                                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                                )
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
