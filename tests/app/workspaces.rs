//! Creating, listing, switching between and leaving workspaces.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp};

both_databases!(
    creator_becomes_owner_with_a_seat,
    a_person_belongs_to_several_workspaces,
    workspace_names_are_validated,
    the_last_owner_cannot_leave_but_others_can,
);

async fn creator_becomes_owner_with_a_seat(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("own@example.com", "Acme Research").await;
    assert_eq!(slug, "acme-research");
    let (status, html) = owner.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("own@example.com") && html.contains("Owner"),
        "lists the owner"
    );
    assert!(
        html.contains("1 / 10"),
        "seat bar shows one of ten seats in use"
    );
    let (role, seat): (String, i64) = sqlx::query_as("SELECT role, has_seat FROM memberships")
        .fetch_one(app.services.store.pool())
        .await
        .expect("membership");
    assert_eq!((role.as_str(), seat), ("owner", 1));
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'workspace.created' AND workspace_id IS NOT NULL")
        .fetch_one(app.services.store.pool())
        .await
        .expect("audit");
    assert_eq!(events, 1);
}

async fn a_person_belongs_to_several_workspaces(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, first) = app.owner_of("multi@example.com", "Same Name").await;
    let res = owner
        .post_form("/workspaces", &[("name", "Same Name")])
        .await;
    let second = location(&res)
        .trim_start_matches("/w/")
        .trim_end_matches("/welcome")
        .to_string();
    assert_ne!(first, second, "slugs stay unique");
    let (_, home) = owner.page("/").await;
    assert!(
        home.contains(&format!("href=\"/w/{first}\""))
            && home.contains(&format!("href=\"/w/{second}\""))
    );
    let (_, page) = owner.page(&format!("/w/{second}/members")).await;
    assert!(
        page.contains("aria-current=\"page\">Same Name"),
        "the switcher marks the current workspace"
    );
}

async fn workspace_names_are_validated(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("val@example.com", "Val").await;
    let long = "x".repeat(81);
    for (name, message) in [
        ("   ", "Give the workspace a name."),
        (long.as_str(), "at most 80 characters"),
    ] {
        let res = client.post_form("/workspaces", &[("name", name)]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.expect("body");
        assert!(
            html.contains("id=\"name-error\"") && html.contains(message),
            "{message}"
        );
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    assert_eq!(n, 0);
}

async fn the_last_owner_cannot_leave_but_others_can(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("boss@example.com", "Leavers").await;
    let res = owner
        .post_form(&format!("/account/workspaces/{slug}/leave"), &[])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("last Owner"));

    let member = app.member_as(&slug, "staff@example.com", "member").await;
    let pool = app.services.store.pool();
    assert_eq!(member.get(&format!("/w/{slug}")).await.status(), 200);
    assert_eq!(
        member
            .post_form(&format!("/account/workspaces/{slug}/leave"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        member.get(&format!("/w/{slug}")).await.status(),
        404,
        "gone at once"
    );
    let used: i64 = sqlx::query_scalar("SELECT seats_used FROM workspaces")
        .fetch_one(pool)
        .await
        .expect("seats");
    assert_eq!(used, 1, "the seat was released");
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE role = 'owner'")
        .fetch_one(pool)
        .await
        .expect("owners");
    assert_eq!(owners, 1);
}
