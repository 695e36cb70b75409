//! Signed webhooks, received by a real HTTP server: every event arrives once, signed with
//! the secret shown once; two instances deliver each event once; a refused change sends
//! nothing. (How deliveries fail, retry and stop: `webhook_delivery`.)

use crate::both_databases;
use crate::support::invites::{copied_link, invite};
use crate::support::receiver::Receiver;
use crate::support::{Db, TestApp, TestClient, eventually};

both_databases!(
    each_event_arrives_once_signed_with_the_secret_shown_once,
    two_instances_deliver_each_event_once,
    a_refused_change_queues_no_event,
);

const ALL_EVENTS: [&str; 7] = gatehouse::domain::webhook::EVENTS;

/// Adds an endpoint for `events` through the page; returns the secret the answer shows.
pub async fn add_endpoint(owner: &TestClient, slug: &str, url: &str, events: &[&str]) -> String {
    let mut form = vec![("url", url)];
    form.extend(events.iter().map(|e| ("events", *e)));
    let res = owner
        .post_form(&format!("/w/{slug}/settings/webhooks"), &form)
        .await;
    assert_eq!(res.status(), 200, "endpoint added");
    let html = res.text().await.unwrap();
    let at = html.find("whsec_").expect("the secret is shown");
    let secret: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let (_, again) = owner.page(&format!("/w/{slug}/settings/webhooks")).await;
    assert!(!again.contains("whsec_"), "the secret is shown only once");
    secret
}

pub async fn endpoint_id(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM webhook_endpoints")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap()
}

async fn each_event_arrives_once_signed_with_the_secret_shown_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let secret = add_endpoint(&owner, &slug, &hooks.url, &ALL_EVENTS).await;

    // Joining by link.
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    let lee = app.signed_up("lee@example.com", "Lee").await;
    assert_eq!(lee.post_form(&path, &[]).await.status(), 303);
    let joined = hooks.wait_for("member.joined", 1).await;
    let data = &joined[0].json()["data"];
    assert_eq!(data["how"], "link");
    assert_eq!(data["member"]["email"], "lee@example.com");
    assert_eq!(data["workspace"]["slug"], slug.as_str());

    // The member's life: role, suspension, reactivation, removal.
    let lee_id = app.account_id("lee@example.com").await;
    let member = |action: &str| format!("/w/{slug}/members/{lee_id}/{action}");
    let res = owner
        .post_form(&member("role"), &[("role", "viewer")])
        .await;
    assert_eq!(res.status(), 303);
    let changed = hooks.wait_for("member.role_changed", 1).await;
    assert_eq!(changed[0].json()["data"]["from"], "member");
    assert_eq!(changed[0].json()["data"]["to"], "viewer");
    for (action, event) in [
        ("suspend", "member.suspended"),
        ("reactivate", "member.reactivated"),
        ("remove", "member.removed"),
    ] {
        assert_eq!(owner.post_form(&member(action), &[]).await.status(), 303);
        let got = hooks.wait_for(event, 1).await;
        assert_eq!(got[0].json()["data"]["member"]["id"], lee_id.as_str());
    }

    // A join request, through a Member's link.
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, mia_link) = app.link_of(&mia, &slug, &[]).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    assert_eq!(ray.post_form(&mia_link, &[]).await.status(), 200);
    let asked = hooks.wait_for("join_request.created", 1).await;
    assert_eq!(
        asked[0].json()["data"]["account"]["email"],
        "ray@example.com"
    );

    // An invitation accepted.
    assert_eq!(
        invite(&owner, &slug, "ann@example.com", "member")
            .await
            .status(),
        303
    );
    let invitation = app.invitation_id("ann@example.com").await;
    let ann = app.signed_up("ann@example.com", "Ann").await;
    let path = copied_link(&owner, &slug, &invitation).await;
    assert_eq!(
        ann.post_form(&format!("{path}/join"), &[]).await.status(),
        303
    );
    let accepted = hooks.wait_for("invitation.accepted", 1).await;
    assert_eq!(
        accepted[0].json()["data"]["invitation"]["id"],
        invitation.as_str()
    );
    let joined = hooks.wait_for("member.joined", 2).await;
    assert_eq!(joined[1].json()["data"]["how"], "invitation");

    // Ray's request approved (he asked through a link: he joins by link), then Sam's from
    // Browse workspaces (he joins by request), and Dee through an approved domain.
    let pool = app.services.store.pool();
    let request: String = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(pool)
        .await
        .unwrap();
    let approve = format!("/w/{slug}/requests/{request}/approve");
    assert_eq!(owner.post_form(&approve, &[]).await.status(), 303);
    let joined = hooks.wait_for("member.joined", 3).await;
    assert_eq!(
        joined[2].json()["data"]["member"]["email"],
        "ray@example.com"
    );
    assert_eq!(joined[2].json()["data"]["how"], "link");
    app.set_workspace(&slug, "discoverable = 1").await;
    let sam = app.signed_up("sam@example.com", "Sam").await;
    sam.post_form(&format!("/workspaces/{slug}/request"), &[])
        .await;
    let asked = hooks.wait_for("join_request.created", 2).await;
    assert_eq!(asked[1].json()["data"]["via"], "browse");
    let request: String = sqlx::query_scalar(
        "SELECT r.id FROM join_requests r JOIN accounts a ON a.id = r.account_id \
         WHERE a.email = 'sam@example.com'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let approve = format!("/w/{slug}/requests/{request}/approve");
    assert_eq!(owner.post_form(&approve, &[]).await.status(), 303);
    let joined = hooks.wait_for("member.joined", 4).await;
    assert_eq!(joined[3].json()["data"]["how"], "request");
    app.approve_domain(&owner, &slug, "dee-corp.example").await;
    let dee = app.signed_up("dee@dee-corp.example", "Dee").await;
    let res = dee
        .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let joined = hooks.wait_for("member.joined", 5).await;
    let dee = joined
        .iter()
        .map(|r| r.json()["data"].clone())
        .find(|d| d["member"]["email"] == "dee@dee-corp.example")
        .expect("Dee's member.joined");
    assert_eq!(dee["how"], "domain");

    eventually("nothing left to send", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NULL")
            .await
            == 0
    })
    .await;
    let all = hooks.all();
    assert_eq!(all.len(), 12, "one request per event: {all:?}");
    for r in &all {
        assert!(r.signed_by(&secret), "{} is signed with the secret", r.id);
        assert!(r.id.starts_with("msg_"));
    }
    let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "every event has its own webhook-id");
    let (_, page) = owner.page(&format!("/w/{slug}/settings/webhooks")).await;
    assert!(page.contains("Delivered (HTTP 200)") && page.contains("member.removed"));
}

