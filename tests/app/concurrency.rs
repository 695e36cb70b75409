//! Seat and owner rules under concurrent requests, fired over HTTP at once and checked in
//! the database afterwards.

use futures_util::future::join_all;

use crate::both_databases;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    fifty_promotions_into_ten_free_seats_give_ten_seats,
    assign_seats_racing_promotions_never_oversubscribes,
    two_owners_demoting_each_other_leave_an_owner,
);

/// POSTs the same way htmx does, all at once, and returns the statuses.
async fn fire(
    client: &TestClient,
    requests: Vec<(String, Vec<(&'static str, &'static str)>)>,
) -> Vec<u16> {
    let sends = requests.into_iter().map(|(path, form)| {
        let request = client
            .http
            .post(client.url(&path))
            .header("HX-Request", "true")
            .form(&form);
        async move { request.send().await.expect("POST").status().as_u16() }
    });
    join_all(sends).await
}

async fn seats_are_consistent(app: &TestApp) -> i64 {
    let used = app.scalar("SELECT seats_used FROM workspaces").await;
    let holders = app
        .scalar("SELECT COUNT(*) FROM memberships WHERE has_seat = 1")
        .await;
    let count = app.scalar("SELECT seat_count FROM workspaces").await;
    assert_eq!(used, holders, "the counter matches the seat-holders");
    assert!(used <= count, "{used} seats used of {count}");
    used
}

async fn fifty_promotions_into_ten_free_seats_give_ten_seats(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Race").await;
    app.set_seat_count(&slug, 11).await;
    let viewers = app.add_members(&slug, "Viewer", 50, "viewer").await;
    let requests = viewers
        .iter()
        .map(|id| {
            (
                format!("/w/{slug}/members/{id}/role"),
                vec![("role", "member")],
            )
        })
        .collect();
    let statuses = fire(&owner, requests).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        40,
        "the rest refused: {statuses:?}"
    );
    assert_eq!(seats_are_consistent(&app).await, 11);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'member'")
            .await,
        10
    );
}

async fn assign_seats_racing_promotions_never_oversubscribes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Rush").await;
    app.set_seat_count(&slug, 11).await;
    let viewers = app.add_members(&slug, "Viewer", 30, "viewer").await;
    let mut requests: Vec<(String, Vec<(&str, &str)>)> = viewers
        .iter()
        .rev()
        .take(20)
        .map(|id| {
            (
                format!("/w/{slug}/members/{id}/role"),
                vec![("role", "admin")],
            )
        })
        .collect();
    for i in 0..5 {
        requests.insert(i * 4, (format!("/w/{slug}/members/assign-seats"), vec![]));
    }
    fire(&owner, requests).await;
    assert_eq!(
        seats_are_consistent(&app).await,
        11,
        "every seat taken, none twice"
    );
}

async fn two_owners_demoting_each_other_leave_an_owner(db: Db) {
    let app = TestApp::spawn(db).await;
    let (first, slug) = app.owner_of("one@example.com", "Duel").await;
    let second = app.member_as(&slug, "two@example.com", "owner").await;
    let id = |email: &'static str| {
        let pool = app.services.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM accounts WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .expect("id")
        }
    };
    let (one, two) = (id("one@example.com").await, id("two@example.com").await);
    let a = fire(
        &first,
        vec![(
            format!("/w/{slug}/members/{two}/role"),
            vec![("role", "admin")],
        )],
    );
    let b = fire(
        &second,
        vec![(
            format!("/w/{slug}/members/{one}/role"),
            vec![("role", "admin")],
        )],
    );
    let (a, b) = tokio::join!(a, b);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'owner' AND status = 'active'")
            .await,
        1,
        "{a:?} {b:?}"
    );

    sqlx::query("UPDATE memberships SET role = 'owner'")
        .execute(app.services.store.pool())
        .await
        .expect("both owners again");
    let a = fire(
        &first,
        vec![(format!("/w/{slug}/members/{two}/remove"), vec![])],
    );
    let b = fire(
        &second,
        vec![(format!("/w/{slug}/members/{one}/remove"), vec![])],
    );
    let (a, b) = tokio::join!(a, b);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'owner' AND status = 'active'")
            .await,
        1,
        "{a:?} {b:?}"
    );
}
