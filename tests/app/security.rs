//! CSRF (from the browser's Sec-Fetch-Site / Origin), session handling, redirects,
//! headers and error pages.

use gatehouse::store::sessions::DbSessionStore;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;

use crate::both_databases;
use crate::support::client::{FETCH_SITE, TestClient, location};
use crate::support::invites::{copied_link, invite};
use crate::support::{BASE_URL, Db, PASSWORD, TestApp};

both_databases!(
    cross_site_requests_change_nothing,
    same_origin_and_htmx_requests_pass,
    without_fetch_metadata_the_origin_must_be_the_base_url,
    requests_that_say_nothing_are_refused_clearly,
    anonymous_visits_write_no_session,
    session_id_rotates_at_sign_in,
    sign_out_deletes_the_server_side_session,
    a_request_in_flight_cannot_undo_a_sign_out,
    sessions_end_when_idle_or_too_old,
    next_redirects_stay_on_this_site,
    every_response_carries_security_headers,
    session_cookie_is_http_only_and_lax,
);

async fn workspaces(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM workspaces").await
}

async fn sessions(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM sessions").await
}

/// POSTs `fields` to `path` with these extra headers (overriding the client's own).
async fn post_with(
    client: &TestClient,
    path: &str,
    headers: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client.post_form_with(path, headers, fields).await
}

async fn body(res: reqwest::Response) -> String {
    res.text().await.expect("body")
}

/// A browser too old to send Sec-Fetch-Site, signed in through an Origin it does send.
async fn legacy_signed_in(app: &TestApp, email: &str) -> TestClient {
    app.signed_up(email, "Old").await;
    let legacy = TestClient::legacy(&app.address);
    let credentials = [("email", email), ("password", PASSWORD)];
    let res = post_with(&legacy, "/sign-in", &[("origin", BASE_URL)], &credentials).await;
    assert_eq!(res.status(), 303, "the base URL's origin is accepted");
    legacy
}

async fn cross_site_requests_change_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("cs@example.com", "Cs").await;
    let acme = [("name", "Acme")];
    for site in ["cross-site", "same-site"] {
        let res = post_with(&client, "/workspaces", &[(FETCH_SITE, site)], &acme).await;
        assert_eq!(res.status(), 403, "{site}");
        assert!(
            body(res).await.contains("this came from another site"),
            "{site}"
        );
        let htmx = [(FETCH_SITE, site), ("hx-request", "true")];
        let res = post_with(&client, "/workspaces", &htmx, &acme).await;
        assert_eq!(res.status(), 403, "htmx, {site}");
    }
    let with_our_origin = [(FETCH_SITE, "cross-site"), ("origin", BASE_URL)];
    let res = post_with(&client, "/workspaces", &with_our_origin, &acme).await;
    assert_eq!(res.status(), 403, "Sec-Fetch-Site decides before Origin");
    assert_eq!(workspaces(&app).await, 0, "nothing changed");

    app.signed_up("victim@example.com", "Victim").await;
    let before = sessions(&app).await;
    let anonymous = app.client();
    let credentials = [("email", "victim@example.com"), ("password", PASSWORD)];
    let res = post_with(
        &anonymous,
        "/sign-in",
        &[(FETCH_SITE, "cross-site")],
        &credentials,
    )
    .await;
    assert_eq!(res.status(), 403, "sign-in forms are protected too");
    assert!(
        anonymous.session_cookie().is_none(),
        "no session handed out"
    );
    assert_eq!(sessions(&app).await, before);
}

async fn same_origin_and_htmx_requests_pass(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("so@example.com", "So").await;
    let res = client.post_form("/workspaces", &[("name", "Acme")]).await;
    assert_eq!(res.status(), 303, "a plain form post from our page");
    let htmx = [("hx-request", "true")];
    let res = post_with(&client, "/workspaces", &htmx, &[("name", "Beta")]).await;
    assert_eq!(res.status(), 303, "an htmx post from our page");
    let typed = [(FETCH_SITE, "none")];
    let res = post_with(&client, "/workspaces", &typed, &[("name", "Gamma")]).await;
    assert_eq!(res.status(), 303, "a navigation the user started");
    assert_eq!(workspaces(&app).await, 3);
    let (_, html) = client.page("/").await;
    assert!(
        !html.contains("csrf") && !html.contains("hx-headers"),
        "pages carry no per-session secret"
    );
}