async fn two_instances_deliver_each_event_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let beside = app.spawn_beside(&app.mail, |_| {}).await;
    let hooks = Receiver::start().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &["member.suspended"]).await;
    let id = endpoint_id(&app).await;
    let on_beside = TestClient::new(&beside.address);
    on_beside
        .sign_in("owner@example.com", crate::support::PASSWORD)
        .await;
    let people = app.add_members(&slug, "Su", 10, "viewer").await;
    // Twenty test events and ten suspensions, half through each instance, all at once.
    let test = format!("/w/{slug}/settings/webhooks/{id}/test");
    let tests = (0..20).map(|i| (i, test.clone()));
    let suspends = people
        .iter()
        .enumerate()
        .map(|(i, p)| (i, format!("/w/{slug}/members/{p}/suspend")));
    let sends = tests.chain(suspends).map(|(i, path)| {
        let client = if i % 2 == 0 { &owner } else { &on_beside };
        async move { client.post_form(&path, &[]).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    hooks.wait_for("webhook.test", 20).await;
    hooks.wait_for("member.suspended", 10).await;
    eventually("all delivered", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NOT NULL")
            .await
            == 30
    })
    .await;
    let all = hooks.all();
    let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((all.len(), ids.len()), (30, 30), "each event posted once");
    let mut suspended: Vec<String> = hooks
        .of("member.suspended")
        .iter()
        .map(|r| {
            r.json()["data"]["member"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    suspended.sort_unstable();
    let mut expected = people.clone();
    expected.sort_unstable();
    assert_eq!(suspended, expected, "one event per suspended member");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1")
            .await,
        30,
        "one attempt each"
    );
}

async fn a_refused_change_queues_no_event(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &ALL_EVENTS).await;
    let viewer = app.add_members(&slug, "Vi", 1, "viewer").await.remove(0);
    app.set_seat_count(&slug, 1).await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{viewer}/role"),
            &[("role", "member")],
        )
        .await;
    assert!(res.status().is_redirection() || res.status() == 422);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'viewer'")
            .await,
        1,
        "no free seat: still a Viewer"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
        0,
        "no change, no event"
    );
    let res = owner
        .post_form(&format!("/w/{slug}/members/{viewer}/suspend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let got = hooks.wait_for("member.suspended", 1).await;
    assert_eq!(got[0].json()["data"]["member"]["id"], viewer.as_str());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );
}
