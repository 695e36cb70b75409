//! Issue 12's attacks on identity, each written as the attacker would try it: a copied
//! invitation code signing someone in or proving an address, a repeat sign-up replacing
//! a password, links outliving the credential, a burst of guesses slipping past the
//! throttle, and a suspended member shedding the suspension by leaving and rejoining.

use crate::both_databases;
use crate::support::client::location;
use crate::support::invites::{copied_link, invite};
use crate::support::{Db, PASSWORD, TestApp, TestClient, link_in};

both_databases!(
    a_copied_invitation_never_signs_anyone_in,
    an_invitation_sign_up_proves_no_address,
    a_repeat_sign_up_never_replaces_a_password,
    confirming_ends_other_sessions_and_links,
    links_die_with_the_credential,
    a_burst_of_sixty_guesses_checks_five_passwords,
    a_suspended_member_cannot_leave_and_rejoin,
    nothing_tells_who_has_an_account,
    a_sign_in_link_never_confirms_a_squatters_password,
);

const ATTACKER_PASSWORD: &str = "attacker owns this 4ever";

/// An invitation to `email` made with *Send invitation by email* off; its copied path.
async fn silent_invitation(app: &TestApp, inviter: &TestClient, slug: &str, email: &str) -> String {
    let res = inviter
        .post_form(
            &format!("/w/{slug}/invite"),
            &[("addresses", email), ("role", "member"), ("then", "close")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = app.invitation_id(email).await;
    copied_link(inviter, slug, &id).await
}

fn sign_up_fields(password: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("password", password.to_string())
        .text("first_name", "Mallory")
        .text("last_name", "Attacker")
        .text("display_name", "")
}

async fn password_works(app: &TestApp, email: &str, password: &str) -> bool {
    let res = app.client().sign_in(email, password).await;
    res.status() == 303
}

async fn a_copied_invitation_never_signs_anyone_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_victim, victim_slug) = app.owner_of("victim@example.com", "Victim Co").await;
    let (mallory, evil) = app.owner_of("mallory@example.com", "Evil").await;
    let path = silent_invitation(&app, &mallory, &evil, "victim@example.com").await;
    let attacker = app.client();
    // Join, signed out: asked to sign in, never signed in.
    let res = attacker.post_form(&format!("{path}/join"), &[]).await;
    assert!(location(&res).starts_with("/sign-in?next="));
    assert_eq!(
        attacker.get(&format!("/w/{victim_slug}")).await.status(),
        303,
        "not signed in as the victim"
    );
    // Sign-up with the victim's address: the account is left alone, a link is emailed.
    let res = attacker
        .post_multipart(
            &format!("{path}/sign-up"),
            sign_up_fields(ATTACKER_PASSWORD),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        attacker.get(&format!("/w/{victim_slug}")).await.status(),
        303
    );
    assert!(!password_works(&app, "victim@example.com", ATTACKER_PASSWORD).await);
    assert!(password_works(&app, "victim@example.com", PASSWORD).await);
    assert_eq!(app.invitation_status("victim@example.com").await, "pending");
    let mail = app
        .mail
        .wait_for("victim@example.com", "Your Gatehouse sign-in link")
        .await;
    assert!(mail.text.contains("invitation"), "the victim learns why");
}

async fn an_invitation_sign_up_proves_no_address(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, corp) = app.owner_of("owner@corp.example", "Corp").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&corp)
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO approved_domains (workspace_id, domain, added_by, created_at) VALUES ($1, 'corp.example', NULL, 0)")
        .bind(&workspace_id)
        .execute(app.services.store.pool())
        .await
        .unwrap();
    let (mallory, evil) = app.owner_of("mallory@example.com", "Evil").await;
    let path = silent_invitation(&app, &mallory, &evil, "ceo@corp.example").await;
    let attacker = app.client();
    let res = attacker
        .post_multipart(
            &format!("{path}/sign-up"),
            sign_up_fields(ATTACKER_PASSWORD),
        )
        .await;
    assert_eq!(location(&res), format!("/w/{evil}"), "a member at once");
    assert_eq!(
        app.scalar("SELECT email_verified FROM accounts WHERE email = 'ceo@corp.example'")
            .await,
        0,
        "the code proved nothing"
    );
    let (_, home) = attacker.page("/").await;
    assert!(
        !home.contains("Workspaces you can join"),
        "an unverified address joins no domain"
    );
    let res = attacker
        .post_form(&format!("/workspaces/{corp}/join-by-domain"), &[])
        .await;
    assert_eq!(location(&res), "/", "refused");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = (SELECT id FROM workspaces WHERE slug = 'corp')").await,
        1,
        "only the Owner"
    );
    // A later session cannot sign in with the password: the link is sent again.
    let later = app.client();
    let res = later.sign_in("ceo@corp.example", ATTACKER_PASSWORD).await;
    assert_eq!(res.status(), 403);
    app.mail
        .wait_for_count("ceo@corp.example", "Confirm your email", 2)
        .await;
}

