//! Invite links: the default Member link, Create link's rules and messages, the public
//! page (uses nothing up, counts visits), joining with one click, signing up through a
//! link (joins after verifying), dead links, Regenerate, Revoke, the Security page
//! switches, a removed creator, seats, and 200 concurrent redemptions.

use futures_util::future::join_all;
use reqwest::multipart::Form;

use crate::both_databases;
use crate::support::client::location;
use crate::support::links::{create_link, link_path};
use crate::support::{Db, PASSWORD, TestApp, TestClient, link_in};

both_databases!(
    the_first_visit_makes_the_member_link_once,
    create_link_explains_bad_input_and_changes_nothing,
    the_link_page_uses_nothing_up_and_counts_visits,
    a_signed_in_person_joins_with_one_click,
    a_new_person_joins_only_after_verifying_the_address,
    a_link_sign_up_never_joins_an_existing_account,
    dead_links_get_one_page_that_names_no_workspace,
    regenerate_kills_the_old_code_at_once,
    allow_invite_links_off_refuses_every_link_and_delete_all_deletes,
    links_off_then_on_revives_no_link,
    a_removed_creator_s_links_pass_to_the_remover_unless_revoked,
    seats_follow_the_auto_assign_rule_and_admin_links_take_one,
    the_list_shows_counts_who_joined_and_a_chart,
    two_hundred_concurrent_redemptions_respect_max_uses_and_seats,
    invite_by_link_shows_the_member_link_to_copy,
    fifty_concurrent_invite_by_link_clicks_make_one_link,
);

async fn acme(app: &TestApp) -> (TestClient, String) {
    app.owner_of("owner@example.com", "Acme").await
}

fn gone(status: reqwest::StatusCode, html: &str) {
    assert_eq!(status, 404);
    assert!(html.contains("This link no longer works"), "{html}");
    assert!(!html.contains("Acme"), "names no workspace");
}

async fn the_first_visit_makes_the_member_link_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    for _ in 0..2 {
        let res = owner.post_form(&format!("/w/{slug}/links/open"), &[]).await;
        assert_eq!(location(&res), format!("/w/{slug}/links"));
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE role = 'member' AND max_uses IS NULL AND expires_at - created_at = 604800").await,
        1,
        "one Member link, unlimited, 7 days"
    );
    let (status, html) = owner.page(&format!("/w/{slug}/links")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Create Admin link") && html.contains("Copy link"));
    assert!(html.contains("/join/"), "the link is shown to copy");
    // A Member may share only when everyone may invite; their link is their own.
    let member = app.member_as(&slug, "mia@example.com", "member").await;
    let res = member
        .post_form(&format!("/w/{slug}/links/open"), &[])
        .await;
    assert_eq!(res.status(), 403);
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    member
        .post_form(&format!("/w/{slug}/links/open"), &[])
        .await;
    let (_, mine) = member.page(&format!("/w/{slug}/links")).await;
    assert_eq!(
        mine.matches("<tr id=\"link-").count(),
        1,
        "only their own link"
    );
    assert!(mine.contains("an admin welcomes them"));
    assert!(!mine.contains("Create Admin link"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'link.created'")
            .await,
        2
    );
}

async fn create_link_explains_bad_input_and_changes_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (other_owner, other) = app.owner_of("other@example.com", "Other").await;
    other_owner
        .post_form(&format!("/w/{other}/teams"), &[("team_name", "Theirs")])
        .await;
    let foreign_team: String = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Theirs'")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("max_uses", "abc")],
            "Enter a whole number from 1 to 1,000,000",
        ),
        (
            &[("max_uses", "0")],
            "Enter a whole number from 1 to 1,000,000",
        ),
        (
            &[("role", "admin"), ("expiry", "never")],
            "Admin links always expire",
        ),
        (
            &[("role", "owner")],
            "You can share links for Owner at most",
        ),
        (
            &[("primary_team", foreign_team.as_str())],
            "Pick teams of this workspace.",
        ),
    ];
    for (fields, message) in cases {
        let res = create_link(&owner, &slug, fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message} in the form");
        assert!(html.contains("class=\"field-error\""), "beside the field");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invite_links").await, 0);
    // A Member never shares a link above their own role.
    let member = app.member_as(&slug, "mia@example.com", "member").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let res = create_link(&member, &slug, &[("role", "admin")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You can share links for Member at most")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invite_links").await, 0);
}

