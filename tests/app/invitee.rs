//! The invitee's side of an email invitation: the page the link opens (uses nothing up),
//! sign-up with the address fixed and an optional avatar, joining with an existing
//! account, the wrong-account case, dead codes, seats, and single use under concurrency.

use reqwest::multipart::{Form, Part};

use crate::both_databases;
use crate::support::client::location;
use crate::support::invites::{copied_link, invite};
use crate::support::{Db, PASSWORD, TestApp, TestClient, link_in};

both_databases!(
    opening_the_link_uses_nothing_up,
    a_new_person_signs_up_and_is_a_member_at_once,
    bad_sign_up_input_is_explained_and_changes_nothing,
    an_existing_account_signs_in_then_joins,
    signed_in_as_someone_else_is_told_and_can_switch,
    dead_codes_get_one_page_that_names_no_workspace,
    seats_follow_the_auto_assign_rule,
    twenty_concurrent_accepts_make_one_membership,
    an_unproven_account_with_the_address_is_left_to_its_mailbox,
    teams_named_by_the_invitation_are_joined,
    signing_in_on_the_way_to_an_invitation_says_so_and_keeps_new_people_on_it,
);

/// An Owner, a workspace, and a pending invitation to `email`; returns its path.
async fn invited(app: &TestApp, email: &str, role: &str) -> (TestClient, String, String) {
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let path = invite_more(app, &owner, &slug, email, role).await;
    (owner, slug, path)
}

async fn invite_more(
    app: &TestApp,
    owner: &TestClient,
    slug: &str,
    email: &str,
    role: &str,
) -> String {
    assert_eq!(invite(owner, slug, email, role).await.status(), 303);
    let id = app.invitation_id(email).await;
    copied_link(owner, slug, &id).await
}

fn sign_up_form(password: &str, first: &str) -> Form {
    Form::new()
        .text("password", password.to_string())
        .text("first_name", first.to_string())
        .text("last_name", "Invitee")
        .text("display_name", "")
}

/// A real 2×2 PNG (avatars are decoded and re-encoded, so it must be a whole picture).
fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(image::RgbaImage::new(2, 2))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn opening_the_link_uses_nothing_up(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, path) = invited(&app, "ann@example.com", "member").await;
    for _ in 0..3 {
        let (status, html) = app.client().page(&path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Join Acme"), "names the workspace");
        assert!(html.contains("as Member"), "names the role");
        assert!(html.contains("Owner Tester invited"), "names the inviter");
        assert!(
            html.contains("value=\"ann@example.com\" readonly"),
            "the address is fixed"
        );
    }
    assert_eq!(app.invitation_status("ann@example.com").await, "pending");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
}

async fn a_new_person_signs_up_and_is_a_member_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, path) = invited(&app, "ann@example.com", "member").await;
    let ann = app.client();
    ann.get(&path).await;
    let form = sign_up_form(PASSWORD, "Ann").part(
        "avatar",
        Part::bytes(png())
            .file_name("me.png")
            .mime_str("image/gif")
            .unwrap(),
    );
    let res = ann.post_multipart(&format!("{path}/sign-up"), form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/w/{slug}"));
    let (status, home) = ann.page(&format!("/w/{slug}")).await;
    assert_eq!(status, 200, "signed in and a member");
    assert!(home.contains("Welcome! You joined the workspace."));
    let row: (String, i64, String, i64) = sqlx::query_as(
        "SELECT m.role, m.has_seat, m.joined_via, a.email_verified FROM memberships m \
         JOIN accounts a ON a.id = m.account_id WHERE a.email = 'ann@example.com'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        row,
        ("member".into(), 1, "invitation".into(), 0),
        "a member at once, but the code proves no address"
    );
    assert_eq!(app.invitation_status("ann@example.com").await, "accepted");
    // Only the link emailed to the address verifies it.
    let confirm = app
        .mail
        .wait_for("ann@example.com", "Confirm your email")
        .await;
    let res = ann.post_form(&link_in(&confirm), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.scalar("SELECT email_verified FROM accounts WHERE email = 'ann@example.com'")
            .await,
        1
    );
    let notice = app.mail.wait_for("owner@example.com", "joined Acme").await;
    assert!(
        notice.text.contains("ann@example.com") && notice.text.contains("accepted your invitation")
    );
    // The avatar is served back as what it really is, to people who share a workspace.
    let ann_id: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'ann@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    let res = owner.get(&format!("/avatars/{ann_id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "image/png",
        "not the claimed image/gif"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let stranger = app.signed_up("stranger@example.com", "Stranger").await;
    assert_eq!(
        stranger.get(&format!("/avatars/{ann_id}")).await.status(),
        404
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.accepted'")
            .await,
        1
    );
    // Used once: the link is dead now.
    let (status, _) = app.client().page(&path).await;
    assert_eq!(status, 404);
}

