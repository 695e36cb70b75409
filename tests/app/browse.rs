//! Browse workspaces and Request to join: only discoverable workspaces are listed (with
//! their active member count, alphabetical, searchable, 50 a page); incognito ones are
//! never listed and answer 404 like unknown ones; a request waits for Welcome! in the
//! admins' popover (who are emailed), or joins at once on the seat rule when Auto-approve
//! is on; asking twice is one request; declined people cannot ask again from here.

use gatehouse::domain::Role;
use gatehouse::services::members::Manager;
use gatehouse::services::{Actor, ServiceError, security};

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    incognito_workspaces_are_never_listed,
    discoverable_workspaces_are_listed_with_their_member_count,
    search_is_case_insensitive_and_takes_wildcards_literally,
    the_list_is_alphabetical_fifty_a_page,
    a_request_waits_for_welcome_in_the_popover,
    auto_approve_joins_at_once_on_the_seat_rule,
    a_declined_person_cannot_ask_again_from_browse,
    anonymous_visitors_are_sent_to_sign_in,
    set_discoverable_is_for_admins_and_audited,
    the_security_page_switch_lists_and_hides_the_workspace,
);

const BROWSE: &str = "/workspaces/browse";

async fn browse(client: &TestClient, query: &str) -> String {
    let (status, html) = client.page(&format!("{BROWSE}{query}")).await;
    assert_eq!(status, 200, "Browse workspaces");
    html
}

/// The list's row for a workspace, if it is listed.
fn row<'a>(html: &'a str, slug: &str) -> Option<&'a str> {
    let start = html.find(&format!("id=\"browse-{slug}\""))?;
    let end = html[start..]
        .find("</tr>")
        .map_or(html.len(), |e| start + e);
    Some(&html[start..end])
}

async fn request(client: &TestClient, slug: &str) -> reqwest::Response {
    client
        .post_form(&format!("/workspaces/{slug}/request"), &[("back", BROWSE)])
        .await
}

async fn discoverable_acme(app: &TestApp) -> (TestClient, String) {
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "discoverable = 1").await;
    (owner, slug)
}

async fn incognito_workspaces_are_never_listed(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, hidden) = app.owner_of("owner@example.com", "Hidden Co").await;
    let (_, open) = app.owner_of("other@example.com", "Open House").await;
    app.set_workspace(&open, "discoverable = 1").await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    for (who, client) in [("a stranger", &ray), ("its own Owner", &owner)] {
        let html = browse(client, "").await;
        assert!(row(&html, &open).is_some(), "{who} sees Open House");
        assert!(row(&html, &hidden).is_none(), "{who}");
        let html = browse(client, "?q=hidden").await;
        assert!(html.contains("id=\"browse-empty\""), "{who}");
    }
    assert!(
        !browse(&ray, "").await.contains("Hidden Co"),
        "named nowhere"
    );
    for slug in [hidden.as_str(), "no-such-workspace", "Not A Slug"] {
        let res = request(&ray, slug).await;
        assert_eq!(res.status(), 404, "{slug}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 0);
    // Switched off again: gone from the list at once.
    app.set_workspace(&open, "discoverable = 0").await;
    assert!(row(&browse(&ray, "").await, &open).is_none());
    assert_eq!(request(&ray, &open).await.status(), 404);
}

async fn discoverable_workspaces_are_listed_with_their_member_count(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = discoverable_acme(&app).await;
    let ids = app.add_members(&slug, "Crew", 3, "member").await;
    sqlx::query("UPDATE memberships SET status = 'suspended', has_seat = 0 WHERE account_id = $1")
        .bind(&ids[0])
        .execute(app.services.store.pool())
        .await
        .unwrap();
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let html = browse(&ray, "").await;
    let acme = row(&html, &slug).expect("Acme listed");
    assert!(acme.contains("Acme"));
    assert!(
        acme.contains("<td class=\"member-count\">3</td>"),
        "the Owner and two active members, not the suspended one: {acme}"
    );
    assert!(acme.contains("Request to join") && acme.contains("<form method=\"post\""));
    // A member sees Open instead.
    let acme = row(&browse(&owner, "").await, &slug)
        .map(str::to_string)
        .unwrap();
    assert!(acme.contains(&format!("href=\"/w/{slug}\"")) && acme.contains("Open"));
    assert!(!acme.contains("Request to join"));
    let (_, home) = ray.page("/").await;
    assert!(home.contains(&format!("href=\"{BROWSE}\"")) && home.contains("Browse workspaces"));
}

async fn search_is_case_insensitive_and_takes_wildcards_literally(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, acme) = discoverable_acme(&app).await;
    let (_, pct) = app.owner_of("b@example.com", "Save 100% Now").await;
    let (_, plain) = app.owner_of("c@example.com", "Save 1000 Now").await;
    for slug in [&pct, &plain] {
        app.set_workspace(slug, "discoverable = 1").await;
    }
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let html = browse(&ray, "?q=ACM").await;
    assert!(row(&html, &acme).is_some() && row(&html, &pct).is_none());
    let html = browse(&ray, "?q=cm").await;
    assert!(row(&html, &acme).is_some(), "contains, not only prefix");
    let html = browse(&ray, "?q=100%25").await;
    assert!(
        row(&html, &pct).is_some() && row(&html, &plain).is_none(),
        "% is literal"
    );
    let html = browse(&ray, "?q=save_1").await;
    assert!(html.contains("id=\"browse-empty\""), "_ is literal");
    let html = browse(&ray, "?q=%20save%20").await;
    assert!(
        row(&html, &pct).is_some() && row(&html, &plain).is_some() && row(&html, &acme).is_none()
    );
}

