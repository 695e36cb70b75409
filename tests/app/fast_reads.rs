//! On SQLite the hottest reads (the session with who is asking, a page of members) go
//! through rusqlite (`store::fast_reads`), on PostgreSQL through sqlx. The path must be
//! taken, never fall back in ordinary use, and see every write at once (the kept-results
//! tests change the list behind the app's back and reload).

use crate::both_databases;
use crate::support::{Db, TestApp};

both_databases!(
    the_members_page_reads_through_the_fast_path_on_sqlite_only,
    a_remembered_session_changes_or_ends_on_the_next_request,
);

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
            // Per page: the session with who is asking (one read), the page (with its
            // pictures); the first also the waiting count (kept for the others, the list
            // unchanged); the search adds its first match and its count.
            assert!(answered >= 9, "only {answered} reads took the fast path");
            assert_eq!(fell_back, 0, "a fast read failed and fell back to sqlx");
            // A page kept whole for its session reads nothing (`web::kept_pages`).
            for _ in 0..3 {
                owner.page(&format!("/w/{slug}/members")).await;
            }
            let (now_answered, _) = fast.counts();
            assert_eq!(now_answered, answered, "a page kept whole reads nothing");
            // Its results, asked for by htmx, are kept too, not the page around them: one
            // read each, the session with who is asking, in one transaction (the session
            // layers run inside `who::with_room_for_session_read`).
            for _ in 0..3 {
                let res = owner
                    .get_htmx(&format!("/w/{slug}/members"), "member-results")
                    .await;
                assert_eq!(res.status(), 200);
            }
            let (after_fragments, _) = fast.counts();
            assert_eq!(after_fragments - answered, 3, "one read per kept fragment");
        }
        None => assert!(!on_sqlite, "SQLite on a file reads through the fast path"),
    }
}

/// On SQLite's fast path the session and who is asking are remembered until anything is
/// committed (`store::remembered`): a role changed or a session ended behind the app's
/// back (as another instance would) shows on the next request, and a session whose time
/// is up ends though nothing was committed since it was read.
async fn a_remembered_session_changes_or_ends_on_the_next_request(db: Db) {
    let app = TestApp::spawn(db).await;
    let pool = app.services.store.pool();
    let (owner, slug) = app.owner_of("owner@example.com", "Kept").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let members = format!("/w/{slug}/members");
    for _ in 0..2 {
        assert_eq!(admin.get(&members).await.status(), 200);
    }
    sqlx::query(
        "UPDATE memberships SET role = 'member' WHERE account_id = \
         (SELECT id FROM accounts WHERE email = 'admin@example.com')",
    )
    .execute(pool)
    .await
    .expect("demote");
    assert_eq!(
        admin.get(&members).await.status(),
        403,
        "no longer an admin"
    );

    for _ in 0..2 {
        assert_eq!(owner.get(&members).await.status(), 200);
    }
    sqlx::query("DELETE FROM sessions")
        .execute(pool)
        .await
        .expect("sign out everywhere");
    assert_eq!(owner.get(&members).await.status(), 303, "signed out");

    let late = app.signed_up("late@example.com", "Late").await;
    // The first page takes the welcome message, which writes the session back.
    assert_eq!(late.get("/account").await.status(), 200);
    let ends = time::OffsetDateTime::now_utc().unix_timestamp() + 2;
    sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(ends)
        .execute(pool)
        .await
        .expect("expiry");
    for _ in 0..2 {
        assert_eq!(late.get("/account").await.status(), 200, "still live");
    }
    while time::OffsetDateTime::now_utc().unix_timestamp() <= ends {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(late.get("/account").await.status(), 303, "its time is up");
}