async fn bad_sign_up_input_is_explained_and_changes_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, path) = invited(&app, "ann@example.com", "member").await;
    let ann = app.client();
    let accounts_before = app.scalar("SELECT COUNT(*) FROM accounts").await;
    let res = ann
        .post_multipart(&format!("{path}/sign-up"), sign_up_form("short", ""))
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"password-error\""),
        "password message beside its field"
    );
    assert!(
        html.contains("id=\"first_name-error\""),
        "first name message beside its field"
    );
    let svg = sign_up_form(PASSWORD, "Ann").part(
        "avatar",
        Part::bytes(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec())
            .file_name("me.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let res = ann.post_multipart(&format!("{path}/sign-up"), svg).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The picture must be a PNG or JPEG image.")
    );
    let big = sign_up_form(PASSWORD, "Ann").part(
        "avatar",
        Part::bytes(vec![0u8; 1024 * 1024 + 1]).file_name("big.png"),
    );
    let res = ann.post_multipart(&format!("{path}/sign-up"), big).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts").await,
        accounts_before
    );
    assert_eq!(app.invitation_status("ann@example.com").await, "pending");
    // Sent from another site, nothing happens either.
    let res = ann
        .http
        .post(ann.url(&format!("{path}/sign-up")))
        .header("sec-fetch-site", "cross-site")
        .multipart(sign_up_form(PASSWORD, "Ann"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts").await,
        accounts_before
    );
}

