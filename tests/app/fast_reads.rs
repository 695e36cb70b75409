//! On SQLite the hottest reads (the session with who is asking, a page of members) go
//! through rusqlite (`store::fast_reads`), on PostgreSQL through sqlx. The path must be
//! taken, never fall back in ordinary use, and see every write at once (the kept-results
//! tests change the list behind the app's back and reload).

use crate::both_databases;
use crate::support::{Db, TestApp};

both_databases!(the_members_page_reads_through_the_fast_path_on_sqlite_only);

async fn the_members_page_reads_through_the_fast_path_on_sqlite_only(db: Db) {
    let on_sqlite = matches!(db, Db::Sqlite);
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Fast").await;
    app.add_members(&slug, "Beta", 3, "viewer").await;
    let (status, html) = owner.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    assert!(html.contains("4 members") && html.contains("Beta 002"));
    // A search (its first match and count), and a page read from a member onwards.
    let (_, found) = owner.page(&format!("/w/{slug}/members?q=beta")).await;
    assert!(found.contains("3 members") && found.contains("Beta 002"));
    let (_, after) = owner.page(&format!("/w/{slug}/members?after=nobody")).await;
    assert!(
        after.contains("Beta 000"),
        "an unknown cursor reads from the start"
    );
    match app.services.store.fast_reads() {
        Some(fast) => {
            assert!(on_sqlite, "PostgreSQL has no fast path");
            let (answered, fell_back) = fast.counts();
            // Per page: the session with who is asking (one read), the page and its
            // pictures; the first also the waiting count (kept for the others, the list
            // unchanged); the search adds its first match and its count.
            assert!(answered >= 12, "only {answered} reads took the fast path");
            assert_eq!(fell_back, 0, "a fast read failed and fell back to sqlx");
        }
        None => assert!(!on_sqlite, "SQLite on a file reads through the fast path"),
    }
}
