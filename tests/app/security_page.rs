//! The Security page as a whole: every setting saves through htmx with a visible
//! confirmation, and every change leaves one audit event naming who changed what.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(every_setting_confirms_and_is_audited_with_who_and_what);

/// Posts the way the htmx-boosted page does and, like htmx, follows the answer's
/// redirect; returns the final status and body.
async fn htmx_post(client: &TestClient, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let token = client.csrf().await;
    let res = client
        .http
        .post(client.url(path))
        .header("HX-Request", "true")
        .header("HX-Boosted", "true")
        .header("X-CSRF-Token", token)
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
    let admin = app.member_as(&slug, "ada@example.com", "admin").await;
    let steps: [(&TestClient, &str, Vec<(&str, &str)>, &str, &str); 7] = [
        (
            &owner,
            "who-may-invite",
            vec![("who_may_invite", "everyone")],
            "Saved: who may invite.",
            "\"who_may_invite\"",
        ),
        (
            &admin,
            "invitations",
            vec![
                ("invitation_expiry_days", "14"),
                ("auto_approve_join_requests", "on"),
            ],
            "Saved: invitation settings.",
            "\"invitation_expiry_days\":14",
        ),
        (
            &admin,
            "links",
            vec![],
            "Saved: invite links are off",
            "\"allow_invite_links\":false",
        ),
        (
            &admin,
            "discoverable",
            vec![("discoverable", "on")],
            "Saved: the workspace is listed",
            "\"discoverable\":true",
        ),
        (
            &admin,
            "domains",
            vec![("domain", "example.org")],
            "Approved example.org: people with a verified address there can join.",
            "example.org",
        ),
        (
            &admin,
            "domains/remove",
            vec![("domain", "example.org")],
            "Removed example.org: nobody joins through it any more.",
            "example.org",
        ),
        (
            &admin,
            "links/delete-all",
            vec![],
            "Deleted 0 invite links.",
            "\"deleted\":0",
        ),
    ];
    for (who, path, form, confirmation, _) in &steps {
        let (status, body) = htmx_post(who, &format!("/w/{slug}/security/{path}"), form).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(confirmation), "{path} confirms: {body}");
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
    for ((_, actor, details), (who, path, _, _, what)) in events.iter().zip(&steps) {
        let expected = if std::ptr::eq(*who, &owner) {
            "owner@example.com"
        } else {
            "ada@example.com"
        };
        assert_eq!(actor, expected, "{path}: who");
        assert!(details.contains(what), "{path}: what, in {details}");
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