async fn the_list_is_alphabetical_fifty_a_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, acme) = discoverable_acme(&app).await;
    for i in 0..55 {
        sqlx::query(
            "INSERT INTO workspaces (id, slug, name, seat_count, discoverable, created_at) \
             VALUES ($1, $2, $3, 10, 1, 0)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(format!("team-{i:02}"))
        .bind(format!(
            "{} {i:02}",
            if i % 2 == 0 { "team" } else { "Team" }
        ))
        .execute(app.services.store.pool())
        .await
        .unwrap();
    }
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let first = browse(&ray, "").await;
    assert_eq!(first.matches("<tr id=\"browse-").count(), 50);
    let at = |html: &str, slug: &str| html.find(&format!("id=\"browse-{slug}\"")).unwrap();
    assert!(
        at(&first, &acme) < at(&first, "team-00"),
        "Acme before team"
    );
    assert!(
        at(&first, "team-00") < at(&first, "team-01"),
        "case-insensitive order"
    );
    assert!(at(&first, "team-01") < at(&first, "team-02"));
    assert!(row(&first, "team-49").is_none() && first.contains("56 discoverable workspaces"));
    assert!(first.contains(&format!("href=\"{BROWSE}?page=2\"")));
    let second = browse(&ray, "?page=2").await;
    assert_eq!(second.matches("<tr id=\"browse-").count(), 6);
    assert!(row(&second, "team-49").is_some() && row(&second, "team-54").is_some());
    assert!(
        second.contains(&format!("href=\"{BROWSE}\" rel=\"prev\""))
            && !second.contains("rel=\"next\"")
    );
    let searched = browse(&ray, "?q=team&page=2").await;
    assert_eq!(searched.matches("<tr id=\"browse-").count(), 5);
    assert!(searched.contains(&format!("href=\"{BROWSE}?q=team\" rel=\"prev\"")));
    assert!(
        browse(&ray, "?page=banana")
            .await
            .contains("id=\"browse-team-00\"")
    );
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

async fn a_request_waits_for_welcome_in_the_popover(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = discoverable_acme(&app).await;
    app.member_as(&slug, "ada@example.com", "admin").await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let res = request(&ray, &slug).await;
    assert_eq!(location(&res), BROWSE);
    let html = browse(&ray, "").await;
    assert!(
        html.contains("Request sent: an admin of Acme will review it."),
        "the flash"
    );
    let acme = row(&html, &slug).unwrap();
    assert!(acme.contains("Request sent") && !acme.contains("Request to join"));
    for admin in ["owner@example.com", "ada@example.com"] {
        let mail = app
            .mail
            .wait_for(admin, "Ray Tester asks to join Acme")
            .await;
        assert!(mail.text.contains("ray@example.com"));
    }
    // Asking twice is one request.
    assert_eq!(location(&request(&ray, &slug).await), BROWSE);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 1);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM join_requests WHERE link_id IS NULL AND code_hash IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        2,
        "not in yet"
    );
    let html = popover(&owner, &slug).await;
    assert!(html.contains("ray@example.com") && html.contains("Welcome!"));
    let id = request_id(&app, "ray@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/requests/{id}/approve"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(ray.page(&format!("/w/{slug}")).await.0, 200, "Ray is in");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE joined_via = 'request' AND role = 'member' AND has_seat = 1")
            .await,
        1
    );
    app.mail
        .wait_for("ray@example.com", "You're in: welcome to Acme")
        .await;
    assert!(
        row(&browse(&ray, "").await, &slug)
            .unwrap()
            .contains("Open")
    );
    let res = request(&ray, &slug).await;
    assert_eq!(location(&res), format!("/w/{slug}"), "already a member");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'join_request.created'")
            .await,
        1
    );
}

