//! `/auth/verify` as a reverse proxy asks it: who is admitted and what the tool is told,
//! a removal or suspension taking effect on the very next request, the way to sign in and
//! back, and the cookie domain for tools on sibling subdomains. (Who passes which
//! condition is in `authorization`; a real nginx in front of a tool is in
//! `browser::forward_auth`.)

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, PASSWORD, TestApp, TestClient};

both_databases!(
    a_seat_holder_is_admitted_with_who_they_are,
    removal_and_suspension_shut_the_door_on_the_next_request,
    a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_tool,
    the_way_back_leads_only_where_the_cookie_reaches,
);

async fn verify(client: &TestClient, query: &str) -> reqwest::Response {
    client.get(&format!("/auth/verify?{query}")).await
}

/// Where `/auth/return` sends the browser: on by its `Refresh` header, or redirected home.
fn way_back(res: &reqwest::Response) -> String {
    match header(res, "refresh").strip_prefix("0; url=") {
        Some(url) => url.to_string(),
        None => location(res),
    }
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn a_seat_holder_is_admitted_with_who_they_are(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let member = app.member_as(&slug, "ada@example.com", "member").await;
    let id = app.account_id("ada@example.com").await;
    let res = verify(&member, &format!("workspace={slug}&seat=required")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-gatehouse-user-id"), id);
    assert_eq!(header(&res, "x-gatehouse-email"), "ada@example.com");
    assert_eq!(header(&res, "x-gatehouse-name"), "Someone Tester");
    assert_eq!(header(&res, "x-gatehouse-role"), "member");
    assert_eq!(header(&res, "x-gatehouse-seat"), "true");
    assert_eq!(header(&res, "cache-control"), "no-store");

    let viewer = app.member_as(&slug, "vic@example.com", "viewer").await;
    let res = verify(&viewer, &format!("workspace={slug}")).await;
    assert_eq!(
        res.status(),
        200,
        "a Viewer passes when no seat is asked for"
    );
    assert_eq!(header(&res, "x-gatehouse-role"), "viewer");
    assert_eq!(header(&res, "x-gatehouse-seat"), "false");
    let res = verify(&viewer, &format!("workspace={slug}&seat=required")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(header(&res, "x-gatehouse-user-id"), "", "nobody named");

    for bad in [
        "",
        "workspace=",
        &format!("workspace={slug}&seat=maybe"),
        &format!("workspace={slug}&role=boss"),
    ] {
        assert_eq!(verify(&member, bad).await.status(), 400, "{bad:?}");
    }
}

async fn removal_and_suspension_shut_the_door_on_the_next_request(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let bo = app.member_as(&slug, "bo@example.com", "member").await;
    let cy = app.member_as(&slug, "cy@example.com", "member").await;
    let query = format!("workspace={slug}&seat=required");
    assert_eq!(verify(&bo, &query).await.status(), 200);
    assert_eq!(verify(&cy, &query).await.status(), 200);

    let bo_id = app.account_id("bo@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/members/{bo_id}/suspend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(verify(&bo, &query).await.status(), 403, "suspended");

    let cy_id = app.account_id("cy@example.com").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{cy_id}/remove"),
            &[("revoke_invitations", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(verify(&cy, &query).await.status(), 403, "removed");

    // Signing out ends it too.
    let res = bo.post_form("/sign-out", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(verify(&bo, &query).await.status(), 401);
}

async fn a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_tool(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.member_as(&slug, "ada@example.com", "member").await;
    let visitor = app.client();
    let tool = "http://gatehouse.test:8081/wiki/page?a=1&b=2";

    // nginx: 401, the sign-in page in Location; the proxy names the URL asked for.
    let res = visitor
        .http
        .get(visitor.url(&format!("/auth/verify?workspace={slug}")))
        .header("x-original-url", tool)
        .send()
        .await
        .expect("verify");
    assert_eq!(res.status(), 401);
    let sign_in = location(&res);
    let expected_next =
        "/auth/return?to=http%3A%2F%2Fgatehouse.test%3A8081%2Fwiki%2Fpage%3Fa%3D1%26b%3D2";
    let encoded: String = serde_urlencoded::to_string([("next", expected_next)]).expect("encode");
    assert_eq!(sign_in, format!("http://gatehouse.test/sign-in?{encoded}"));

    // Traefik and Caddy: the redirect itself, from their X-Forwarded-* headers.
    let res = visitor
        .http
        .get(visitor.url(&format!("/auth/verify?workspace={slug}&redirect=1")))
        .header("x-forwarded-proto", "http")
        .header("x-forwarded-host", "gatehouse.test:8081")
        .header("x-forwarded-uri", "/wiki/page?a=1&b=2")
        .send()
        .await
        .expect("verify");
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(location(&res), sign_in);

    // Signing in with that `next` leads back to the tool.
    let res = visitor
        .post_form(
            "/sign-in",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", expected_next),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), expected_next);
    let res = visitor.get(expected_next).await;
    assert_eq!(res.status(), 200);
    assert_eq!(way_back(&res), tool);
    let page = res.text().await.expect("page");
    let link = "href=\"http://gatehouse.test:8081/wiki/page?a=1&#38;b=2\"";
    assert!(
        page.contains(link) && page.contains("Continue to gatehouse.test"),
        "a link too, for browsers that ignore Refresh: {page}"
    );
    assert_eq!(
        verify(&visitor, &format!("workspace={slug}"))
            .await
            .status(),
        200
    );
}

async fn the_way_back_leads_only_where_the_cookie_reaches(db: Db) {
    let app = TestApp::spawn_configured(db, crate::support::Smtp::Running, |s| {
        s.cookie_domain = Some("gatehouse.test".into());
    })
    .await;
    let visitor = app.client();
    for (to, expected) in [
        (
            "http://wiki.gatehouse.test/x",
            "http://wiki.gatehouse.test/x",
        ),
        (
            "https://gatehouse.test:9000/",
            "https://gatehouse.test:9000/",
        ),
        ("https://evil.test/", "/"),
        ("https://wiki.gatehouse.test@evil.test/", "/"),
        ("https://notgatehouse.test/", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let query = serde_urlencoded::to_string([("to", to)]).expect("encode");
        let res = visitor.get(&format!("/auth/return?{query}")).await;
        assert_eq!(way_back(&res), expected, "{to}");
    }
    // A tool elsewhere is not written into the sign-in link at all.
    let res = visitor
        .http
        .get(visitor.url("/auth/verify?workspace=acme"))
        .header("x-original-url", "https://evil.test/")
        .send()
        .await
        .expect("verify");
    assert_eq!(location(&res), "http://gatehouse.test/sign-in?next=%2F");

    // The session cookie is set for the domain, so sibling tools' proxies receive it.
    visitor
        .sign_up("dee@example.com", PASSWORD, "Dee", "Tester")
        .await;
    let confirm = crate::support::link_in(
        &app.mail
            .wait_for("dee@example.com", "Confirm your email")
            .await,
    );
    let res = visitor.post_form(&confirm, &[]).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gatehouse_session="))
        .unwrap_or_default()
        .to_string();
    assert!(cookie.contains("Domain=gatehouse.test"), "{cookie}");
}
