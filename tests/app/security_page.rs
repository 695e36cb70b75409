//! The Security page as a whole: every setting saves through htmx with a visible
//! confirmation, and every change leaves one audit event naming who changed what.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(every_setting_confirms_and_is_audited_with_who_and_what);

/// One change made on the page: by whom, where, what it says, what its event records.
struct Step<'a> {
    by: &'a Person,
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    confirmation: &'static str,
    details: &'static str,
}

/// A signed-in client and its address.
struct Person {
    client: TestClient,
    email: String,
}

/// Posts the way the htmx-boosted page does and, like htmx, follows the answer's
/// redirect; returns the final status and body.
async fn htmx_post(client: &TestClient, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = client
        .http
        .post(client.url(path))
        .header("HX-Request", "true")
        .header("HX-Boosted", "true")
        .form(form)
        .send()
        .await
        .expect("POST");
    if res.status() == 303 {
        let (status, body) = client.page(&location(&res)).await;
        return (status.as_u16(), body);
    }
    (res.status().as_u16(), res.text().await.expect("body"))
}

async fn every_setting_confirms_and_is_audited_with_who_and_what(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let admin = Person {
        client: app.member_as(&slug, "ada@example.com", "admin").await,
        email: "ada@example.com".into(),
    };
    let owner = Person {
        client: owner,
        email: "owner@example.com".into(),
    };
    let steps = [
        Step {
            by: &owner,
            path: "who-may-invite",
            form: &[("who_may_invite", "everyone")],
            confirmation: "Saved: who may invite.",
            details: "\"who_may_invite\"",
        },
        Step {
            by: &admin,
            path: "invitations",
            form: &[
                ("invitation_expiry_days", "14"),
                ("auto_approve_join_requests", "on"),
            ],
            confirmation: "Saved: invitation settings.",
            details: "\"invitation_expiry_days\":14",
        },
        Step {
            by: &admin,
            path: "links",
            form: &[],
            confirmation: "Saved: invite links are off",
            details: "\"allow_invite_links\":false",
        },
        Step {
            by: &admin,
            path: "discoverable",
            form: &[("discoverable", "on")],
            confirmation: "Saved: the workspace is listed",
            details: "\"discoverable\":true",
        },
        Step {
            by: &admin,
            path: "domains",
            form: &[("domain", "example.com")],
            confirmation: "Approved example.com: people with a verified address there can join.",
            details: "example.com",
        },
        Step {
            by: &admin,
            path: "domains/remove",
            form: &[("domain", "example.com")],
            confirmation: "Removed example.com: nobody joins through it any more.",
            details: "example.com",
        },
        Step {
            by: &admin,
            path: "links/delete-all",
            form: &[],
            confirmation: "Deleted 0 invite links.",
            details: "\"deleted\":0",
        },
    ];
    for step in &steps {
        let path = format!("/w/{slug}/security/{}", step.path);
        let (status, body) = htmx_post(&step.by.client, &path, step.form).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(step.confirmation), "{path} confirms: {body}");
    }
    let events: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT e.action, a.email, COALESCE(e.details, '') FROM audit_events e \
         JOIN accounts a ON a.id = e.actor_account_id \
         WHERE e.action IN ('settings.changed', 'domain.added', 'domain.removed', \
                            'links.deleted_all') ORDER BY e.id",
    )
    .fetch_all(app.services.store.pool())
    .await
    .expect("events");
    let actions: Vec<&str> = events.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "settings.changed",
            "settings.changed",
            "settings.changed",
            "settings.changed",
            "domain.added",
            "domain.removed",
            "links.deleted_all"
        ]
    );
    for ((_, actor, details), step) in events.iter().zip(&steps) {
        assert_eq!(actor, &step.by.email, "{}: who", step.path);
        assert!(
            details.contains(step.details),
            "{}: what, in {details}",
            step.path
        );
    }
    let settings: (String, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT who_may_invite, invitation_expiry_days, auto_approve_join_requests, \
         allow_invite_links, discoverable FROM workspaces",
    )
    .fetch_one(app.services.store.pool())
    .await
    .expect("settings");
    assert_eq!(
        settings,
        ("everyone".to_string(), 14, 1, 0, 1),
        "each took effect"
    );
}
