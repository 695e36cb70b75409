//! Roles and seats on the Members page: every rule from SPEC "Seats" and "Roles".

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, PASSWORD, TestApp, TestClient};

both_databases!(
    promoting_needs_a_free_seat_and_demoting_releases_it,
    admins_cannot_touch_owners_or_grant_above_their_role,
    the_last_owner_stays,
    suspension_and_removal_take_effect_at_once,
    assign_seats_promotes_the_oldest_viewers_until_full,
    auto_assign_setting_is_saved_and_audited,
    htmx_row_changes_answer_with_the_row_and_seat_bar,
    removal_asks_first_in_a_dialog_or_on_a_page_of_its_own,
);

fn role_path(slug: &str, id: &str) -> String {
    format!("/w/{slug}/members/{id}/role")
}

async fn id_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(app.services.store.pool())
        .await
        .expect("account")
}

async fn role_and_seat(app: &TestApp, id: &str) -> (String, i64) {
    sqlx::query_as("SELECT role, has_seat FROM memberships WHERE account_id = $1")
        .bind(id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("membership")
}

async fn promoting_needs_a_free_seat_and_demoting_releases_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Seats").await;
    app.set_seat_count(&slug, 2).await;
    let members = app.add_members(&slug, "Member", 1, "member").await;
    let viewers = app.add_members(&slug, "Viewer", 1, "viewer").await;
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 2);

    let res = owner
        .post_form(&role_path(&slug, &viewers[0]), &[("role", "member")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = owner.page(&location(&res)).await;
    assert!(page.contains("No free seat"), "a clear refusal");
    assert_eq!(
        role_and_seat(&app, &viewers[0]).await,
        ("viewer".into(), 0),
        "nothing changed"
    );

    owner
        .post_form(&role_path(&slug, &members[0]), &[("role", "viewer")])
        .await;
    assert_eq!(role_and_seat(&app, &members[0]).await, ("viewer".into(), 0));
    assert_eq!(
        app.scalar("SELECT seats_used FROM workspaces").await,
        1,
        "demoting released the seat"
    );

    owner
        .post_form(&role_path(&slug, &viewers[0]), &[("role", "admin")])
        .await;
    assert_eq!(role_and_seat(&app, &viewers[0]).await, ("admin".into(), 1));
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 2);
    let (_, page) = owner.page(&format!("/w/{slug}/members")).await;
    assert!(page.contains("2 / 2"), "seat bar");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'member.role_changed'")
            .await,
        2
    );
}

async fn admins_cannot_touch_owners_or_grant_above_their_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("o@example.com", "Ranks").await;
    let admin = app.member_as(&slug, "a@example.com", "admin").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let owner_id = id_of(&app, "o@example.com").await;
    let member_id = id_of(&app, "m@example.com").await;

    for (path, form) in [
        (role_path(&slug, &owner_id), vec![("role", "viewer")]),
        (format!("/w/{slug}/members/{owner_id}/suspend"), vec![]),
        (format!("/w/{slug}/members/{owner_id}/remove"), vec![]),
    ] {
        let res = admin.post_form(&path, &form).await;
        let (_, page) = admin.page(&location(&res)).await;
        assert!(page.contains("Admins cannot change Owners."), "{path}");
    }
    assert_eq!(role_and_seat(&app, &owner_id).await.0, "owner");

    let res = admin
        .post_form(&role_path(&slug, &member_id), &[("role", "owner")])
        .await;
    let (_, page) = admin.page(&location(&res)).await;
    assert!(page.contains("You cannot make someone Owner."));
    let (_, page) = admin.page(&format!("/w/{slug}/members")).await;
    assert!(
        !page.contains("value=\"owner\""),
        "no Owner in an Admin's role menu template"
    );

    let viewer_id = app
        .add_members(&slug, "Viewer", 1, "viewer")
        .await
        .remove(0);
    assert_eq!(
        member
            .post_form(&role_path(&slug, &viewer_id), &[("role", "member")])
            .await
            .status(),
        403
    );
    assert_eq!(
        role_and_seat(&app, &viewer_id).await.0,
        "viewer",
        "a Member changes nothing"
    );
    assert_eq!(
        member
            .post_form(&role_path(&slug, &viewer_id), &[("role", "bogus")])
            .await
            .status(),
        403
    );
}

async fn the_last_owner_stays(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Keep").await;
    let owner_id = id_of(&app, "o@example.com").await;
    for (path, form) in [
        (role_path(&slug, &owner_id), vec![("role", "admin")]),
        (format!("/w/{slug}/members/{owner_id}/suspend"), vec![]),
        (format!("/w/{slug}/members/{owner_id}/remove"), vec![]),
    ] {
        let res = owner.post_form(&path, &form).await;
        let (_, page) = owner.page(&location(&res)).await;
        assert!(page.contains("last Owner"), "{path}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'owner' AND status = 'active'")
            .await,
        1
    );
}