async fn the_link_page_uses_nothing_up_and_counts_visits(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (id, path) = app.link_of(&owner, &slug, &[("max_uses", "5")]).await;
    let visitor = app.client();
    for _ in 0..3 {
        let (status, html) = visitor.page(&path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Join Acme"));
        assert!(
            html.contains("Owner Tester shared a link to join <strong>Acme</strong> as Member")
        );
        assert!(html.contains("Sign up") && html.contains(&format!("/sign-in?next={path}")));
    }
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 0);
    assert_eq!(app.scalar("SELECT visits FROM invite_links").await, 3);
    assert_eq!(
        app.scalar("SELECT CAST(SUM(visits) AS BIGINT) FROM invite_link_days")
            .await,
        3
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
    assert!(!id.is_empty());
}

async fn a_signed_in_person_joins_with_one_click(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    owner
        .post_form(&format!("/w/{slug}/teams"), &[("team_name", "Crew")])
        .await;
    let team: String = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Crew'")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let (id, path) = app
        .link_of(&owner, &slug, &[("primary_team", team.as_str())])
        .await;
    let bob = app.signed_up("bob@example.com", "Bob").await;
    let (_, page) = bob.page(&path).await;
    assert!(page.contains("Join Acme</button>"));
    let res = bob.post_form(&path, &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let (_, home) = bob.page(&format!("/w/{slug}")).await;
    assert!(home.contains("Welcome! You joined Acme."));
    let (via, link_ref, seat): (String, String, i64) = sqlx::query_as(
        "SELECT joined_via, joined_via_ref, has_seat FROM memberships WHERE account_id = (SELECT id FROM accounts WHERE email = 'bob@example.com')",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        (via.as_str(), link_ref.as_str(), seat),
        ("link", id.as_str(), 1)
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.name = 'Crew'").await,
        1,
        "joined the link's team"
    );
    let mail = app
        .mail
        .wait_for("owner@example.com", "joined Acme through your invite link")
        .await;
    assert!(mail.text.contains("bob@example.com"));
    // Twice is still one membership and one use.
    let res = bob.post_form(&path, &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'link.joined'")
            .await,
        1
    );
    // The creator turns the emails off for this link: the next join sends none.
    let res = owner
        .post_form(
            &format!("/w/{slug}/links/{id}/notify"),
            &[("notify", "off")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cat = app.signed_up("cat@example.com", "Cat").await;
    cat.post_form(&path, &[]).await;
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'link_joined'")
            .await,
        1,
        "no email for Cat's join"
    );
}

fn sign_up_form(email: &str) -> Form {
    Form::new()
        .text("email", email.to_string())
        .text("password", PASSWORD)
        .text("first_name", "Dee")
        .text("last_name", "Newcomer")
        .text("display_name", "")
}

async fn a_new_person_joins_only_after_verifying_the_address(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    let dee = app.client();
    dee.get(&path).await;
    // Bad input: explained beside the field, nothing created.
    let bad = sign_up_form("not-an-address");
    let res = dee.post_multipart(&format!("{path}/sign-up"), bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("field-error"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, 1);
    let res = dee
        .post_multipart(&format!("{path}/sign-up"), sign_up_form("dee@example.com"))
        .await;
    assert_eq!(location(&res), "/sign-up/check-email");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        1,
        "not yet"
    );
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 0);
    let mail = app
        .mail
        .wait_for("dee@example.com", "Confirm your email")
        .await;
    assert!(mail.text.contains("you join Acme"), "{}", mail.text);
    let res = dee.post_form(&link_in(&mail), &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let (status, home) = dee.page(&format!("/w/{slug}")).await;
    assert_eq!(status, 200);
    assert!(home.contains("Welcome! You joined Acme."));
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM link_signups").await, 0);
}

async fn a_link_sign_up_never_joins_an_existing_account(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    app.signed_up("eve@example.com", "Eve").await;
    let someone = app.client();
    someone.get(&path).await;
    let res = someone
        .post_multipart(&format!("{path}/sign-up"), sign_up_form("eve@example.com"))
        .await;
    assert_eq!(
        location(&res),
        "/sign-up/check-email",
        "same answer as a new address"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 1);
    let mail = app
        .mail
        .wait_for("eve@example.com", "Your Gatehouse sign-in link")
        .await;
    let eve = app.client();
    let res = eve.post_form(&link_in(&mail), &[]).await;
    assert_eq!(
        location(&res),
        "/",
        "signed in, not taken into someone's workspace"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        1,
        "whoever used eve's address on the link joined nobody to it"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM link_signups").await, 0);
    assert_ne!(eve.get(&format!("/w/{slug}")).await.status(), 200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE email = 'eve@example.com'")
            .await,
        1
    );
}

async fn dead_links_get_one_page_that_names_no_workspace(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (revoked_id, revoked) = app.link_of(&owner, &slug, &[]).await;
    let (_, used_up) = app.link_of(&owner, &slug, &[("max_uses", "1")]).await;
    let (_, hourly) = app.link_of(&owner, &slug, &[("expiry", "1h")]).await;
    owner
        .post_form(&format!("/w/{slug}/links/{revoked_id}/revoke"), &[])
        .await;
    let first = app.signed_up("first@example.com", "First").await;
    assert_eq!(
        location(&first.post_form(&used_up, &[]).await),
        format!("/w/{slug}")
    );
    app.clock().advance(3_601);
    let late = app.signed_up("late@example.com", "Late").await;
    for path in [
        revoked.clone(),
        used_up.clone(),
        hourly.clone(),
        "/join/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "/join/short".to_string(),
    ] {
        let (status, html) = late.page(&path).await;
        gone(status, &html);
        let res = late.post_form(&path, &[]).await;
        gone(res.status(), &res.text().await.unwrap());
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'link.revoked'")
            .await,
        1
    );
}

async fn regenerate_kills_the_old_code_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (id, old) = app.link_of(&owner, &slug, &[("max_uses", "3")]).await;
    let res = owner
        .post_form(&format!("/w/{slug}/links/{id}/regenerate"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let new = link_path(&owner, &slug, &id).await;
    assert_ne!(old, new);
    let (status, html) = app.client().page(&old).await;
    gone(status, &html);
    let (status, _) = app.client().page(&new).await;
    assert_eq!(status, 200, "same settings, new code");
    assert_eq!(app.scalar("SELECT max_uses FROM invite_links").await, 3);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'link.regenerated'")
            .await,
        1
    );
    // The stored nonce is not a working code: a database dump redeems nothing.
    let nonce: String = sqlx::query_scalar("SELECT code_nonce FROM invite_links")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let (status, _) = app.client().page(&format!("/join/{nonce}")).await;
    assert_eq!(status, 404);
}

async fn allow_invite_links_off_refuses_every_link_and_delete_all_deletes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let admin = app.member_as(&slug, "ada@example.com", "admin").await;
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    let res = admin
        .post_form(&format!("/w/{slug}/security/links"), &[])
        .await;
    assert_eq!(res.status(), 303, "an Admin turns links off");
    let (status, html) = app.client().page(&path).await;
    gone(status, &html);
    let res = create_link(&owner, &slug, &[]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Invite links are turned off")
    );
    let (_, list) = owner.page(&format!("/w/{slug}/links")).await;
    assert!(list.contains("Invite links are turned off") && list.contains("Revoked"));
    owner
        .post_form(
            &format!("/w/{slug}/security/links"),
            &[("allow_invite_links", "on")],
        )
        .await;
    let (status, html) = app.client().page(&path).await;
    gone(status, &html);
    let (_, path) = app.link_of(&owner, &slug, &[]).await;
    let res = admin
        .post_form(&format!("/w/{slug}/security/links/delete-all"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invite_links").await, 0);
    let (status, html) = app.client().page(&path).await;
    gone(status, &html);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('settings.changed', 'links.deleted_all')").await,
        3
    );
}

async fn a_removed_creator_s_links_pass_to_the_remover_unless_revoked(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let ada = app.member_as(&slug, "ada@example.com", "admin").await;
    let (kept_id, kept) = app.link_of(&ada, &slug, &[]).await;
    let ada_id = app.account_id("ada@example.com").await;
    let owner_id = app.account_id("owner@example.com").await;
    // Removed, keeping what she made: her link passes to the owner and still admits.
    let res = owner
        .post_form(&format!("/w/{slug}/members/{ada_id}/remove"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let creator: String = sqlx::query_scalar("SELECT created_by FROM invite_links WHERE id = $1")
        .bind(&kept_id)
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    assert_eq!(creator, owner_id, "the link passed to the remover");
    let zed = app.signed_up("zed@example.com", "Zed").await;
    let res = zed.post_form(&kept, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE a.email = 'zed@example.com' AND m.status = 'active'"
        )
        .await,
        1,
        "the kept link still admits"
    );
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'member.removed'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    assert!(details.contains("\"links_passed\":1"), "{details}");
    // Removed with the box ticked (the default): her links are revoked and stop working.
    let ben = app.member_as(&slug, "ben@example.com", "admin").await;
    let (_, revoked) = app.link_of(&ben, &slug, &[]).await;
    let ben_id = app.account_id("ben@example.com").await;
    owner
        .post_form(
            &format!("/w/{slug}/members/{ben_id}/remove"),
            &[("revoke_created", "on")],
        )
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE revoked_at IS NOT NULL")
            .await,
        1
    );
    let (status, html) = app.client().page(&revoked).await;
    gone(status, &html);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'member.removed' \
             AND details LIKE '%\"links_revoked\":1%'"
        )
        .await,
        1
    );
}

async fn seats_follow_the_auto_assign_rule_and_admin_links_take_one(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    app.set_workspace(&slug, "auto_assign_seats = 0").await;
    let (_, member_link) = app.link_of(&owner, &slug, &[]).await;
    let (_, admin_link) = app.link_of(&owner, &slug, &[("role", "admin")]).await;
    let vic = app.signed_up("vic@example.com", "Vic").await;
    vic.post_form(&member_link, &[]).await;
    let ann = app.signed_up("ann@example.com", "Ann").await;
    ann.post_form(&admin_link, &[]).await;
    let roles: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT a.email, m.role, m.has_seat FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE a.email IN ('vic@example.com', 'ann@example.com') ORDER BY a.email",
    )
    .fetch_all(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(
        roles,
        vec![
            ("ann@example.com".into(), "admin".into(), 1),
            ("vic@example.com".into(), "viewer".into(), 0),
        ]
    );
}

async fn the_list_shows_counts_who_joined_and_a_chart(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (id, path) = app.link_of(&owner, &slug, &[("max_uses", "10")]).await;
    let zed = app.signed_up("zed@example.com", "Zed").await;
    zed.get(&path).await;
    zed.post_form(&path, &[]).await;
    let (_, list) = owner.page(&format!("/w/{slug}/links")).await;
    let row_at = list.find(&format!("id=\"link-{id}\"")).unwrap();
    let row = &list[row_at..];
    assert!(row.contains("<td class=\"uses\" data-label=\"Uses\">1 / 10</td>"));
    assert!(row.contains("<td class=\"visits\" data-label=\"Visits\">1</td>"));
    assert!(row.contains("<td class=\"joins\" data-label=\"Joins\">1</td>"));
    let (status, detail) = owner.page(&format!("/w/{slug}/links/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("<svg") && detail.contains("1 visits, 1 joins"));
    assert!(detail.contains("zed@example.com"), "who joined");
    // A link id of another workspace is not found there.
    let (_, other) = app.owner_of("other@example.com", "Other").await;
    let (status, _) = owner.page(&format!("/w/{other}/links/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = owner.page(&format!("/w/{slug}/links/no-such-link")).await;
    assert_eq!(status, 404);
    // Members show how they joined.
    let (_, members) = owner.page(&format!("/w/{slug}/members")).await;
    assert!(members.contains("Invite link"));
}

async fn two_hundred_concurrent_redemptions_respect_max_uses_and_seats(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    app.set_seat_count(&slug, 51).await; // the Owner holds one: 50 free
    let (_, path) = app.link_of(&owner, &slug, &[("max_uses", "100")]).await;
    let people = app.signed_in_people("racer", 200).await;
    let no_fields: [(&str, &str); 0] = [];
    let sends = people.iter().map(|p| {
        let request = p.http.post(p.url(&path)).form(&no_fields);
        async move { request.send().await.expect("POST").status().as_u16() }
    });
    let statuses = join_all(sends).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        100,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 100);
    let joined = "FROM memberships WHERE joined_via = 'link'";
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) {joined}")).await, 100);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) {joined} AND has_seat = 1 AND role = 'member'"
        ))
        .await,
        50
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) {joined} AND has_seat = 0 AND role = 'viewer'"
        ))
        .await,
        50
    );
    assert_eq!(app.scalar("SELECT uses FROM invite_links").await, 100);
    assert_eq!(app.scalar("SELECT seats_used FROM workspaces").await, 51);
}

