//! Approved email domains: validation and messages on the Security page, audit events,
//! joining from the home page with a verified address (and only then), exact-domain
//! matching, removal stopping joins at once, and the seat rule.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, PASSWORD, TestApp, TestClient};

both_databases!(
    domains_are_validated_stored_lower_case_and_audited,
    a_verified_address_at_an_approved_domain_joins_from_home,
    unverified_addresses_never_join,
    removing_a_domain_stops_joins_at_once,
    domain_joins_follow_the_seat_rule,
);

async fn add(client: &TestClient, slug: &str, domain: &str) -> reqwest::Response {
    client
        .post_form(
            &format!("/w/{slug}/security/domains"),
            &[("domain", domain)],
        )
        .await
}

async fn stored(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT domain FROM approved_domains ORDER BY domain")
        .fetch_all(app.services.store.pool())
        .await
        .unwrap()
}

async fn domains_are_validated_stored_lower_case_and_audited(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let admin = app.member_as(&slug, "ada@example.com", "admin").await;
    assert_eq!(add(&admin, &slug, " Example.COM. ").await.status(), 303);
    assert_eq!(add(&owner, &slug, "Bücher.example").await.status(), 303);
    for (typed, message) in [
        ("example.com", "already approved"),
        ("gmail.com", "public email provider"),
        ("Outlook.com", "public email provider"),
        ("not a domain", "Enter a domain name like example.com"),
        ("localhost", "Enter a domain name like example.com"),
        ("10.0.0.1", "Enter a domain name like example.com"),
    ] {
        let res = add(&admin, &slug, typed).await;
        assert_eq!(res.status(), 422, "{typed}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{typed}: {message}");
        assert!(html.contains("id=\"domain-error\""), "beside the field");
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "what was typed stays"
        );
    }
    assert_eq!(
        stored(&app).await,
        vec!["example.com", "xn--bcher-kva.example"]
    );
    let (_, page) = admin.page(&format!("/w/{slug}/security")).await;
    assert!(page.contains("bücher.example") && page.contains("(xn--bcher-kva.example)"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'domain.added'")
            .await,
        2
    );
    // Another workspace may approve the same domain.
    let (other_owner, other) = app.owner_of("other@example.org", "Other").await;
    assert_eq!(add(&other_owner, &other, "example.com").await.status(), 303);
}

async fn a_verified_address_at_an_approved_domain_joins_from_home(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    add(&owner, &slug, "example.com").await;
    let sam = app.signed_up("sam@example.com", "Sam").await;
    let (_, home) = sam.page("/").await;
    assert!(home.contains("Workspaces you can join") && home.contains("Acme"));
    let res = sam
        .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let (via, reference, role, seat): (String, String, String, i64) = sqlx::query_as(
        "SELECT joined_via, joined_via_ref, role, has_seat FROM memberships \
         WHERE account_id = (SELECT id FROM accounts WHERE email = 'sam@example.com')",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        (via.as_str(), reference.as_str(), role.as_str(), seat),
        ("domain", "example.com", "member", 1)
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'member.joined_by_domain'")
            .await,
        1
    );
    let (_, home) = sam.page("/").await;
    assert!(
        !home.contains("Workspaces you can join"),
        "no longer offered"
    );
    // A subdomain or another domain is not the approved one.
    for email in ["tim@mail.example.com", "una@example.org"] {
        let other = app.signed_up(email, "Other").await;
        let (_, home) = other.page("/").await;
        assert!(!home.contains("Workspaces you can join"), "{email}");
        let res = other
            .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
            .await;
        assert_eq!(location(&res), "/");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
}

async fn unverified_addresses_never_join(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    add(&owner, &slug, "example.com").await;
    let pat = app.client();
    pat.sign_up("pat@example.com", PASSWORD, "Pat", "Unverified")
        .await;
    // Not verified: cannot sign in, so cannot join; the workflow refuses too.
    assert_ne!(pat.sign_in("pat@example.com", PASSWORD).await.status(), 303);
    let res = pat
        .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert!(location(&res).starts_with("/sign-in"));
    let account =
        gatehouse::store::accounts::by_email(app.services.store.pool(), "pat@example.com")
            .await
            .unwrap()
            .unwrap();
    assert_eq!(account.email_verified, 0);
    let svc = &app.services;
    assert!(
        gatehouse::services::domains::joinable(svc, &account)
            .await
            .unwrap()
            .is_empty()
    );
    let actor = gatehouse::services::Actor::default();
    assert!(
        gatehouse::services::domains::join(svc, &account, &slug, &actor)
            .await
            .is_err()
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
}

async fn removing_a_domain_stops_joins_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    add(&owner, &slug, "example.com").await;
    let sam = app.signed_up("sam@example.com", "Sam").await;
    let (_, home) = sam.page("/").await;
    assert!(home.contains("Workspaces you can join"));
    let res = owner
        .post_form(
            &format!("/w/{slug}/security/domains/remove"),
            &[("domain", "example.com")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, home) = sam.page("/").await;
    assert!(!home.contains("Workspaces you can join"));
    let res = sam
        .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert_eq!(location(&res), "/");
    let (_, home) = sam.page("/").await;
    assert!(home.contains("no longer accepts your address"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'domain.removed'")
            .await,
        1
    );
}

async fn domain_joins_follow_the_seat_rule(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    add(&owner, &slug, "example.com").await;
    app.set_seat_count(&slug, 2).await;
    for name in ["ann", "bob"] {
        let client = app.signed_up(&format!("{name}@example.com"), name).await;
        client
            .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
            .await;
    }
    let joined: Vec<(String, i64)> = sqlx::query_as(
        "SELECT role, has_seat FROM memberships WHERE joined_via = 'domain' ORDER BY has_seat DESC",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        joined,
        vec![("member".into(), 1), ("viewer".into(), 0)],
        "one seat was free"
    );
    app.set_workspace(&slug, "auto_assign_seats = 0, seat_count = 10")
        .await;
    let cy = app.signed_up("cy@example.com", "Cy").await;
    cy.post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM memberships WHERE joined_via = 'domain' AND role = 'viewer'"
        )
        .await,
        2,
        "auto-assign off: Viewer"
    );
}
