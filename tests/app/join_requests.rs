//! Join requests: a Member's link (everyone may invite, auto-approve off) files a request;
//! the popover beside Invite Team lists it with a badge; Welcome!, Decline and Approve all;
//! emails both ways; declined people cannot ask again with the same code; approval
//! re-checks the link and its creator; ids of another workspace do nothing.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    a_member_s_link_files_a_request_that_welcome_approves,
    auto_approve_lets_a_member_s_link_join_at_once,
    a_declined_person_cannot_ask_again_with_the_same_code,
    approval_rechecks_the_link_and_its_creator,
    approve_all_follows_the_seat_rule,
    approve_all_with_none_ticked_approves_the_listed_ones,
    request_ids_of_another_workspace_do_nothing,
);

/// Acme with everyone allowed to invite, and a Member's link; returns (owner, slug, link path).
async fn member_link(app: &TestApp) -> (TestClient, String, String, TestClient) {
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    (owner, slug, path, mia)
}

async fn request_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar(
        "SELECT r.id FROM join_requests r JOIN accounts a ON a.id = r.account_id WHERE a.email = $1",
    )
    .bind(email)
    .fetch_one(app.services.store.pool())
    .await
    .expect("request")
}

async fn popover(client: &TestClient, slug: &str) -> String {
    let res = client
        .http
        .get(client.url(&format!("/w/{slug}/requests")))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

async fn a_member_s_link_files_a_request_that_welcome_approves(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path, _) = member_link(&app).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let (_, page) = ray.page(&path).await;
    assert!(page.contains("Request to join"));
    let res = ray.post_form(&path, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Request sent"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        2,
        "not in yet"
    );
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 0);
    let mail = app
        .mail
        .wait_for("owner@example.com", "Ray Tester asks to join Acme")
        .await;
    assert!(mail.text.contains("ray@example.com"));
    // Asking again while it waits: one request.
    ray.post_form(&path, &[]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 1);
    let html = popover(&owner, &slug).await;
    assert!(html.contains("id=\"join-requests-count\"") && html.contains(">1</span>"));
    assert!(html.contains("ray@example.com") && html.contains("just now"));
    assert!(html.contains("Welcome!") && html.contains("Decline") && html.contains("Approve all"));
    let id = request_id(&app, "ray@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/requests/{id}/approve"), &[])
        .await;
    assert_eq!(location(&res), format!("/w/{slug}/requests"));
    let (status, _) = ray.page(&format!("/w/{slug}")).await;
    assert_eq!(status, 200, "Ray is in");
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE joined_via = 'link' AND has_seat = 1")
            .await,
        1
    );
    app.mail
        .wait_for("ray@example.com", "You're in: welcome to Acme")
        .await;
    app.mail
        .wait_for("mia@example.com", "joined Acme through your invite link")
        .await;
    for action in [
        "join_request.created",
        "join_request.approved",
        "link.joined",
    ] {
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = '{action}'"
            ))
            .await;
        assert_eq!(n, 1, "{action}");
    }
    let html = popover(&owner, &slug).await;
    assert!(html.contains("No pending join requests.") && !html.contains("join-requests-count"));
}

async fn auto_approve_lets_a_member_s_link_join_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, slug, path, _) = member_link(&app).await;
    app.set_workspace(&slug, "auto_approve_join_requests = 1")
        .await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let res = ray.post_form(&path, &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 0);
}

async fn a_declined_person_cannot_ask_again_with_the_same_code(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path, mia) = member_link(&app).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    ray.post_form(&path, &[]).await;
    let id = request_id(&app, "ray@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/requests/{id}/decline"), &[])
        .await;
    app.mail
        .wait_for("ray@example.com", "Your request to join Acme was declined")
        .await;
    let res = ray.post_form(&path, &[]).await;
    assert!(res.text().await.unwrap().contains("was declined"));
    let (_, page) = ray.page(&path).await;
    assert!(page.contains("id=\"request-declined\""));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
    // A new code (the link regenerated) is a new question.
    let link_id: String = sqlx::query_scalar("SELECT id FROM invite_links")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    mia.post_form(&format!("/w/{slug}/links/{link_id}/regenerate"), &[])
        .await;
    let new_path = crate::support::links::link_path(&mia, &slug, &link_id).await;
    ray.post_form(&new_path, &[]).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
            .await,
        1
    );
}