async fn links_off_then_on_revives_no_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let (member_link, member_path) = app.link_of(&owner, &slug, &[]).await;
    let (_, admin_path) = app
        .link_of(&owner, &slug, &[("role", "admin"), ("expiry", "30d")])
        .await;
    let security = format!("/w/{slug}/security/links");
    let res = owner.post_form(&security, &[]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = owner.page(&format!("/w/{slug}/security")).await;
    assert!(
        page.contains("2 existing links were revoked for good"),
        "{page}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE revoked_at IS NULL")
            .await,
        0,
        "every link revoked"
    );
    let res = owner
        .post_form(&security, &[("allow_invite_links", "on")])
        .await;
    assert_eq!(res.status(), 303);
    // The attack: someone holding an old link tries it after links are back on.
    let sam = app.signed_up("sam@example.com", "Sam").await;
    for path in [&member_path, &admin_path] {
        let (status, html) = sam.page(path).await;
        gone(status, &html);
        let res = sam.post_form(path, &[]).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        1,
        "nobody joined"
    );
    let res = owner
        .post_form(&format!("/w/{slug}/links/{member_link}/regenerate"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, list) = owner.page(&format!("/w/{slug}/links")).await;
    assert!(
        list.contains("A revoked link cannot be regenerated"),
        "a revoked link is not regenerated back to life"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE revoked_at IS NULL")
            .await,
        0
    );
    let details: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'settings.changed' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert!(details.contains("\"links_revoked\":2"), "{details}");
    // A new link works.
    let (_, fresh) = app.link_of(&owner, &slug, &[]).await;
    assert_eq!(sam.post_form(&fresh, &[]).await.status(), 303);
}