async fn a_repeat_sign_up_never_replaces_a_password(db: Db) {
    let app = TestApp::spawn(db).await;
    app.client()
        .sign_up("ann@example.com", PASSWORD, "Ann", "Real")
        .await;
    app.clock().advance(61); // past the one-email-a-minute cooldown
    let hash_before: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE email = 'ann@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    app.client()
        .sign_up("ann@example.com", ATTACKER_PASSWORD, "Mal", "Lory")
        .await;
    let hash_after: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE email = 'ann@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    assert_eq!(
        hash_before, hash_after,
        "the repeat sign-up changed nothing"
    );
    let first = app
        .mail
        .wait_for("ann@example.com", "Confirm your email")
        .await;
    let second = app
        .mail
        .wait_for_count("ann@example.com", "Confirm your email", 2)
        .await;
    // The mailbox's owner follows the link of their own sign-up.
    let ann = app.client();
    assert_eq!(ann.post_form(&link_in(&first), &[]).await.status(), 303);
    assert!(password_works(&app, "ann@example.com", PASSWORD).await);
    assert!(!password_works(&app, "ann@example.com", ATTACKER_PASSWORD).await);
    let (status, _) = app.client().page(&link_in(&second)).await;
    assert_eq!(status, 404, "confirming retired the other sign-up's link");
}

async fn confirming_ends_other_sessions_and_links(db: Db) {
    let app = TestApp::spawn(db).await;
    let (mallory, evil) = app.owner_of("mallory@example.com", "Evil").await;
    let path = silent_invitation(&app, &mallory, &evil, "ann@example.com").await;
    let squatter = app.client();
    squatter
        .post_multipart(
            &format!("{path}/sign-up"),
            sign_up_fields(ATTACKER_PASSWORD),
        )
        .await;
    assert_eq!(squatter.get("/account").await.status(), 200);
    // Ann signs up for real: her link confirms her password and ends the squatter.
    app.clock().advance(61);
    app.client()
        .sign_up("ann@example.com", PASSWORD, "Ann", "Real")
        .await;
    let mail = app
        .mail
        .wait_for_count("ann@example.com", "Confirm your email", 2)
        .await;
    let ann = app.client();
    assert_eq!(ann.post_form(&link_in(&mail), &[]).await.status(), 303);
    assert_eq!(
        squatter.get("/account").await.status(),
        303,
        "the squatter's session ended"
    );
    assert_eq!(ann.get("/account").await.status(), 200);
    assert!(!password_works(&app, "ann@example.com", ATTACKER_PASSWORD).await);
    let first = app
        .mail
        .wait_for("ann@example.com", "Confirm your email")
        .await;
    assert_eq!(app.client().page(&link_in(&first)).await.0, 404);
}

/// A sign-in link and a reset link for `email`, both live (an hour later than before:
/// past the per-address limits).
async fn live_links(app: &TestApp, email: &str, n: usize) -> (String, String) {
    app.clock().advance(3601);
    let client = app.client();
    client.post_form("/sign-in/link", &[("email", email)]).await;
    client
        .post_form("/forgot-password", &[("email", email)])
        .await;
    let sign_in = app
        .mail
        .wait_for_count(email, "Your Gatehouse sign-in link", n)
        .await;
    let reset = app.mail.wait_for_count(email, "Reset your", n).await;
    let (sign_in, reset) = (link_in(&sign_in), link_in(&reset));
    assert_eq!(client.page(&sign_in).await.0, 200);
    assert_eq!(client.page(&reset).await.0, 200);
    (sign_in, reset)
}

