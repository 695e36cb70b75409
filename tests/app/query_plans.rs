//! At 100,000 members the Members page must answer from indexes: the query plans of the
//! page, a search, a seat filter, the Z→A sort, the counts and the CSV never scan
//! memberships, accounts or the search terms whole, on either database.

use gatehouse::store::member_list::{MemberQuery, SeatFilter, StatusFilter};
use sqlx::Row;

use crate::both_databases;
use crate::support::{Db, TestApp};

both_databases!(
    the_members_list_answers_from_indexes,
    the_seat_waiting_count_reads_only_the_waiting
);

/// Every SQL statement the Members page and the CSV run, with a name for messages.
fn statements() -> Vec<(&'static str, String, MemberQuery)> {
    let page = MemberQuery::default();
    let search = MemberQuery {
        search: "alpha".into(),
        ..MemberQuery::default()
    };
    let seat = MemberQuery {
        seat: SeatFilter::With,
        ..MemberQuery::default()
    };
    let desc_without_seat = MemberQuery {
        seat: SeatFilter::Without,
        descending: true,
        ..MemberQuery::default()
    };
    let suspended_search = MemberQuery {
        search: "beta 0".into(),
        status: StatusFilter::Suspended,
        seat: SeatFilter::Without,
        descending: true,
    };
    let mut all = Vec::new();
    for (name, q) in [
        ("page", page),
        ("search", search),
        ("seat filter", seat),
        ("Z→A without seat", desc_without_seat),
        ("suspended search Z→A", suspended_search),
    ] {
        all.push((name, q.page_sql(), q.clone()));
        all.push((name, q.count_sql(), q.clone()));
        all.push((name, q.all_sql(), q));
    }
    all
}

async fn plan(
    app: &TestApp,
    db: Db,
    workspace_id: &str,
    sql: &str,
    q: &MemberQuery,
) -> Vec<String> {
    let mut tx = app.services.store.pool().begin().await.expect("begin");
    let explain = match db {
        Db::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Db::Postgres => {
            // On tiny tables the planner rightly prefers a sequential scan, or any index
            // and a sort; forbid both (as costs at scale would) to see which index it would
            // use for 100,000 members.
            for set in [
                "SET LOCAL enable_seqscan = off",
                "SET LOCAL enable_sort = off",
            ] {
                sqlx::query(set).execute(&mut *tx).await.expect(set);
            }
            format!("EXPLAIN {sql}")
        }
    };
    let mut query = sqlx::query(&explain);
    for param in q.params(workspace_id) {
        query = query.bind(param);
    }
    if sql.contains("LIMIT") {
        query = query.bind(50_i64).bind(0_i64);
    }
    let rows = query.fetch_all(&mut *tx).await.expect(sql);
    tx.rollback().await.expect("rollback");
    rows.iter()
        .map(|r| match db {
            Db::Sqlite => r.get::<String, _>("detail"),
            Db::Postgres => r.get::<String, _>(0),
        })
        .collect()
}

/// A full scan of one of the list's tables, as each database words it.
fn full_scan(db: Db, line: &str) -> bool {
    let line = line.trim_start_matches([' ', '-', '>']);
    match db {
        Db::Sqlite => {
            let mut words = line.split_whitespace();
            words.next() == Some("SCAN")
                && words
                    .next()
                    .is_some_and(|t| ["m", "a", "p", "t", "c"].contains(&t))
        }
        Db::Postgres => line.contains("Seq Scan"),
    }
}

async fn the_members_list_answers_from_indexes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Big").await;
    app.set_seat_count(&slug, 100).await;
    app.add_members(&slug, "Alpha", 30, "member").await;
    app.add_members(&slug, "Beta", 30, "viewer").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    for (name, sql, q) in statements() {
        let lines = plan(&app, db, &workspace_id, &sql, &q).await;
        let plan = lines.join("\n");
        assert!(!lines.is_empty(), "{name}: no plan for {sql}");
        assert!(
            !lines.iter().any(|l| full_scan(db, l)),
            "{name} scans a table on {db:?}:\n{sql}\n{plan}"
        );
        assert!(
            plan.contains("memberships_list")
                || plan.contains("member_search_terms")
                || plan.contains("SEARCH t USING PRIMARY KEY")
                || plan.contains("member_counts"),
            "{name} uses none of the list's indexes on {db:?}:\n{sql}\n{plan}"
        );
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
