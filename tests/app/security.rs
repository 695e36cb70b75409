//! CSRF, session handling, redirects, headers and error pages.

use crate::both_databases;
use crate::support::client::{TestClient, csrf_in, location};
use crate::support::{Db, PASSWORD, TestApp};

both_databases!(
    state_changes_need_the_csrf_token,
    session_id_rotates_at_sign_in,
    sign_out_deletes_the_server_side_session,
    sessions_end_when_idle_or_too_old,
    next_redirects_stay_on_this_site,
    every_response_carries_security_headers,
    session_cookie_is_http_only_and_lax,
);

async fn workspaces(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM workspaces")
        .fetch_one(app.services.store.pool())
        .await
        .expect("count")
}

async fn state_changes_need_the_csrf_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("cs@example.com", "Cs").await;
    let missing = client.post_raw("/workspaces", &[("name", "Acme")]).await;
    assert_eq!(missing.status(), 403);
    assert!(
        missing
            .text()
            .await
            .expect("body")
            .contains("This form has expired")
    );
    let wrong = client
        .post_raw("/workspaces", &[("name", "Acme"), ("csrf_token", "forged")])
        .await;
    assert_eq!(wrong.status(), 403);
    let stranger = app.client();
    let other_token = stranger.csrf().await;
    let borrowed = client
        .post_raw(
            "/workspaces",
            &[("name", "Acme"), ("csrf_token", &other_token)],
        )
        .await;
    assert_eq!(
        borrowed.status(),
        403,
        "another session's token does not work"
    );
    assert_eq!(workspaces(&app).await, 0, "nothing changed");

    let token = client.csrf().await;
    let htmx = client
        .http
        .post(client.url("/workspaces"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[("name", "Acme")])
        .send()
        .await
        .expect("POST");
    assert_eq!(htmx.status(), 303, "the htmx header carries the token");
    assert_eq!(workspaces(&app).await, 1);
    let anonymous = app
        .client()
        .post_raw(
            "/sign-in",
            &[("email", "cs@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(anonymous.status(), 403, "sign-in forms are protected too");
}

async fn session_id_rotates_at_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("rot@example.com", "Rot").await;
    let client = app.client();
    client.csrf().await;
    let before = client
        .session_cookie()
        .expect("anonymous session for the form token");
    assert_eq!(
        client.sign_in("rot@example.com", PASSWORD).await.status(),
        303
    );
    let after = client.session_cookie().expect("signed-in session");
    assert_ne!(before, after, "a new session id at sign-in");
    let fixated = TestClient::new(&app.address);
    let url = app.address.parse().expect("url");
    fixated
        .jar
        .add_cookie_str(&format!("gatehouse_session={before}"), &url);
    assert_eq!(
        fixated.get("/account").await.status(),
        303,
        "the old id grants nothing"
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
    for path in ["/", "/sign-in", "/no-such-page", "/healthz", css.as_str()] {
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
    assert!(csrf_in(&client.page("/sign-in").await.1).is_some());
}

async fn session_cookie_is_http_only_and_lax(db: Db) {
    let app = TestApp::spawn(db).await;
    let res = app.client().get("/sign-in").await;
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
