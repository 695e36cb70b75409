//! A CSV download that fails part-way fails for the person downloading too: the body ends
//! in an error (no final chunk), never in a clean end after a fraction of the rows. On
//! PostgreSQL the export's connection is killed while rows are still coming; SQLite has no
//! connection to kill, so a row it cannot read is planted where the export will meet it
//! after the first rows have gone out.

use reqwest::Response;

use crate::both_databases;
use crate::support::{Db, TestApp, eventually};

/// Rows to export: on PostgreSQL, several times what the socket buffers between the
/// database and the client hold (about 4 MB here), so the database is still sending when
/// its connection is killed. Each row carries `PADDING`.
fn rows_for(db: Db) -> i64 {
    match db {
        Db::Postgres => 20_000,
        Db::Sqlite => 1_200,
    }
}

/// Makes each seeded row about a kilobyte, so fewer rows fill the buffers.
fn padding() -> String {
    format!("'{}'", "x".repeat(1000))
}

/// A sequence 1..=n in SQL both databases run.
fn numbers(n: i64) -> String {
    format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) ")
}

/// Runs `sql`, whose `$1` (if any) is the workspace's slug.
async fn execute(app: &TestApp, sql: &str, slug: &str) {
    let mut query = sqlx::query(sql);
    if sql.contains("$1") {
        query = query.bind(slug);
    }
    query
        .execute(app.services.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `n` viewers named "Seed Person {i}", straight into the tables.
async fn seed_members(app: &TestApp, slug: &str, n: i64) {
    let accounts = format!(
        "{}INSERT INTO accounts (id, email, password_hash, first_name, last_name, display_name, \
         email_verified, created_at, updated_at) SELECT 'seed-' || i, 'seed' || i || '@example.com', \
         'x', 'Seed', 'Person ' || i || {}, 'Seed Person ' || i, 1, 0, 0 FROM n",
        numbers(n),
        padding()
    );
    execute(app, &accounts, slug).await;
    let memberships = format!(
        "{}INSERT INTO memberships (workspace_id, account_id, role, has_seat, status, joined_at, \
         joined_via, sort_name) SELECT w.id, 'seed-' || i, 'viewer', 0, 'active', i, 'seed', \
         'seed person ' || i || ' seed' || i || '@example.com' FROM n, workspaces w \
         WHERE w.slug = $1",
        numbers(n)
    );
    execute(app, &memberships, slug).await;
}

/// `n` events "team.created", straight into the table.
async fn seed_events(app: &TestApp, slug: &str, n: i64) {
    let events = format!(
        "{}INSERT INTO audit_events (workspace_id, action, target, created_at) \
         SELECT w.id, 'team.created', 'Team ' || i || {}, i FROM n, workspaces w WHERE w.slug = $1",
        numbers(n),
        padding()
    );
    execute(app, &events, slug).await;
}

/// PostgreSQL: waits until the export's backend is blocked sending rows to the app (the
/// client is not reading), then kills every other connection to the database.
async fn kill_the_exports_connection(app: &TestApp) {
    eventually("the export's query is blocked writing rows", || async {
        app.scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event = 'ClientWrite'",
        )
        .await
            > 0
    })
    .await;
    let killed = app
        .scalar(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t",
        )
        .await;
    assert!(killed > 0, "the export's connection is killed");
}

/// Reads the rest of a download: everything received, and how it ended.
async fn read_to_the_end(mut res: Response, mut received: Vec<u8>) -> (String, Result<(), String>) {
    let end = loop {
        match res.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => break Ok(()),
            Err(e) => break Err(format!("{e:?}")),
        }
    };
    (String::from_utf8_lossy(&received).into_owned(), end)
}

/// Starts the download at `path`, lets the fault happen part-way, reads what arrives.
async fn download_with_a_fault(
    app: &TestApp,
    db: Db,
    client: &crate::support::TestClient,
    path: &str,
) -> (String, Result<(), String>) {
    let mut res = client.get(path).await;
    assert_eq!(res.status(), 200, "the download starts");
    let first = res.chunk().await.unwrap().unwrap_or_default().to_vec();
    if db == Db::Postgres {
        kill_the_exports_connection(app).await;
    }
    read_to_the_end(res, first).await
}

async fn a_members_export_cut_off_part_way_fails_the_download(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    seed_members(&app, &slug, rows_for(db)).await;
    if db == Db::Sqlite {
        // The last row in the export's order gets a join time that is not a number.
        execute(
            &app,
            "UPDATE memberships SET joined_at = 'unreadable' WHERE account_id = \
             (SELECT m.account_id FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
              WHERE w.slug = $1 ORDER BY m.sort_name DESC LIMIT 1)",
            &slug,
        )
        .await;
    }
    let path = format!("/w/{slug}/members.csv");
    let (received, end) = download_with_a_fault(&app, db, &owner, &path).await;
    let rows = received.lines().count();
    println!("members export: {rows} lines received, then {end:?}");
    assert!(
        end.is_err(),
        "the download fails instead of ending cleanly after {rows} lines"
    );
    assert!(received.starts_with("id,email,"), "the header went out");
    assert!(rows > 1, "rows went out before the fault");
    assert!(
        (rows as i64) < rows_for(db) + 2,
        "not every row arrived: {rows}"
    );
}

async fn an_audit_log_export_cut_off_part_way_fails_the_download(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    seed_events(&app, &slug, rows_for(db)).await;
    if db == Db::Sqlite {
        // The oldest event, the export's last row, gets details that are not text.
        execute(
            &app,
            "UPDATE audit_events SET details = x'ff' WHERE id = (SELECT min(e.id) FROM \
             audit_events e JOIN workspaces w ON w.id = e.workspace_id WHERE w.slug = $1)",
            &slug,
        )
        .await;
    }
    let path = format!("/w/{slug}/audit.csv");
    let (received, end) = download_with_a_fault(&app, db, &owner, &path).await;
    let rows = received.lines().count();
    println!("audit log export: {rows} lines received, then {end:?}");
    assert!(
        end.is_err(),
        "the download fails instead of ending cleanly after {rows} lines"
    );
    assert!(received.starts_with("time,actor,"), "the header went out");
    assert!(rows > 1, "rows went out before the fault");
}

/// Without a fault the same download ends cleanly with every row (the error is not the
/// streaming itself).
async fn an_export_without_a_fault_ends_cleanly_with_every_row(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    seed_members(&app, &slug, 1_200).await;
    let res = owner.get(&format!("/w/{slug}/members.csv")).await;
    let (received, end) = read_to_the_end(res, Vec::new()).await;
    assert_eq!(end, Ok(()), "a clean end");
    assert_eq!(
        received.lines().count(),
        1 + 1 + 1_200,
        "header, owner, members"
    );
}

both_databases!(
    a_members_export_cut_off_part_way_fails_the_download,
    an_audit_log_export_cut_off_part_way_fails_the_download,
    an_export_without_a_fault_ends_cleanly_with_every_row,
);
