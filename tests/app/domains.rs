//! Approved email domains: validation and messages on the Security page, proof of control
//! (the admin's own verified address there, or a single-use expiring link emailed to an
//! address there), audit events, joining from the home page with a verified address (and
//! only then), exact-domain matching, removal stopping joins at once, and the seat rule.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, PASSWORD, TestApp, TestClient, link_in};

both_databases!(
    domains_are_validated_stored_lower_case_and_audited,
    approving_a_domain_without_an_address_there_needs_the_emailed_link,
    proof_links_expire_die_with_the_asker_s_rights_and_are_limited,
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
    // Ada's own verified address is at example.com: approved at once.
    assert_eq!(add(&admin, &slug, " Example.COM. ").await.status(), 303);
    let res = owner
        .post_form(
            &format!("/w/{slug}/security/domains"),
            &[
                ("domain", "Bücher.example"),
                ("proof_email", "postmaster@xn--bcher-kva.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mail = app
        .mail
        .wait_for("postmaster@xn--bcher-kva.example", "Approve")
        .await;
    let mailbox = app.client();
    assert_eq!(mailbox.post_form(&link_in(&mail), &[]).await.status(), 200);
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
    // Another workspace may approve the same domain, with its own proof.
    let (other_owner, other) = app.owner_of("other@example.org", "Other").await;
    app.approve_domain(&other_owner, &other, "example.com")
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM approved_domains WHERE domain = 'example.com'")
            .await,
        2
    );
}

async fn approving_a_domain_without_an_address_there_needs_the_emailed_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    let admin = app.member_as(&slug, "ada@acme.test", "admin").await;
    // The attack: approve someone else's domain with no address there.
    let res = add(&admin, &slug, "example.com").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"proof_email-error\""),
        "beside the field"
    );
    assert!(html.contains("Your own verified address is not at example.com"));
    assert!(
        html.contains("value=\"example.com\""),
        "what was typed stays"
    );
    for (named, message) in [
        ("it@example.org", "That address is not at example.com"),
        ("it@mail.example.com", "That address is not at example.com"),
        ("not an address", "Enter an email address at example.com"),
    ] {
        let res = admin
            .post_form(
                &format!("/w/{slug}/security/domains"),
                &[("domain", "example.com"), ("proof_email", named)],
            )
            .await;
        assert_eq!(res.status(), 422, "{named}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{named}: {message}");
        assert!(html.contains("id=\"proof_email-error\""));
    }
    assert!(stored(&app).await.is_empty(), "nothing approved");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'domain_proof'")
            .await,
        0
    );

    // Naming owner@example.com sends it a link; nothing is approved yet.
    let res = admin
        .post_form(
            &format!("/w/{slug}/security/domains"),
            &[
                ("domain", "example.com"),
                ("proof_email", "Owner@Example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = admin.page(&format!("/w/{slug}/security")).await;
    assert!(page.contains("We emailed a link to owner@example.com"));
    assert!(
        page.contains("id=\"pending-domain-proofs\"")
            && page.contains("link sent to owner@example.com")
    );
    assert!(stored(&app).await.is_empty());
    let mail = app
        .mail
        .wait_for("owner@example.com", "Approve example.com")
        .await;
    assert!(mail.text.contains("Acme") && mail.text.contains("ada@acme.test"));
    let path = link_in(&mail);
    let token = path.trim_start_matches("/domain-proof/");
    assert!(token.len() >= 43, "a 256-bit token");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM domain_proofs WHERE token_hash = '{token}'"
        ))
        .await,
        0,
        "only the token's hash is stored"
    );

    // Opening the link (a mail scanner) approves nothing.
    let mailbox = app.client();
    let (status, html) = mailbox.page(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Approve example.com for Acme?") && html.contains("Approve the domain"));
    mailbox.page(&path).await;
    assert!(stored(&app).await.is_empty(), "GET changes nothing");

    // The button approves it, once.
    let res = mailbox.post_form(&path, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Acme now approves example.com")
    );
    assert_eq!(stored(&app).await, vec!["example.com"]);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'domain.added'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    assert!(
        details.contains("emailed_link") && details.contains("owner@example.com"),
        "{details}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'domain.proof_requested'")
            .await,
        1
    );
    // Used twice: the second does nothing.
    let res = mailbox.post_form(&path, &[]).await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This link no longer works")
    );
    assert_eq!(mailbox.page(&path).await.0, 404);
    owner
        .post_form(
            &format!("/w/{slug}/security/domains/remove"),
            &[("domain", "example.com")],
        )
        .await;
    assert_eq!(
        mailbox.post_form(&path, &[]).await.status(),
        404,
        "never again, even after removal"
    );
    assert!(stored(&app).await.is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'domain.added'")
            .await,
        1
    );
}