/// Invite Team → Invite by link: the person's Member link (made on first use, once) in a
/// fragment with Copy link; without htmx, the Invite links page; links off: it says so
/// and makes nothing.
async fn invite_by_link_shows_the_member_link_to_copy(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let share = format!("/w/{slug}/links/share");
    let htmx = [("hx-request", "true")];
    let res = owner.post_form_with(&share, &htmx, &[]).await;
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.expect("body");
    assert!(!fragment.contains("<html"), "a fragment");
    assert!(fragment.contains("Invite by link") && fragment.contains(">Copy link</button>"));
    let (_, list) = owner.page(&format!("/w/{slug}/links")).await;
    let code_at = list.find("/join/").expect("a link on the list");
    let url_end = list[code_at..].find('"').expect("end of the link");
    let url = &list[code_at..code_at + url_end];
    assert!(fragment.contains(url), "the same Member link: {url}");
    assert!(fragment.contains("as a Member") && fragment.contains(" UTC"));
    owner.post_form_with(&share, &htmx, &[]).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE role = 'member'")
            .await,
        1,
        "made once"
    );
    let plain = owner.post_form(&share, &[]).await;
    assert_eq!(plain.status(), 303);
    assert_eq!(location(&plain), format!("/w/{slug}/links"));

    let (other, other_slug) = app.owner_of("other@example.com", "Other").await;
    app.set_workspace(&other_slug, "allow_invite_links = 0")
        .await;
    let res = other
        .post_form_with(&format!("/w/{other_slug}/links/share"), &htmx, &[])
        .await;
    let fragment = res.text().await.expect("body");
    assert!(
        fragment.contains("Invite links are turned off"),
        "{fragment}"
    );
    assert!(!fragment.contains("/join/"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links").await,
        1,
        "none made"
    );
}

/// A burst of Invite by link from one admin makes one Member link: the check and the
/// insert happen under the workspace's lock.
async fn fifty_concurrent_invite_by_link_clicks_make_one_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = acme(&app).await;
    let share = format!("/w/{slug}/links/share");
    let htmx = [("hx-request", "true")];
    let clicks = (0..50).map(|_| owner.post_form_with(&share, &htmx, &[]));
    for res in futures_util::future::join_all(clicks).await {
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE role = 'member'")
            .await,
        1
    );
}
