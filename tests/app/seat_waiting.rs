//! Joining as Viewer because no seat was free: the person is told on the workspace's home
//! page and in the approval email, admins see "N people waiting for a seat" with Assign
//! seats on Members, and the mark clears as soon as the person gets a seat.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    joining_without_a_free_seat_is_told_and_counted_until_a_seat_is_given,
    an_approved_request_without_a_free_seat_says_so_in_the_email,
);

const TOLD: &str = "No seat was free for you, so you joined Acme as a Viewer";

async fn set_seats(app: &TestApp, n: i64) {
    sqlx::query("UPDATE workspaces SET seat_count = $1")
        .bind(n)
        .execute(app.services.store.pool())
        .await
        .unwrap();
}

async fn notice(owner: &TestClient, slug: &str) -> Option<String> {
    let (status, html) = owner.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    let at = html.find("id=\"seat-waiting\"")?;
    let end = html[at..].find("</div>").expect("the notice ends") + at;
    Some(html[at..end].to_string())
}

async fn joining_without_a_free_seat_is_told_and_counted_until_a_seat_is_given(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    set_seats(&app, 2).await;
    let mut people = Vec::new();
    for name in ["ann", "bob", "cy", "di"] {
        let person = app.signed_up(&format!("{name}@example.com"), name).await;
        let res = person.post_form(&path, &[]).await;
        assert_eq!(location(&res), format!("/w/{slug}"));
        people.push(person);
        app.clock().advance(60); // Assign seats goes by join order.
    }
    // Ann took the free seat; the other three are Viewers waiting for one.
    let (_, home) = people[0].page(&format!("/w/{slug}")).await;
    assert!(!home.contains(TOLD), "Ann has a seat");
    let (_, home) = people[1].page(&format!("/w/{slug}")).await;
    assert!(home.contains(TOLD), "Bob is told why he is a Viewer");
    // Someone made a Viewer on purpose is not waiting.
    let _viewer = app.member_as(&slug, "eve@example.com", "viewer").await;
    let shown = notice(&owner, &slug).await.expect("the notice");
    assert!(shown.contains("3 people waiting for a seat."), "{shown}");
    assert!(shown.contains(">Assign seats</button>") && shown.contains("/members/assign-seats"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE seat_waiting = 1")
            .await,
        3
    );

    // Two more seats: Assign seats gives them to the oldest joins (Bob, Cy), clearing their mark.
    set_seats(&app, 4).await;
    let res = owner
        .post_form(&format!("/w/{slug}/members/assign-seats"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let shown = notice(&owner, &slug).await.expect("one still waits");
    assert!(shown.contains("1 person waiting for a seat."), "{shown}");
    let (_, home) = people[1].page(&format!("/w/{slug}")).await;
    assert!(!home.contains(TOLD), "Bob has a seat now");

    // A role change that gives a seat clears it too.
    set_seats(&app, 5).await;
    let (_, home) = people[3].page(&format!("/w/{slug}")).await;
    assert!(home.contains(TOLD), "Di still waits");
    let still = app.account_id("di@example.com").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{still}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        notice(&owner, &slug).await.is_none(),
        "nobody waits any more"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE seat_waiting = 1")
            .await,
        0
    );
}

async fn an_approved_request_without_a_free_seat_says_so_in_the_email(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    set_seats(&app, 1).await;
    let _asker = app.signed_up("asker@example.com", "Asker").await;
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO join_requests (id, workspace_id, account_id, status, created_at) \
         SELECT $1, w.id, a.id, 'pending', 0 FROM workspaces w, accounts a \
         WHERE w.slug = $2 AND a.email = 'asker@example.com'",
    )
    .bind(&id)
    .bind(&slug)
    .execute(app.services.store.pool())
    .await
    .unwrap();
    let res = owner
        .post_form(&format!("/w/{slug}/requests/{id}/approve"), &[])
        .await;
    assert!(res.status().is_redirection() || res.status().is_success());
    let mail = app
        .mail
        .wait_for("asker@example.com", "welcome to Acme")
        .await;
    assert!(mail.text.contains(TOLD), "{}", mail.text);
    assert!(
        notice(&owner, &slug)
            .await
            .expect("counted")
            .contains("1 person waiting")
    );
}