async fn proof_links_expire_die_with_the_asker_s_rights_and_are_limited(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    let admin = app.member_as(&slug, "ada@acme.test", "admin").await;
    let ask = |domain: &'static str, address: &'static str| {
        let admin = &admin;
        let slug = &slug;
        async move {
            admin
                .post_form(
                    &format!("/w/{slug}/security/domains"),
                    &[("domain", domain), ("proof_email", address)],
                )
                .await
        }
    };
    // Expired after 24 hours.
    assert_eq!(ask("example.net", "it@example.net").await.status(), 303);
    let expiring = link_in(&app.mail.wait_for("it@example.net", "Approve").await);
    // The asker loses their rights before the link is followed.
    assert_eq!(ask("example.org", "it@example.org").await.status(), 303);
    let orphan = link_in(&app.mail.wait_for("it@example.org", "Approve").await);
    let ada = app.account_id("ada@acme.test").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{ada}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.client().post_form(&orphan, &[]).await.status(), 404);
    app.clock().advance(24 * 3_600 + 1);
    let mailbox = app.client();
    assert_eq!(mailbox.page(&expiring).await.0, 404);
    assert_eq!(mailbox.post_form(&expiring, &[]).await.status(), 404);
    assert!(stored(&app).await.is_empty(), "nothing approved");
    // A newer link retires the older ones once one of them is used.
    owner.sign_in("owner@acme.test", PASSWORD).await;
    for _ in 0..2 {
        let res = owner
            .post_form(
                &format!("/w/{slug}/security/domains"),
                &[("domain", "example.io"), ("proof_email", "a@example.io")],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let first = link_in(&app.mail.wait_for_count("a@example.io", "Approve", 2).await);
    let all: Vec<String> = app.mail.to("a@example.io").iter().map(link_in).collect();
    assert_eq!(all.len(), 2);
    assert_ne!(all[0], all[1], "each request has its own link");
    assert_eq!(mailbox.post_form(&first, &[]).await.status(), 200);
    let other = all.iter().find(|p| **p != first).unwrap();
    assert_eq!(mailbox.post_form(other, &[]).await.status(), 404);
    // One address gets at most three proof emails a day.
    let res = owner
        .post_form(
            &format!("/w/{slug}/security/domains"),
            &[("domain", "example.io"), ("proof_email", "a@example.io")],
        )
        .await;
    assert_eq!(res.status(), 422, "already approved");
    for n in 0..4 {
        let res = owner
            .post_form(
                &format!("/w/{slug}/security/domains"),
                &[("domain", "example.ch"), ("proof_email", "b@example.ch")],
            )
            .await;
        let expected = if n < 3 { 303 } else { 422 };
        assert_eq!(res.status(), expected, "request {n}");
        if n == 3 {
            assert!(
                res.text()
                    .await
                    .unwrap()
                    .contains("Too many proof emails today")
            );
        }
    }
    assert_eq!(stored(&app).await, vec!["example.io"]);
}

async fn a_verified_address_at_an_approved_domain_joins_from_home(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme").await;
    app.approve_domain(&owner, &slug, "example.com").await;
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
    app.approve_domain(&owner, &slug, "example.com").await;
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
    app.approve_domain(&owner, &slug, "example.com").await;
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
    app.approve_domain(&owner, &slug, "example.com").await;
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
