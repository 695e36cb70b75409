//! The JSON API through real HTTP: scopes, the creator's current role, another
//! workspace's token, bad bodies (422 naming the field), cursor pages over a thousand
//! members, the seat race, revoked and expired tokens, and the per-token rate limit.

use std::collections::HashSet;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_databases;
use crate::support::api::{ApiClient, code, make_token};
use crate::support::{Db, TestApp};

both_databases!(
    admin_token_changes_members_and_audit_names_the_token,
    bad_bodies_are_422_naming_the_field,
    cursor_pages_cover_every_member_once,
    fifty_concurrent_promotions_fill_ten_seats,
    revoked_expired_and_foreign_tokens_are_refused,
    a_demoted_or_suspended_creator_stops_their_tokens,
    too_many_requests_are_429_with_retry_after,
);

async fn admin_token_changes_members_and_audit_names_the_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let target = app.add_members(&slug, "Vee", 1, "viewer").await.remove(0);
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "Ops", "admin").await,
    );
    let base = format!("/api/v1/workspaces/{slug}");

    let (status, ws) = api.get(&base).await;
    assert_eq!(status, 200, "{ws}");
    assert_eq!(ws["name"], "Acme");
    assert_eq!(ws["seats"]["used"], 1);
    assert!(ws["settings"]["who_may_invite"].is_string());

    let member = format!("{base}/members/{target}");
    let (status, m) = api
        .call(Method::PATCH, &member, Some(json!({"role": "member"})))
        .await;
    assert_eq!(
        (status, m["role"].as_str(), m["seat"].as_bool()),
        (200, Some("member"), Some(true)),
        "{m}"
    );
    let (status, m) = api
        .call(Method::POST, &format!("{member}/suspend"), None)
        .await;
    assert_eq!(
        (status, m["status"].as_str()),
        (200, Some("suspended")),
        "{m}"
    );
    let (status, m) = api
        .call(Method::POST, &format!("{member}/reactivate"), None)
        .await;
    assert_eq!((status, m["status"].as_str()), (200, Some("active")), "{m}");
    let (status, done) = api
        .call(Method::POST, &format!("{base}/seats/assign"), None)
        .await;
    assert_eq!(status, 200, "{done}");
    let (status, _) = api.call(Method::DELETE, &member, None).await;
    assert_eq!(status, 200);
    let (status, gone) = api.get(&member).await;
    assert_eq!((status, code(&gone)), (404, "not_found"));

    let token_id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let named = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE api_token_id = '{token_id}' AND action IN \
             ('member.role_changed', 'member.suspended', 'member.reactivated', 'member.removed')"
        ))
        .await;
    assert_eq!(named, 4, "each change names the token");
    let (_, log) = owner.page(&format!("/w/{slug}/audit")).await;
    assert!(
        log.contains("(through the API token “Ops”)"),
        "the audit log says which token"
    );
    let (_, csv) = owner
        .page(&format!("/w/{slug}/audit.csv?action=member.suspended"))
        .await;
    let suspension = csv.lines().nth(1).unwrap_or_default().trim_end();
    assert!(suspension.ends_with(",Ops"), "the CSV too: {csv}");
}

async fn bad_bodies_are_422_naming_the_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let target = app.add_members(&slug, "Vee", 1, "viewer").await.remove(0);
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "Ops", "admin").await,
    );
    let member = format!("/api/v1/workspaces/{slug}/members/{target}");
    for (body, field) in [
        ("{", "body"),
        ("{}", "role"),
        (r#"{"role": 5}"#, "role"),
        (r#"{"role": "king"}"#, "role"),
        (r#"{"role": "member", "extra": 1}"#, "extra"),
    ] {
        let (status, answer) = api.raw(Method::PATCH, &member, body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
    }
    for (query, field) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("seat=some", "seat"),
        ("status=gone", "status"),
    ] {
        let (status, answer) = api
            .get(&format!("/api/v1/workspaces/{slug}/members?{query}"))
            .await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (422, Some(field)),
            "{query}"
        );
    }
    let (_, still) = api.get(&member).await;
    assert_eq!(still["role"], "viewer", "nothing changed");
}

async fn cursor_pages_cover_every_member_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let ws = app.workspace_id(&slug).await;
    app.add_bulk(&ws, "Crowd", 1400, &crate::support::bulk::NAMES)
        .await;
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "Read", "read").await,
    );
    let active = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM memberships WHERE workspace_id = '{ws}' AND status = 'active'"
        ))
        .await;
    assert!(active > 1000);
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let after = cursor
            .as_deref()
            .map_or(String::new(), |c| format!("&cursor={c}"));
        let (status, page) = api
            .get(&format!(
                "/api/v1/workspaces/{slug}/members?limit=200{after}"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for m in page["members"].as_array().unwrap() {
            assert!(
                seen.insert(m["id"].as_str().unwrap().to_string()),
                "listed once"
            );
            names.push(m["display_name"].as_str().unwrap().to_lowercase());
        }
        match &page["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            _ => break,
        }
    }
    assert_eq!(seen.len() as i64, active, "every active member");
    assert_eq!(pages, (active + 199) / 200);
    let (_, suspended) = api
        .get(&format!(
            "/api/v1/workspaces/{slug}/members?status=suspended&seat=without&limit=5&q=ada"
        ))
        .await;
    let rows = suspended["members"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|m| m["status"] == "suspended"
            && m["display_name"].as_str().unwrap().starts_with("Ada"))
    );
}

