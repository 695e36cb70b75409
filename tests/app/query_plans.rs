//! At 100,000 members the Members page must answer from indexes: the query plans of every
//! statement a page may run (the whole list, a search from the substring index or walking
//! the list, a one- or two-character name start, a seat filter, the Z→A sort, first
//! pages, deep pages, Next and Previous, counts and the CSV) never scan memberships,
//! accounts or the search tables whole, and each uses the index made for it, on either
//! database.

use gatehouse::store::member_list::{self, MemberQuery, SeatFilter, StatusFilter};
use gatehouse::store::member_pages::Statement;
use sqlx::Row;

use crate::both_databases;
use crate::support::bulk::NAMES;
use crate::support::{Db, TestApp};

both_databases!(
    the_members_list_answers_from_indexes,
    the_seat_waiting_count_reads_only_the_waiting
);

/// The queries whose statements are checked, named.
fn queries() -> Vec<(&'static str, MemberQuery)> {
    let search = |s: &str| MemberQuery {
        search: s.into(),
        ..MemberQuery::default()
    };
    vec![
        ("page", MemberQuery::default()),
        ("search", search("lpha")),
        ("name start", search("al")),
        (
            "seat filter",
            MemberQuery {
                seat: SeatFilter::With,
                ..MemberQuery::default()
            },
        ),
        (
            "Z→A without seat",
            MemberQuery {
                seat: SeatFilter::Without,
                descending: true,
                ..MemberQuery::default()
            },
        ),
        (
            "suspended search Z→A",
            MemberQuery {
                search: "beta 0".into(),
                status: StatusFilter::Suspended,
                seat: SeatFilter::Without,
                descending: true,
            },
        ),
    ]
}

/// The plan of `st`; on PostgreSQL with the plans `off` ("enable_…" settings) disabled.
async fn plan(app: &TestApp, db: Db, st: &Statement, off: &[&str]) -> Vec<String> {
    let mut tx = app.services.store.pool().begin().await.expect("begin");
    let explain = match db {
        Db::Sqlite => format!("EXPLAIN QUERY PLAN {}", st.sql),
        Db::Postgres => {
            for setting in off {
                let set = format!("SET LOCAL {setting} = off");
                sqlx::query(&set).execute(&mut *tx).await.expect(&set);
            }
            format!("EXPLAIN {}", st.sql)
        }
    };
    let rows = st
        .bind_query(sqlx::query(&explain))
        .fetch_all(&mut *tx)
        .await
        .expect(&st.sql);
    tx.rollback().await.expect("rollback");
    rows.iter()
        .map(|r| match db {
            Db::Sqlite => r.get::<String, _>("detail"),
            Db::Postgres => r.get::<String, _>(0),
        })
        .collect()
}

/// A full scan of one of the list's tables, as each database words it (scans of a
/// subquery's rows, and of the FTS5 index with its MATCH, are not).
fn full_scan(db: Db, line: &str) -> bool {
    let line = line.trim_start_matches([' ', '-', '>']);
    match db {
        Db::Sqlite => {
            let mut words = line.split_whitespace();
            words.next() == Some("SCAN")
                && words
                    .next()
                    .is_some_and(|t| ["m", "a", "p", "t", "c", "r", "b", "s", "f"].contains(&t))
                && !fts_match(line)
        }
        Db::Postgres => line.contains("Seq Scan"),
    }
}

/// A read of the FTS5 index by MATCH (`SCAN f VIRTUAL TABLE INDEX 64:M1><`: the flags
/// before the colon say whether it also returns rowids in order).
fn fts_match(line: &str) -> bool {
    line.contains("VIRTUAL TABLE INDEX") && line.contains(":M")
}

/// The index each statement is there to use, by its name (`member_list::statements`).
fn expected_index(db: Db, name: &str, q: &MemberQuery) -> &'static str {
    let substring = q.search.chars().count() >= 3;
    match (db, name) {
        (_, n) if n.starts_with("deep page") => "member_list_buckets",
        (Db::Sqlite, "first match and crowd" | "matches") => "VIRTUAL TABLE INDEX",
        (Db::Sqlite, "scope") => "sqlite_autoindex_member_search_scopes",
        // The matches a page is among, by rowid (the substring index was read first).
        (Db::Sqlite, n) if n.starts_with("Index page from Among") => "USING INTEGER PRIMARY KEY",
        (Db::Sqlite, n) if substring && (n == "count" || n.starts_with("Index")) => {
            "VIRTUAL TABLE INDEX"
        }
        (Db::Postgres, n) if substring && (n == "count" || n.starts_with("Index")) => {
            "memberships_search"
        }
        _ => "memberships_list",
    }
}