async fn auto_approve_joins_at_once_on_the_seat_rule(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, slug) = discoverable_acme(&app).await;
    app.set_workspace(&slug, "auto_approve_join_requests = 1, seat_count = 2")
        .await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    let res = request(&ray, &slug).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let (status, page) = ray.page(&format!("/w/{slug}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Welcome! You joined Acme."));
    let sam = app.signed_up("sam@example.com", "Sam").await;
    assert_eq!(location(&request(&sam, &slug).await), format!("/w/{slug}"));
    let roles: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT a.email, m.role, m.has_seat FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.joined_via = 'request' ORDER BY a.email",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        roles,
        vec![
            ("ray@example.com".into(), "member".into(), 1),
            ("sam@example.com".into(), "viewer".into(), 0),
        ],
        "the last seat to Ray, Sam waits as a Viewer"
    );
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'member.joined'")
            .await,
        2
    );
}

async fn a_declined_person_cannot_ask_again_from_browse(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = discoverable_acme(&app).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    request(&ray, &slug).await;
    let id = request_id(&app, "ray@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/requests/{id}/decline"), &[])
        .await;
    let acme = row(&browse(&ray, "").await, &slug)
        .map(str::to_string)
        .unwrap();
    assert!(acme.contains("Declined") && !acme.contains("Request to join"));
    assert_eq!(location(&request(&ray, &slug).await), BROWSE);
    assert!(browse(&ray, "").await.contains("was declined"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
}

async fn anonymous_visitors_are_sent_to_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, slug) = discoverable_acme(&app).await;
    let anonymous = app.client();
    let res = anonymous.get(&format!("{BROWSE}?q=acme")).await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(
        to.starts_with("/sign-in?next=") && to.contains("browse"),
        "{to}"
    );
    let res = request(&anonymous, &slug).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/sign-in?next="));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM join_requests").await, 0);
}

async fn set_discoverable_is_for_admins_and_audited(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, slug) = app.owner_of("owner@example.com", "Acme").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let by = |role| Manager {
        workspace_id: workspace_id.clone(),
        role,
        actor: Actor::default(),
    };
    let refused = security::set_discoverable(&app.services, &by(Role::Member), true).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)));
    assert_eq!(app.scalar("SELECT discoverable FROM workspaces").await, 0);
    security::set_discoverable(&app.services, &by(Role::Admin), true)
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT discoverable FROM workspaces").await, 1);
    let ray = app.signed_up("ray@example.com", "Ray").await;
    assert!(row(&browse(&ray, "").await, &slug).is_some());
    security::set_discoverable(&app.services, &by(Role::Owner), false)
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT discoverable FROM workspaces").await, 0);
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'settings.changed' ORDER BY id",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(details.len(), 2);
    assert!(
        details[0].contains("\"discoverable\":true")
            && details[1].contains("\"discoverable\":false")
    );
}

async fn the_security_page_switch_lists_and_hides_the_workspace(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let visitor = app.signed_up("visitor@example.com", "Visitor").await;
    let path = format!("/w/{slug}/security/discoverable");
    let res = owner.post_form(&path, &[("discoverable", "on")]).await;
    assert_eq!(res.status(), 303);
    assert!(row(&browse(&visitor, "").await, &slug).is_some(), "listed");
    let (_, page) = owner.page(&format!("/w/{slug}/security")).await;
    assert!(
        page.contains("listed on Browse workspaces"),
        "the confirmation"
    );
    owner.post_form(&path, &[]).await;
    assert!(
        row(&browse(&visitor, "").await, &slug).is_none(),
        "incognito again"
    );
    assert_eq!(request(&visitor, &slug).await.status(), 404);
}
