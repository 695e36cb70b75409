//! `gatehouse backup <file>`: a consistent copy of a live SQLite database that a server
//! can start on; never over an existing file; PostgreSQL is pointed at pg_dump.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Connection, SqliteConnection};

use crate::both_databases;
use crate::support::{Db, PASSWORD, Smtp, TestApp};

both_databases!(backup_copies_a_live_database);

/// Members each writer transaction adds: a consistent copy holds a whole number of them.
const BATCH: usize = 20;

async fn backup_copies_a_live_database(db: Db) {
    let app = TestApp::spawn(db).await;
    match db {
        Db::Sqlite => copies_while_members_are_being_added(app).await,
        Db::Postgres => {
            let file = target();
            let out = backup(&app, "postgres://postgres@127.0.0.1:5432/x", &file).await;
            assert_eq!(out.status.code(), Some(1));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("pg_dump"), "{stderr}");
            assert!(!file.exists(), "nothing was written");
            let _ = std::fs::remove_dir_all(file.parent().expect("folder"));
        }
    }
}

async fn copies_while_members_are_being_added(app: TestApp) {
    let (_owner, slug) = app.owner_of("owner@example.com", "Backed Up").await;
    let before = app.scalar("SELECT COUNT(*) FROM memberships").await;
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (app, stop, slug) = (app.clone(), stop.clone(), slug.clone());
        async move {
            let mut batches = 0;
            // Until the backup is done, then one more: that one is not in the copy.
            loop {
                let done = stop.load(Ordering::Relaxed);
                app.add_members(&slug, &format!("Batch {batches}"), BATCH, "viewer")
                    .await;
                batches += 1;
                if done {
                    return batches;
                }
            }
        }
    });
    crate::support::eventually("the writer has added a batch", || async {
        app.scalar("SELECT COUNT(*) FROM memberships").await > before
    })
    .await;

    let file = target();
    let url = database_url(&app).await;
    let out = backup(&app, &url, &file).await;
    stop.store(true, Ordering::Relaxed);
    let batches = writer.await.expect("writer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = app.scalar("SELECT COUNT(*) FROM memberships").await;
    assert_eq!(after, before + (batches * BATCH) as i64);

    let copied = check_copy(&file).await;
    assert!(
        copied > before && copied < after,
        "{before} < {copied} < {after}"
    );
    assert_eq!(
        (copied - before) % BATCH as i64,
        0,
        "the copy holds whole transactions only"
    );

    let again = backup(&app, &url, &file).await;
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(check_copy(&file).await, copied);

    serves_from_the_copy(&file, &slug, copied).await;
    let _ = std::fs::remove_dir_all(file.parent().expect("folder"));
}

/// A server started on the copy signs the Owner in and holds the copied members.
async fn serves_from_the_copy(file: &Path, slug: &str, members: i64) {
    let url = format!("sqlite://{}", file.display());
    let restored =
        TestApp::spawn_configured(Db::Sqlite, Smtp::Running, |s| s.database_url = Some(url)).await;
    assert_eq!(
        restored.scalar("SELECT COUNT(*) FROM memberships").await,
        members
    );
    let client = restored.client();
    let res = client.sign_in("owner@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303, "the Owner signs in on the restored copy");
    let (status, html) = client.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Batch 0"), "copied members are listed");
    restored.stop().await;
}

/// Opens the copy on its own: it must pass SQLite's integrity check; returns its members.
async fn check_copy(file: &Path) -> i64 {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = SqliteConnection::connect(&url)
        .await
        .expect("open the copy");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity check");
    assert_eq!(integrity, "ok");
    let members = sqlx::query_scalar("SELECT COUNT(*) FROM memberships")
        .fetch_one(&mut conn)
        .await
        .expect("members in the copy");
    conn.close().await.expect("close");
    members
}

/// A new file name in a new folder.
fn target() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-backup-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("backup folder");
    dir.join("copy.db")
}

/// The live database's URL, from SQLite itself.
async fn database_url(app: &TestApp) -> String {
    let path: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("database file");
    format!("sqlite://{path}")
}

/// Runs `gatehouse backup <file>` against `url`.
async fn backup(app: &TestApp, url: &str, file: &Path) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .env("DATABASE_URL", url)
        .env(
            "GATEHOUSE_SECRET",
            "test-secret-that-is-long-enough-0123456789",
        )
        .env("GATEHOUSE_DATA_DIR", &app.data_dir)
        .arg("backup")
        .arg(file)
        .output()
        .await
        .expect("run gatehouse backup")
}