async fn an_existing_account_signs_in_then_joins(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("ann@example.com", "Ann").await;
    let (_, slug, path) = invited(&app, "ann@example.com", "viewer").await;
    let ann = app.client();
    let (_, html) = ann.page(&path).await;
    assert!(
        !html.contains("already have a Gatehouse account with this address"),
        "the page does not tell who has an account"
    );
    assert!(html.contains("Sign in to accept"));
    // Signed out, Join leads to signing in, never into the account.
    let res = ann.post_form(&format!("{path}/join"), &[]).await;
    let sign_in = location(&res);
    assert!(sign_in.starts_with("/sign-in?next="), "{sign_in}");
    assert_ne!(ann.get(&format!("/w/{slug}")).await.status(), 200);
    let next = format!("/invite/{}", path.trim_start_matches("/invite/"));
    let res = ann
        .post_form(
            "/sign-in",
            &[
                ("email", "ann@example.com"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(location(&res), next, "back to the invitation");
    let res = ann.post_form(&format!("{path}/join"), &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    assert_eq!(ann.get(&format!("/w/{slug}")).await.status(), 200);
    let role: String = sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'ann@example.com'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(role, "viewer");
}

async fn signed_in_as_someone_else_is_told_and_can_switch(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, path) = invited(&app, "ann@example.com", "member").await;
    let bob = app.signed_up("bob@example.com", "Bob").await;
    let (status, html) = bob.page(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains(
        "This invitation is for ann@example.com, but you are signed in as bob@example.com"
    ));
    let res = bob.post_form(&format!("{path}/join"), &[]).await;
    assert_eq!(res.status(), 200, "explained again, nothing joined");
    assert_eq!(app.invitation_status("ann@example.com").await, "pending");
    let res = bob.post_form(&format!("{path}/switch"), &[]).await;
    assert_eq!(location(&res), path);
    let (_, html) = bob.page(&path).await;
    assert!(
        html.contains("name=\"password\""),
        "signed out: the sign-up form"
    );
    assert_eq!(bob.get("/account").await.status(), 303, "bob is signed out");
}

async fn dead_codes_get_one_page_that_names_no_workspace(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug, used) = invited(&app, "ann@example.com", "member").await;
    app.client()
        .post_multipart(&format!("{used}/sign-up"), sign_up_form(PASSWORD, "Ann"))
        .await;
    let revoked = invite_more(&app, &owner, &slug, "bo@example.com", "member").await;
    let id = app.invitation_id("bo@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    let expired = invite_more(&app, &owner, &slug, "cy@example.com", "member").await;
    app.clock().advance(7 * 86_400 + 1);
    let unknown = format!("/invite/{}", "A".repeat(32));
    for path in [used, revoked, expired, unknown, "/invite/x".to_string()] {
        let visitor = app.client();
        let (status, html) = visitor.page(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("This invitation no longer works"));
        assert!(!html.contains("Acme"), "no workspace named");
        let res = visitor
            .post_multipart(&format!("{path}/sign-up"), sign_up_form(PASSWORD, "X"))
            .await;
        assert_eq!(res.status(), 404);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
}

async fn seats_follow_the_auto_assign_rule(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 2).await;
    let mut paths = Vec::new();
    for (email, role) in [
        ("a@example.com", "member"),
        ("b@example.com", "member"),
        ("c@example.com", "admin"),
    ] {
        paths.push(invite_more(&app, &owner, &slug, email, role).await);
    }
    for (i, path) in paths.iter().enumerate() {
        let res = app
            .client()
            .post_multipart(
                &format!("{path}/sign-up"),
                sign_up_form(PASSWORD, &format!("P{i}")),
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let roles: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT a.email, m.role, m.has_seat FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE a.email <> 'owner@example.com' ORDER BY a.email",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        roles,
        vec![
            ("a@example.com".into(), "member".into(), 1),
            ("b@example.com".into(), "viewer".into(), 0),
            ("c@example.com".into(), "viewer".into(), 0),
        ],
        "the last seat went to the first; the rest wait as Viewers"
    );
    app.set_seat_count(&slug, 10).await;
    app.set_workspace(&slug, "auto_assign_seats = 0").await;
    let d = invite_more(&app, &owner, &slug, "d@example.com", "member").await;
    let e = invite_more(&app, &owner, &slug, "e@example.com", "admin").await;
    for path in [d, e] {
        app.client()
            .post_multipart(&format!("{path}/sign-up"), sign_up_form(PASSWORD, "Q"))
            .await;
    }
    let d_role: String = sqlx::query_scalar("SELECT m.role FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'd@example.com'")
        .fetch_one(app.services.store.pool()).await.unwrap();
    let e_role: String = sqlx::query_scalar("SELECT m.role FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'e@example.com'")
        .fetch_one(app.services.store.pool()).await.unwrap();
    assert_eq!(
        (d_role.as_str(), e_role.as_str()),
        ("viewer", "admin"),
        "auto-assign off: only Admin invitations take a seat"
    );
    assert_eq!(
        app.scalar("SELECT seats_used FROM workspaces").await,
        app.scalar("SELECT COUNT(*) FROM memberships WHERE has_seat = 1")
            .await
    );
}

async fn twenty_concurrent_accepts_make_one_membership(db: Db) {
    let app = TestApp::spawn(db).await;
    let ann = app.signed_up("ann@example.com", "Ann").await;
    let (_, _, path) = invited(&app, "ann@example.com", "member").await;
    let join_path = format!("{path}/join");
    let joins = (0..20).map(|_| {
        let client = &ann;
        let path = join_path.clone();
        async move { client.post_form(&path, &[]).await }
    });
    let statuses: Vec<u16> = futures_util::future::join_all(joins)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 404),
        "{statuses:?}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'ann@example.com'").await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.accepted'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT seats_used FROM workspaces").await,
        app.scalar("SELECT COUNT(*) FROM memberships WHERE has_seat = 1")
            .await
    );
}

async fn an_unproven_account_with_the_address_is_left_to_its_mailbox(db: Db) {
    let app = TestApp::spawn(db).await;
    // Someone registered ann's address but never proved it.
    app.client()
        .sign_up("ann@example.com", "squatter password 123", "Squat", "Ter")
        .await;
    let (_, slug, path) = invited(&app, "ann@example.com", "member").await;
    let ann = app.client();
    let res = ann
        .post_multipart(&format!("{path}/sign-up"), sign_up_form(PASSWORD, "Ann"))
        .await;
    assert_eq!(res.status(), 200, "check your email, not signed in");
    assert_ne!(ann.get(&format!("/w/{slug}")).await.status(), 200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'ann@example.com'").await,
        0,
        "the invitation is not used up by an account nobody proved"
    );
    // The mailbox decides: the link confirms the password of this sign-up and returns
    // to the invitation.
    let mail = app
        .mail
        .wait_for_count("ann@example.com", "Confirm your email", 2)
        .await;
    let res = ann.post_form(&link_in(&mail), &[]).await;
    assert_eq!(location(&res), path, "back to the invitation");
    let res = ann.post_form(&format!("{path}/join"), &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let squatter = app.client();
    let res = squatter
        .sign_in("ann@example.com", "squatter password 123")
        .await;
    assert_eq!(
        res.status(),
        401,
        "the squatter's password never became the account's"
    );
    let again = app.client();
    assert_eq!(
        location(&again.sign_in("ann@example.com", PASSWORD).await),
        "/"
    );
}

async fn teams_named_by_the_invitation_are_joined(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    for name in ["Ops", "Design", "Sales"] {
        owner
            .post_form(&format!("/w/{slug}/teams"), &[("team_name", name)])
            .await;
    }
    let pool = app.services.store.pool().clone();
    let team = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM teams WHERE name = $1")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (ops, design) = (team("Ops").await, team("Design").await);
    let res = owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", "ann@example.com"),
                ("role", "member"),
                ("primary_team", &ops),
                ("teams", &design),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = owner.page(&format!("/w/{slug}/invitations")).await;
    assert!(html.contains("Ops (primary), Design"), "{html}");
    let id = app.invitation_id("ann@example.com").await;
    let path = copied_link(&owner, &slug, &id).await;
    app.client()
        .post_multipart(&format!("{path}/sign-up"), sign_up_form(PASSWORD, "Ann"))
        .await;
    let teams: Vec<(String, i64)> = sqlx::query_as(
        "SELECT t.name, tm.is_primary FROM team_members tm JOIN teams t ON t.id = tm.team_id ORDER BY t.name",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(teams, vec![("Design".into(), 0), ("Ops".into(), 1)]);
    let bad = owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", "bo@example.com"),
                ("role", "member"),
                ("primary_team", "nope"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(
        bad.status(),
        422,
        "a team of another workspace (or none) is refused"
    );
}

async fn signing_in_on_the_way_to_an_invitation_says_so_and_keeps_new_people_on_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, _, path) = invited(&app, "ann@example.com", "member").await;
    let visitor = app.client();
    let (_, html) = visitor.page(&path).await;
    let at = html
        .find("id=\"sign-in-to-accept\"")
        .expect("Sign in to accept");
    let start = html[..at].rfind("href=\"").expect("its href") + "href=\"".len();
    let sign_in = html[start..].split('"').next().unwrap_or_default();
    assert!(sign_in.starts_with("/sign-in?next="), "{sign_in}");
    let (status, html) = visitor.page(sign_in).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("you go straight back to the invitation"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{path}\" id=\"sign-up-instead\">Create your account from the invitation</a>"
        )),
        "a new person goes back to the invitation's form:\n{html}"
    );
    let (_, html) = visitor.page("/sign-in?next=%2Fjoin%2Fsome-code").await;
    assert!(
        html.contains("you go straight back to the invite link"),
        "{html}"
    );
    let (_, html) = visitor.page("/sign-in?next=%2Fw%2Facme").await;
    assert!(
        !html.contains("sign-in-context"),
        "no invitation, nothing said"
    );
    assert!(html.contains("<a href=\"/sign-up\">Sign up</a>"), "{html}");
}
