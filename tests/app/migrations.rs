//! The two migration folders must describe the same schema.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::support::{Db, TestApp};

fn file_names(folder: &str) -> BTreeSet<String> {
    let path = format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn migration_folders_hold_the_same_files() {
    let sqlite = file_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        file_names("postgres"),
        "migrations/sqlite and migrations/postgres drifted"
    );
}

async fn columns(db: Db) -> BTreeSet<(String, String)> {
    let app = TestApp::spawn(db).await;
    let pool = app.services.store.pool();
    let sql = match db {
        Db::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Db::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
                         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    sqlx::query(sql)
        .fetch_all(pool)
        .await
        .expect("schema query")
        .into_iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_get_the_same_tables_and_columns() {
    let sqlite = columns(Db::Sqlite).await;
    let postgres = columns(Db::Postgres).await;
    assert!(sqlite.contains(&("memberships".into(), "has_seat".into())));
    assert_eq!(
        sqlite, postgres,
        "the schemas differ between SQLite and PostgreSQL"
    );
}