async fn without_fetch_metadata_the_origin_must_be_the_base_url(db: Db) {
    let app = TestApp::spawn(db).await;
    let legacy = legacy_signed_in(&app, "old@example.com").await;
    let acme = [("name", "Acme")];
    for origin in [
        "http://evil.example",
        "https://gatehouse.test",
        "http://gatehouse.test.evil.example",
        app.address.as_str(),
    ] {
        let res = post_with(&legacy, "/workspaces", &[("origin", origin)], &acme).await;
        assert_eq!(res.status(), 403, "{origin}");
        assert!(
            body(res).await.contains("this came from another site"),
            "{origin}"
        );
    }
    assert_eq!(
        workspaces(&app).await,
        0,
        "not even the Host the request went to"
    );
    let res = post_with(&legacy, "/workspaces", &[("origin", BASE_URL)], &acme).await;
    assert_eq!(res.status(), 303);
    assert_eq!(workspaces(&app).await, 1);
}

async fn requests_that_say_nothing_are_refused_clearly(db: Db) {
    let app = TestApp::spawn(db).await;
    let legacy = legacy_signed_in(&app, "quiet@example.com").await;
    for headers in [&[][..], &[("origin", "null")][..]] {
        let res = post_with(&legacy, "/workspaces", headers, &[("name", "Acme")]).await;
        assert_eq!(res.status(), 403, "{headers:?}");
        let html = body(res).await;
        assert!(html.contains("Your browser is too old for this"), "{html}");
        assert!(
            html.contains("Sec-Fetch-Site: same-origin"),
            "scripts are told what to send"
        );
    }
    assert_eq!(workspaces(&app).await, 0);
    let before = sessions(&app).await;
    let anonymous = TestClient::legacy(&app.address);
    let credentials = [("email", "quiet@example.com"), ("password", PASSWORD)];
    let res = post_with(&anonymous, "/sign-in", &[], &credentials).await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        sessions(&app).await,
        before,
        "a refused sign-in stores nothing"
    );
}

async fn anonymous_visits_write_no_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    assert_eq!(
        invite(&owner, &slug, "guest@example.com", "member")
            .await
            .status(),
        303
    );
    let invitation = app.invitation_id("guest@example.com").await;
    let invite_path = copied_link(&owner, &slug, &invitation).await;
    let (_, join_path) = app.link_of(&owner, &slug, &[]).await;
    let before = sessions(&app).await;
    let visitor = app.client();
    for path in ["/", "/sign-in", "/sign-up", &invite_path, &join_path] {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            !res.headers().contains_key("set-cookie"),
            "{path}: no cookie"
        );
    }
    let wrong = [("email", "owner@example.com"), ("password", "not it")];
    let res = visitor.post_form("/sign-in", &wrong).await;
    assert!(
        !res.headers().contains_key("set-cookie"),
        "a failed sign-in neither"
    );
    assert_eq!(sessions(&app).await, before, "not one session row written");
}

async fn session_id_rotates_at_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("rot@example.com", "Rot").await;
    app.signed_up("other@example.com", "Other").await;
    let client = app.client();
    assert_eq!(
        client.sign_in("other@example.com", PASSWORD).await.status(),
        303
    );
    let before = client.session_cookie().expect("a session after sign-in");
    // A session id planted in a browser (here someone's own, signed in) must not become
    // the session of whoever signs in next in that browser.
    let planted = TestClient::new(&app.address);
    let url = app.address.parse().expect("url");
    planted
        .jar
        .add_cookie_str(&format!("gatehouse_session={before}"), &url);
    assert_eq!(
        planted.sign_in("rot@example.com", PASSWORD).await.status(),
        303
    );
    let after = planted.session_cookie().expect("signed-in session");
    assert_ne!(before, after, "a new session id at sign-in");
    let (_, account) = planted.page("/account").await;
    assert!(account.contains("rot@example.com"));
    assert_eq!(
        client.get("/account").await.status(),
        303,
        "the planted id was ended, not taken over"
    );
}