async fn suspension_and_removal_take_effect_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Doors").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let member_id = id_of(&app, "m@example.com").await;
    assert_eq!(member.get(&format!("/w/{slug}")).await.status(), 200);

    owner
        .post_form(&format!("/w/{slug}/members/{member_id}/suspend"), &[])
        .await;
    assert_eq!(
        member.get(&format!("/w/{slug}")).await.status(),
        404,
        "suspended: refused on the next request"
    );
    assert_eq!(
        app.scalar("SELECT seats_used FROM workspaces").await,
        1,
        "seat released"
    );
    let (_, suspended) = owner
        .page(&format!("/w/{slug}/members?status=suspended"))
        .await;
    assert!(suspended.contains("m@example.com") && suspended.contains("Reactivate"));

    app.set_seat_count(&slug, 1).await;
    let res = owner
        .post_form(&format!("/w/{slug}/members/{member_id}/reactivate"), &[])
        .await;
    assert!(
        owner.page(&location(&res)).await.1.contains("No free seat"),
        "reactivating needs a seat"
    );
    app.set_seat_count(&slug, 5).await;
    owner
        .post_form(&format!("/w/{slug}/members/{member_id}/reactivate"), &[])
        .await;
    assert_eq!(
        member.get(&format!("/w/{slug}")).await.status(),
        200,
        "back in"
    );
    assert_eq!(role_and_seat(&app, &member_id).await, ("member".into(), 1));

    owner
        .post_form(&format!("/w/{slug}/members/{member_id}/remove"), &[])
        .await;
    assert_eq!(
        member.get(&format!("/w/{slug}")).await.status(),
        404,
        "removed: refused at once"
    );
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE email = 'm@example.com'")
            .await,
        1,
        "the account stays"
    );
    let fresh = app.client();
    assert_eq!(fresh.sign_in("m@example.com", PASSWORD).await.status(), 303);
    for action in ["member.suspended", "member.reactivated", "member.removed"] {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND target_account_id IS NOT NULL AND actor_account_id IS NOT NULL")).await;
        assert_eq!(n, 1, "{action}");
    }
}

async fn assign_seats_promotes_the_oldest_viewers_until_full(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Queue").await;
    app.set_seat_count(&slug, 4).await;
    let viewers = app.add_members(&slug, "Waiting", 5, "viewer").await;
    let res = owner
        .post_form(&format!("/w/{slug}/members/assign-seats"), &[])
        .await;
    let (_, page) = owner.page(&location(&res)).await;
    assert!(
        page.contains("3 promoted to Member, 2 still waiting"),
        "reports both numbers"
    );
    for (i, id) in viewers.iter().enumerate() {
        let expected = if i < 3 {
            ("member".to_string(), 1)
        } else {
            ("viewer".to_string(), 0)
        };
        assert_eq!(
            role_and_seat(&app, id).await,
            expected,
            "oldest first: viewer {i}"
        );
    }
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 4);
}

async fn auto_assign_setting_is_saved_and_audited(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Auto").await;
    assert_eq!(
        app.scalar("SELECT auto_assign_seats FROM workspaces").await,
        1,
        "on by default"
    );
    owner
        .post_form(&format!("/w/{slug}/members/auto-assign"), &[])
        .await;
    assert_eq!(
        app.scalar("SELECT auto_assign_seats FROM workspaces").await,
        0
    );
    owner
        .post_form(
            &format!("/w/{slug}/members/auto-assign"),
            &[("enabled", "on")],
        )
        .await;
    assert_eq!(
        app.scalar("SELECT auto_assign_seats FROM workspaces").await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'settings.changed'")
            .await,
        2
    );
}

async fn htmx_post(client: &TestClient, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client
        .http
        .post(client.url(path))
        .header("HX-Request", "true")
        .form(fields)
        .send()
        .await
        .expect("POST")
}

async fn htmx_row_changes_answer_with_the_row_and_seat_bar(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Rows").await;
    app.set_seat_count(&slug, 2).await;
    let viewers = app.add_members(&slug, "Viewer", 2, "viewer").await;
    let res = htmx_post(
        &owner,
        &role_path(&slug, &viewers[0]),
        &[("role", "member")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("body");
    assert!(
        html.trim_start()
            .starts_with(&format!("<tr id=\"member-{}\"", viewers[0])),
        "just the row"
    );
    assert!(
        html.contains("hx-swap-oob=\"true\"") && html.contains("2 / 2"),
        "and the seat bar"
    );
    let refused = htmx_post(
        &owner,
        &role_path(&slug, &viewers[1]),
        &[("role", "member")],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("body");
    assert!(
        html.contains("No free seat") && html.contains(&format!("member-{}", viewers[1])),
        "reason beside the row"
    );
    let removed = htmx_post(
        &owner,
        &format!("/w/{slug}/members/{}/remove", viewers[0]),
        &[],
    )
    .await;
    let html = removed.text().await.expect("body");
    assert!(
        !html.contains("<tr") && html.contains("1 / 2"),
        "row gone, seat bar updated"
    );
}

async fn removal_asks_first_in_a_dialog_or_on_a_page_of_its_own(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Confirm").await;
    let viewers = app.add_members(&slug, "Viewer", 1, "viewer").await;
    let path = format!("/w/{slug}/members/{}/remove", viewers[0]);

    let (status, page) = owner.page(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<h1>Remove from workspace</h1>") && page.contains("Yes, remove"),
        "without JavaScript: a page of its own"
    );
    assert!(
        !page.contains(&format!("hx-post=\"{path}\"")),
        "with a plain form"
    );

    let res = owner
        .http
        .get(owner.url(&path))
        .header("HX-Request", "true")
        .header(
            "HX-Current-URL",
            owner.url(&format!("/w/{slug}/members?page=1")),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("body");
    assert!(
        html.trim_start().starts_with("<h2 id=\"remove-title\">"),
        "the confirmation for the page's dialog: {html}"
    );
    assert!(
        html.contains(&format!("hx-target=\"#member-{}\"", viewers[0])),
        "its answer replaces the member's row: {html}"
    );
    assert!(
        html.contains(&format!("hx-post=\"{path}\"")) && html.contains("?page=1"),
        "htmx posts it from the row and comes back to the same list: {html}"
    );

    let (status, _) = owner
        .page(&format!("/w/{slug}/members/not-a-member/remove"))
        .await;
    assert_eq!(status, 404);
}