async fn approval_rechecks_the_link_and_its_creator(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path, _) = member_link(&app).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    ray.post_form(&path, &[]).await;
    let id = request_id(&app, "ray@example.com").await;
    // The link expired meanwhile: refused, nothing changes, the request still waits.
    sqlx::query("UPDATE invite_links SET expires_at = 1")
        .execute(app.services.store.pool())
        .await
        .unwrap();
    let res = owner
        .post_form(&format!("/w/{slug}/requests/{id}/approve"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = owner.page(&format!("/w/{slug}/requests")).await;
    assert!(
        page.contains("The link they used no longer works"),
        "{page}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
            .await,
        1
    );
    // A live link whose creator may no longer invite: refused too.
    let sam = app.signed_up("sam@example.com", "Sam").await;
    let mia2 = app.member_as(&slug, "mo@example.com", "member").await;
    let (_, fresh) = app.link_of(&mia2, &slug, &[]).await;
    sam.post_form(&fresh, &[]).await;
    app.set_workspace(&slug, "who_may_invite = 'admins'").await;
    let sam_request = request_id(&app, "sam@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/requests/{sam_request}/approve"), &[])
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE account_id = (SELECT id FROM accounts WHERE email = 'sam@example.com')").await,
        0
    );
}

async fn approve_all_follows_the_seat_rule(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path, _) = member_link(&app).await;
    app.set_seat_count(&slug, 3).await; // Owner and Mia hold two: one free
    let mut ids = Vec::new();
    for name in ["ray", "sue", "tom"] {
        let email = format!("{name}@example.com");
        let client = app.signed_up(&email, name).await;
        client.post_form(&path, &[]).await;
        ids.push(request_id(&app, &email).await);
    }
    let fields: Vec<(&str, &str)> = ids[..2].iter().map(|id| ("ids", id.as_str())).collect();
    let res = owner
        .post_form(&format!("/w/{slug}/requests/approve"), &fields)
        .await;
    assert_eq!(res.status(), 303);
    let joined: Vec<(String, i64)> = sqlx::query_as(
        "SELECT role, has_seat FROM memberships WHERE joined_via = 'link' ORDER BY has_seat DESC",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(joined, vec![("member".into(), 1), ("viewer".into(), 0)]);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
            .await,
        1,
        "the unticked one still waits"
    );
    let (_, page) = owner.page(&format!("/w/{slug}/requests")).await;
    assert!(page.contains("Welcome! 2 joined"));
}

/// Nothing is ticked in the popover; Approve all then approves every request it listed,
/// and none that arrived after it was shown.
async fn approve_all_with_none_ticked_approves_the_listed_ones(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path, _) = member_link(&app).await;
    let mut listed = Vec::new();
    for name in ["ray", "sue"] {
        let email = format!("{name}@example.com");
        app.signed_up(&email, name)
            .await
            .post_form(&path, &[])
            .await;
        listed.push(request_id(&app, &email).await);
    }
    let html = popover(&owner, &slug).await;
    assert!(
        !html.contains(" checked"),
        "no request is ticked for the admin: {html}"
    );
    for id in &listed {
        assert!(html.contains(&format!("name=\"listed\" value=\"{id}\"")));
    }
    let late = app.signed_up("tom@example.com", "tom").await;
    late.post_form(&path, &[]).await;

    let res = owner
        .post_form(&format!("/w/{slug}/requests/approve"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = owner.page(&format!("/w/{slug}/requests")).await;
    assert!(
        page.contains("No requests to approve."),
        "an empty form approves nobody"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
            .await,
        3
    );

    let fields: Vec<(&str, &str)> = listed.iter().map(|id| ("listed", id.as_str())).collect();
    let res = owner
        .post_form(&format!("/w/{slug}/requests/approve"), &fields)
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = owner.page(&format!("/w/{slug}/requests")).await;
    assert!(page.contains("Welcome! 2 joined"), "{page}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE joined_via = 'link'")
            .await,
        2
    );
    let still: String = sqlx::query_scalar(
        "SELECT a.email FROM join_requests r JOIN accounts a ON a.id = r.account_id WHERE r.status = 'pending'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        still, "tom@example.com",
        "the one who asked later still waits"
    );
}

async fn request_ids_of_another_workspace_do_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, path, _) = member_link(&app).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    ray.post_form(&path, &[]).await;
    let id = request_id(&app, "ray@example.com").await;
    let (other_owner, other) = app.owner_of("other@example.com", "Other").await;
    for action in ["approve", "decline"] {
        other_owner
            .post_form(&format!("/w/{other}/requests/{id}/{action}"), &[])
            .await;
    }
    other_owner
        .post_form(
            &format!("/w/{other}/requests/approve"),
            &[("ids", id.as_str())],
        )
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE account_id = (SELECT id FROM accounts WHERE email = 'ray@example.com')").await,
        0
    );
    // A code of Acme never joins Other: it joins Acme or nothing.
    let (status, html) = other_owner.page(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Join Acme"));
}
