//! The two migration folders must describe the same schema (but for SQLite's substring
//! index, which PostgreSQL answers with pg_trgm), and SQLite must have what that index
//! needs: FTS5 and its trigram tokenizer.

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
        .filter(|(table, _)| {
            db == Db::Postgres || !SQLITE_SEARCH_TABLES.iter().any(|s| table.starts_with(s))
        })
        .collect()
}

/// SQLite only (migrations/sqlite/0017_substring_search.sql): the FTS5 table with its
/// shadow tables, and the two that number its rows.
const SQLITE_SEARCH_TABLES: [&str; 3] = [
    "member_search_scopes",
    "member_search_rows",
    "member_search",
];

/// The bundled SQLite (libsqlite3-sys) must be built with FTS5 and know the trigram
/// tokenizer: without them the 0017 migration fails, and search with it. Said loudly here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_has_fts5_with_trigrams() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let pool = app.services.store.pool();
    let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        .fetch_one(pool)
        .await
        .expect("compile options");
    assert_eq!(fts5, 1, "the bundled SQLite is built without FTS5");
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::query(
        "CREATE VIRTUAL TABLE temp.probe USING fts5 (t, tokenize = 'trigram case_sensitive 1')",
    )
    .execute(&mut *conn)
    .await
    .expect("FTS5 has no trigram tokenizer");
    sqlx::query("INSERT INTO temp.probe (rowid, t) VALUES (1, 'anna smith'), (2, 'bo_b')")
        .execute(&mut *conn)
        .await
        .expect("insert");
    for (phrase, expected) in [
        ("\"nna s\"", vec![1_i64]),
        ("\"o_b\"", vec![2]),
        ("\"n%a\"", vec![]),
    ] {
        let found: Vec<i64> =
            sqlx::query_scalar("SELECT rowid FROM temp.probe WHERE probe MATCH $1")
                .bind(phrase)
                .fetch_all(&mut *conn)
                .await
                .expect("match");
        assert_eq!(found, expected, "{phrase}");
    }
    drop(conn);
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('member_search', 'member_search_rows')",
    )
    .fetch_one(pool)
    .await
    .expect("schema");
    assert_eq!(tables, 2, "the substring index was migrated");
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