async fn links_die_with_the_credential(db: Db) {
    let app = TestApp::spawn(db).await;
    let ann = app.signed_up("ann@example.com", "Ann").await;
    let dead = |path: String| {
        let client = app.client();
        async move { client.page(&path).await.0 == 404 }
    };
    let (sign_in, reset) = live_links(&app, "ann@example.com", 1).await;
    ann.post_form("/account/sign-out-everywhere", &[]).await;
    assert!(
        dead(sign_in).await && dead(reset).await,
        "sign out everywhere"
    );

    let ann = app.client();
    assert_eq!(ann.sign_in("ann@example.com", PASSWORD).await.status(), 303);
    let (sign_in, reset) = live_links(&app, "ann@example.com", 2).await;
    let new_password = "a new and long passphrase";
    let res = ann
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert!(res.status().is_redirection() || res.status() == 200);
    assert!(password_works(&app, "ann@example.com", new_password).await);
    assert!(dead(sign_in).await && dead(reset).await, "password change");

    let (sign_in, reset) = live_links(&app, "ann@example.com", 3).await;
    let res = app
        .client()
        .post_form(&reset, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(dead(sign_in).await, "a reset");
}

async fn a_burst_of_sixty_guesses_checks_five_passwords(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("vic@example.com", "Vic").await;
    let attacker = app.client();
    let guesses = (0..60).map(|i| {
        let attacker = &attacker;
        async move {
            let guess = format!("guess number {i}");
            let fields = [("email", "vic@example.com"), ("password", guess.as_str())];
            attacker
                .post_form("/sign-in", &fields)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 55), "{statuses:?}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_in_failed'")
            .await,
        5,
        "five passwords were checked"
    );
    // The right password from that address is refused too while the pair is locked.
    assert_eq!(
        attacker.sign_in("vic@example.com", PASSWORD).await.status(),
        429
    );
}

async fn a_suspended_member_cannot_leave_and_rejoin(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let (_, link) = app.link_of(&owner, &slug, &[]).await;
    let sam = app.member_as(&slug, "sam@example.com", "member").await;
    let sam_id = app.account_id("sam@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/members/{sam_id}/suspend"), &[])
        .await;
    assert!(res.status().is_redirection() || res.status() == 200);
    sam.post_form(&format!("/account/workspaces/{slug}/leave"), &[])
        .await;
    let status = |app: &TestApp| {
        let pool = app.services.store.pool().clone();
        let sam_id = sam_id.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM memberships WHERE account_id = $1")
                .bind(sam_id)
                .fetch_optional(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        status(&app).await.as_deref(),
        Some("suspended"),
        "still there"
    );
    // Every way back in leaves the suspension as it is.
    sam.post_form(&link, &[]).await;
    sam.post_form(&format!("/workspaces/{slug}/request"), &[])
        .await;
    sqlx::query("INSERT INTO approved_domains (workspace_id, domain, added_by, created_at) SELECT id, 'example.com', NULL, 0 FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .execute(app.services.store.pool())
        .await
        .unwrap();
    sam.post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    invite(&owner, &slug, "sam@example.com", "admin").await;
    assert_eq!(status(&app).await.as_deref(), Some("suspended"));
    assert_eq!(sam.get(&format!("/w/{slug}")).await.status(), 404);
    owner
        .post_form(&format!("/w/{slug}/members/{sam_id}/reactivate"), &[])
        .await;
    assert_eq!(
        status(&app).await.as_deref(),
        Some("active"),
        "only Reactivate"
    );
}

/// The invitation landing and "email me a sign-in link" answer the same for an address
/// with an account and one without (the address and code aside).
async fn nothing_tells_who_has_an_account(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("has@example.com", "Has").await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let with = silent_invitation(&app, &owner, &slug, "has@example.com").await;
    let without = silent_invitation(&app, &owner, &slug, "new@example.com").await;
    let visitor = app.client();
    let page = |path: String, email: &'static str| {
        let visitor = &visitor;
        async move {
            let (status, html) = visitor.page(&path).await;
            let code = path.trim_start_matches("/invite/").to_string();
            (
                status,
                html.replace(email, "ADDRESS").replace(&code, "CODE"),
            )
        }
    };
    assert_eq!(
        page(with, "has@example.com").await,
        page(without, "new@example.com").await,
        "the invitation landing"
    );
    let ask = |email: &'static str| {
        let visitor = &visitor;
        async move {
            let res = visitor
                .post_form("/sign-in/link", &[("email", email)])
                .await;
            (res.status(), res.text().await.unwrap())
        }
    };
    assert_eq!(
        ask("has@example.com").await,
        ask("nobody@example.com").await
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_in_link_requested'"
        )
        .await,
        2,
        "both requests leave an event"
    );
}

/// A squatter registers the victim's address; the victim, who never chose that password,
/// asks for a sign-in link: following it signs the victim in and leaves the squatter's
/// password worthless.
async fn a_sign_in_link_never_confirms_a_squatters_password(db: Db) {
    let app = TestApp::spawn(db).await;
    app.client()
        .sign_up("ann@example.com", ATTACKER_PASSWORD, "Mal", "Lory")
        .await;
    let squatter = app.client();
    assert_eq!(
        squatter
            .sign_in("ann@example.com", ATTACKER_PASSWORD)
            .await
            .status(),
        403,
        "unconfirmed"
    );
    app.clock().advance(61);
    let ann = app.client();
    ann.post_form("/sign-in/link", &[("email", "ann@example.com")])
        .await;
    let mail = app
        .mail
        .wait_for_count("ann@example.com", "Confirm your email", 3)
        .await;
    assert!(mail.text.contains("Forgot password"), "{}", mail.text);
    assert_eq!(ann.post_form(&link_in(&mail), &[]).await.status(), 303);
    assert_eq!(
        ann.get("/account").await.status(),
        200,
        "signed in by the mailbox"
    );
    assert!(!password_works(&app, "ann@example.com", ATTACKER_PASSWORD).await);
}