async fn fifty_concurrent_promotions_fill_ten_seats(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let viewers = app.add_members(&slug, "Vee", 50, "viewer").await;
    app.set_seat_count(&slug, 11).await;
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "Race", "admin").await,
    );
    let answers = join_all(viewers.iter().map(|id| {
        let api = api.clone();
        let path = format!("/api/v1/workspaces/{slug}/members/{id}");
        async move {
            api.call(Method::PATCH, &path, Some(json!({"role": "member"})))
                .await
        }
    }))
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    let full = answers
        .iter()
        .filter(|(s, a)| *s == 409 && code(a) == "no_free_seat")
        .count();
    assert_eq!((ok, full), (10, 40), "{answers:?}");
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 11);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE has_seat = 1")
            .await,
        11
    );
}

async fn revoked_expired_and_foreign_tokens_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let (other_owner, other) = app.owner_of("other@example.com", "Other").await;
    let reader = ApiClient::new(&app.address, &make_token(&owner, &slug, "R", "read").await);
    let target = app.add_members(&slug, "Vee", 1, "viewer").await.remove(0);
    let base = format!("/api/v1/workspaces/{slug}");
    let member = format!("{base}/members/{target}");
    // A read token reads, and is refused every change.
    assert_eq!(reader.get(&base).await.0, 200);
    assert_eq!(reader.get(&format!("{base}/members")).await.0, 200);
    assert_eq!(reader.get(&member).await.0, 200);
    for (method, path, body) in [
        (
            Method::PATCH,
            member.clone(),
            Some(json!({"role": "member"})),
        ),
        (Method::POST, format!("{member}/suspend"), None),
        (Method::POST, format!("{member}/reactivate"), None),
        (Method::DELETE, member.clone(), None),
        (Method::POST, format!("{base}/seats/assign"), None),
    ] {
        let (status, answer) = reader.call(method, &path, body).await;
        assert_eq!((status, code(&answer)), (403, "read_only_token"), "{path}");
    }
    // Another workspace's token: that workspace does not exist for it.
    let foreign = ApiClient::new(
        &app.address,
        &make_token(&other_owner, &other, "F", "admin").await,
    );
    assert_eq!(foreign.get(&base).await.0, 404);
    assert_eq!(foreign.get(&member).await.0, 404);
    assert_eq!(
        foreign.get(&format!("/api/v1/workspaces/{other}")).await.0,
        200
    );
    // Missing, made-up and expired tokens.
    for token in ["", "gh_madeup", "not-even-prefixed"] {
        let (status, answer) = ApiClient::new(&app.address, token).get(&base).await;
        assert_eq!((status, code(&answer)), (401, "invalid_token"), "{token:?}");
    }
    app.clock().advance(91 * 86_400);
    let (status, answer) = reader.get(&base).await;
    assert_eq!((status, code(&answer)), (401, "invalid_token"), "expired");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE api_token_id IS NOT NULL")
            .await,
        0
    );
}

async fn a_demoted_or_suspended_creator_stops_their_tokens(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let api = ApiClient::new(
        &app.address,
        &make_token(&admin, &slug, "Mine", "admin").await,
    );
    let base = format!("/api/v1/workspaces/{slug}");
    let owner_id = app.account_id("owner@example.com").await;
    // Acting as an Admin: an Owner is out of reach.
    let (status, answer) = api
        .call(
            Method::PATCH,
            &format!("{base}/members/{owner_id}"),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    let admin_id = app.account_id("admin@example.com").await;
    let demote = owner
        .post_form(
            &format!("/w/{slug}/members/{admin_id}/role"),
            &[("role", "member")],
        )
        .await;
    assert!(
        demote.status().is_redirection() || demote.status().is_success(),
        "{}",
        demote.status()
    );
    let (status, answer) = api.get(&base).await;
    assert_eq!(
        (status, code(&answer)),
        (403, "creator_cannot_manage"),
        "demoted"
    );
    sqlx::query("UPDATE memberships SET role = 'admin' WHERE account_id = $1")
        .bind(&admin_id)
        .execute(app.services.store.pool())
        .await
        .unwrap();
    assert_eq!(api.get(&base).await.0, 200, "an Admin again");
    sqlx::query("UPDATE memberships SET status = 'suspended', has_seat = 0 WHERE account_id = $1")
        .bind(&admin_id)
        .execute(app.services.store.pool())
        .await
        .unwrap();
    assert_eq!(api.get(&base).await.0, 403, "suspended");
    sqlx::query("DELETE FROM memberships WHERE account_id = $1")
        .bind(&admin_id)
        .execute(app.services.store.pool())
        .await
        .unwrap();
    assert_eq!(api.get(&base).await.0, 403, "removed");
}

async fn too_many_requests_are_429_with_retry_after(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let token = make_token(&owner, &slug, "Busy", "read").await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/workspaces/{slug}", app.address);
    let answers = join_all((0..200).map(|_| http.get(&url).bearer_auth(&token).send())).await;
    let limited: Vec<_> = answers
        .iter()
        .map(|r| r.as_ref().expect("answer"))
        .filter(|r| r.status() == 429)
        .collect();
    assert!(!limited.is_empty(), "the burst is limited");
    let wait: u64 = limited[0].headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let other = make_token(&owner, &slug, "Calm", "read").await;
    let calm = ApiClient::new(&app.address, &other);
    assert_eq!(
        calm.get(&format!("/api/v1/workspaces/{slug}")).await.0,
        200,
        "per token"
    );
}