async fn sign_out_deletes_the_server_side_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("out@example.com", "Out").await;
    let cookie = client.session_cookie().expect("session");
    let sessions_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    assert_eq!(client.sign_out().await.status(), 303);
    let sessions_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count");
    assert!(
        sessions_after < sessions_before,
        "the session row is deleted"
    );
    let replay = TestClient::new(&app.address);
    let url = app.address.parse().expect("url");
    replay
        .jar
        .add_cookie_str(&format!("gatehouse_session={cookie}"), &url);
    let res = replay.get("/account").await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/sign-in"),
        "a copied cookie is worthless after sign-out"
    );
}

/// A request that read the session before a sign-out and writes it back after (say, to
/// record activity) must not bring the session back.
async fn a_request_in_flight_cannot_undo_a_sign_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("flight@example.com", "Flight").await;
    let cookie = client.session_cookie().expect("session");
    let pool = app.services.store.pool();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_all(pool)
        .await
        .expect("ids");
    assert_eq!(ids.len(), 1, "one signed-in session");
    let id: Id = ids[0].parse().expect("a session id");
    let store = DbSessionStore::new(pool.clone());
    let mut in_flight = store.load(&id).await.expect("load").expect("the session");
    assert_eq!(client.sign_out().await.status(), 303);
    assert_eq!(sessions(&app).await, 0);
    in_flight
        .data
        .insert("gh.last_seen".into(), serde_json::json!(app.clock().now()));
    store.save(&in_flight).await.expect("save");
    assert_eq!(sessions(&app).await, 0, "the deleted row stays deleted");
    let replay = TestClient::new(&app.address);
    let url = app.address.parse().expect("url");
    replay
        .jar
        .add_cookie_str(&format!("gatehouse_session={cookie}"), &url);
    let res = replay.get("/account").await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/sign-in"),
        "the old cookie gets nothing"
    );
    assert_eq!(sessions(&app).await, 0);
}

async fn sessions_end_when_idle_or_too_old(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("idle@example.com", "Idle").await;
    app.clock().advance(7 * 24 * 3600 + 1);
    assert_eq!(
        client.get("/account").await.status(),
        303,
        "idle for over a week"
    );

    assert_eq!(
        client.sign_in("idle@example.com", PASSWORD).await.status(),
        303
    );
    for _ in 0..5 {
        app.clock().advance(5 * 24 * 3600);
        assert_eq!(
            client.get("/account").await.status(),
            200,
            "active within the idle limit"
        );
    }
    app.clock().advance(6 * 24 * 3600);
    assert_eq!(
        client.get("/account").await.status(),
        303,
        "31 days after sign-in, however active"
    );
}

async fn next_redirects_stay_on_this_site(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("nx@example.com", "Nx").await;
    let anonymous = app.client();
    let res = anonymous.get("/account").await;
    assert_eq!(location(&res), "/sign-in?next=/account");
    for (next, expected) in [
        ("/account", "/account"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let client = app.client();
        let res = client
            .post_form(
                "/sign-in",
                &[
                    ("email", "nx@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&res), expected, "next={next}");
    }
}

async fn every_response_carries_security_headers(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.client();
    let (_, html) = client.page("/").await;
    let css = html
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet link")
        .to_string();
    for path in [
        "/",
        "/sign-in",
        "/no-such-page",
        "/healthz",
        "/readyz",
        css.as_str(),
    ] {
        let res = client.get(path).await;
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
            "{path}: {csp}"
        );
        assert!(
            csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}"
        );
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
    let asset = client.get(&css).await;
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    let (status, body) = client.page("/w/nope/members?x=%00'").await;
    assert_eq!(
        status, 303,
        "anonymous visitors are sent to sign in, whatever the workspace"
    );
    assert!(!body.contains("sqlx"));
    let (status, body) = client.page("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found") && !body.to_lowercase().contains("error:"));
}

async fn session_cookie_is_http_only_and_lax(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("cookie@example.com", "Cookie").await;
    let res = app.client().sign_in("cookie@example.com", PASSWORD).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(cookie.starts_with("gatehouse_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http base URL: no Secure flag"
    );
}