async fn the_members_list_answers_from_indexes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Big").await;
    app.set_seat_count(&slug, 100).await;
    let alphas = app.add_members(&slug, "Alpha", 30, "member").await;
    app.add_members(&slug, "Beta", 30, "viewer").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    // Many more who do not match, a quarter of them suspended: a search for the others
    // matches a few in many, as at scale.
    app.add_bulk(&workspace_id, "Gamma", 2000, &NAMES).await;
    if db == Db::Postgres {
        // Statistics and the trigram index as autovacuum keeps them (it has not run yet:
        // the index still holds its new entries in its pending list).
        sqlx::query("VACUUM ANALYZE memberships")
            .execute(app.services.store.pool())
            .await
            .expect("analyze");
    }
    let backend = app.services.store.backend();
    for (query, q) in queries() {
        for (name, st) in member_list::statements(backend, &workspace_id, &q, &alphas[3]) {
            // On tiny tables PostgreSQL's planner rightly prefers a sequential scan, or any
            // index and a sort; forbid both (as costs at scale would) to see which index it
            // would use for 100,000 members. A substring search's count and its few matches
            // are read from the trigram index (the planner may also walk the list when it
            // expects most to match): forbid plain index scans to see that it can.
            let substring = q.search.chars().count() >= 3;
            let off: &[&str] = match name.as_str() {
                "count" if substring => &["enable_seqscan", "enable_indexscan"],
                n if n.starts_with("Index") => &["enable_seqscan", "enable_indexscan"],
                _ => &["enable_seqscan", "enable_sort"],
            };
            let lines = plan(&app, db, &st, off).await;
            let plan = lines.join("\n");
            let sql = &st.sql;
            assert!(!lines.is_empty(), "{query}, {name}: no plan for {sql}");
            assert!(
                !lines.iter().any(|l| full_scan(db, l)),
                "{query}, {name} scans a table on {db:?}:\n{sql}\n{plan}"
            );
            let index = expected_index(db, &name, &q);
            let uses = match index {
                "VIRTUAL TABLE INDEX" => lines.iter().any(|l| fts_match(l)),
                index => plan.contains(index),
            };
            assert!(
                uses,
                "{query}, {name} does not use {index} on {db:?}:\n{sql}\n{plan}"
            );
            // Each listed member's email and names: one descent of the index holding them.
            if db == Db::Sqlite && (name == "CSV" || name.contains("page from")) {
                assert!(
                    plan.contains("COVERING INDEX accounts_listed"),
                    "{query}, {name} does not read accounts from accounts_listed:\n{plan}"
                );
            }
            // A page of substring matches: each membership from the index holding the
            // listed columns, not the primary key and then the row.
            if db == Db::Sqlite && substring && name.starts_with("Index") {
                assert!(
                    plan.contains("COVERING INDEX memberships_match"),
                    "{query}, {name} does not read memberships from memberships_match:\n{plan}"
                );
            }
        }
    }
}

/// The Members page's "N people waiting for a seat" is read on every view: it must walk
/// the partial index of waiting members, not every member without a seat.
async fn the_seat_waiting_count_reads_only_the_waiting(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Big").await;
    app.add_members(&slug, "Beta", 30, "viewer").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    let sql = gatehouse::store::members::COUNT_SEAT_WAITING;
    let mut tx = app.services.store.pool().begin().await.expect("begin");
    let explain = match db {
        Db::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Db::Postgres => {
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .expect("set");
            format!("EXPLAIN {sql}")
        }
    };
    let rows = sqlx::query(&explain)
        .bind(&workspace_id)
        .fetch_all(&mut *tx)
        .await
        .expect(sql);
    let plan: Vec<String> = rows
        .iter()
        .map(|r| match db {
            Db::Sqlite => r.get::<String, _>("detail"),
            Db::Postgres => r.get::<String, _>(0),
        })
        .collect();
    let text = plan.join("\n");
    assert!(!plan.iter().any(|l| full_scan(db, l)), "{text}");
    if db == Db::Sqlite {
        assert!(text.contains("memberships_seat_waiting"), "{text}");
    }
}
