//! The inviting side of email invitations: the Invite dialog's per-address results, the
//! role ceiling, quotas, who may invite and approval, the Invitations tab's statuses and
//! actions, and the emails, read from the real SMTP server.

use crate::both_databases;
use crate::support::client::location;
use crate::support::invites::{copied_link, invite};
use crate::support::{BUSINESS_DAILY_QUOTA, Db, TRIAL_QUOTA, TestApp, link_in};

both_databases!(
    each_address_gets_its_own_result_and_one_bad_address_blocks_nothing,
    invite_another_keeps_the_dialog_open_and_cleared,
    the_email_names_the_workspace_and_inviter_and_carries_a_working_link,
    nobody_invites_above_their_own_role,
    trial_quota_refuses_a_submission_past_it_as_a_whole,
    business_quota_resets_at_midnight_utc,
    csv_upload_with_a_role_column,
    resend_renews_even_an_expired_invitation,
    revoke_kills_the_link_and_cancels_an_unsent_email,
    copy_link_works_for_pending_invitations_only,
    members_invitations_wait_for_approval_unless_auto_approve,
    members_cannot_invite_when_only_admins_may,
    you_cannot_invite_names_the_owners_admins_and_coordinator,
    a_personal_message_goes_in_the_email_resends_and_the_sign_up_page,
    a_message_over_500_characters_is_refused_beside_the_field,
    pending_filter_on_members_lists_outstanding_invitations,
    an_invitation_id_of_another_workspace_is_not_found,
    security_page_sets_who_may_invite_and_the_default_expiry,
    removing_a_member_offers_to_revoke_the_invitations_they_sent,
    a_member_cannot_renew_a_pending_admin_invitation,
    a_members_reinvite_of_an_approved_invitation_waits_for_approval_again,
    reinviting_after_a_revoke_makes_a_new_invitation_and_the_old_code_stays_dead,
);

/// The stored state of the newest invitation to `email`: role, status, code hash,
/// expiry, inviter.
async fn snapshot(app: &TestApp, email: &str) -> (String, String, String, i64, String) {
    sqlx::query_as(
        "SELECT role, status, code_hash, expires_at, invited_by FROM invitations \
         WHERE email = $1 ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(email)
    .fetch_one(app.services.store.pool())
    .await
    .unwrap()
}

async fn a_member_cannot_renew_a_pending_admin_invitation(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(
        &slug,
        "who_may_invite = 'everyone', auto_approve_join_requests = 1",
    )
    .await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    invite(&owner, &slug, "ann@example.com", "admin").await;
    let first = app.mail.wait_for("ann@example.com", "invited you").await;
    let before = snapshot(&app, "ann@example.com").await;
    // The attack: a Member re-invites the address to renew (or re-own) the Admin invitation.
    let res = invite(&member, &slug, "ann@example.com", "member").await;
    assert_eq!(res.status(), 303);
    let (_, home) = member.page(&format!("/w/{slug}")).await;
    assert!(
        home.contains(
            "ann@example.com — not re-invited: it already has a pending Admin invitation"
        ),
        "{home}"
    );
    assert_eq!(snapshot(&app, "ann@example.com").await, before, "unchanged");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 1);
    // Expired, it stays expired: no renewal, no new code.
    app.clock().advance(8 * 86_400);
    member
        .sign_in("member@example.com", crate::support::PASSWORD)
        .await;
    invite(&member, &slug, "ann@example.com", "viewer").await;
    assert_eq!(
        snapshot(&app, "ann@example.com").await,
        before,
        "still unchanged"
    );
    assert_eq!(
        app.client().page(&link_in(&first)).await.0,
        404,
        "still expired"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'ann@example.com'")
            .await,
        1,
        "no email went out"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.resent'")
            .await,
        0
    );
    // An Owner may grant Admin: their re-invite renews it with a new code.
    owner
        .sign_in("owner@example.com", crate::support::PASSWORD)
        .await;
    invite(&owner, &slug, "ann@example.com", "admin").await;
    let again = app.mail.wait_for("ann@example.com", "Reminder").await;
    assert_ne!(link_in(&again), link_in(&first));
    assert_eq!(app.client().page(&link_in(&again)).await.0, 200);
    assert_eq!(app.client().page(&link_in(&first)).await.0, 404);
    let (role, status, ..) = snapshot(&app, "ann@example.com").await;
    assert_eq!((role.as_str(), status.as_str()), ("admin", "pending"));
}

async fn a_members_reinvite_of_an_approved_invitation_waits_for_approval_again(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    invite(&owner, &slug, "bo@example.com", "member").await;
    let first = app.mail.wait_for("bo@example.com", "invited you").await;
    assert_eq!(app.client().page(&link_in(&first)).await.0, 200);
    // A Member re-invites: it goes back to waiting, its old code dead, nothing sent.
    let res = invite(&member, &slug, "bo@example.com", "member").await;
    assert_eq!(res.status(), 303);
    let (_, home) = member.page(&format!("/w/{slug}")).await;
    assert!(
        home.contains("bo@example.com — invited (waits for an admin"),
        "{home}"
    );
    assert_eq!(
        app.invitation_status("bo@example.com").await,
        "awaiting_approval"
    );
    assert_eq!(app.client().page(&link_in(&first)).await.0, 404);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'bo@example.com'")
            .await,
        1
    );
    // Approved, a new code goes out; the old one never comes back.
    let id = app.invitation_id("bo@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/approve"), &[])
        .await;
    let approved = app
        .mail
        .wait_for_count("bo@example.com", "invited you", 2)
        .await;
    assert!(
        approved.text.contains("Someone Tester"),
        "the Member is the inviter now"
    );
    assert_ne!(link_in(&approved), link_in(&first));
    assert_eq!(app.client().page(&link_in(&approved)).await.0, 200);
    assert_eq!(app.client().page(&link_in(&first)).await.0, 404);
    // With auto-approve on, a Member's re-invite renews it at once.
    app.set_workspace(&slug, "auto_approve_join_requests = 1")
        .await;
    invite(&member, &slug, "bo@example.com", "member").await;
    assert_eq!(app.invitation_status("bo@example.com").await, "pending");
    let reminder = app.mail.wait_for("bo@example.com", "Reminder").await;
    assert_eq!(
        link_in(&reminder),
        link_in(&approved),
        "unexpired: the same code"
    );
}

async fn reinviting_after_a_revoke_makes_a_new_invitation_and_the_old_code_stays_dead(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    invite(&owner, &slug, "cy@example.com", "admin").await;
    let first = app.mail.wait_for("cy@example.com", "invited you").await;
    let id = app.invitation_id("cy@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/resend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, tab) = owner.page(&format!("/w/{slug}/invitations")).await;
    assert!(
        tab.contains("Only pending or expired invitations can be resent."),
        "a revoked invitation is not resent"
    );
    assert_eq!(app.invitation_status("cy@example.com").await, "revoked");
    app.clock().advance(1); // the new invitation is the newest by its creation time
    invite(&owner, &slug, "cy@example.com", "viewer").await;
    let second = app
        .mail
        .wait_for_count("cy@example.com", "invited you", 2)
        .await;
    assert_ne!(link_in(&second), link_in(&first));
    assert_eq!(app.client().page(&link_in(&first)).await.0, 404);
    assert_eq!(app.client().page(&link_in(&second)).await.0, 200);
    assert_eq!(app.invitation_status("cy@example.com").await, "pending");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 2);
}

async fn each_address_gets_its_own_result_and_one_bad_address_blocks_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.member_as(&slug, "member@example.com", "member").await;
    invite(&owner, &slug, "old@example.com", "member").await;
    let res = invite(
        &owner,
        &slug,
        "ann@example.com, not-an-address\nbo@example.com member@example.com OLD@example.com ann@example.com",
        "member",
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/w/{slug}/invitations"));
    let (_, html) = owner.page(&format!("/w/{slug}/invitations")).await;
    for expected in [
        "ann@example.com — invited",
        "bo@example.com — invited",
        "not-an-address — invalid",
        "member@example.com — already a member",
        "OLD@example.com — already invited (resent)",
        "ann@example.com — invalid: listed twice",
    ] {
        assert!(html.contains(expected), "result {expected:?} in:\n{html}");
    }
    let pending = app
        .scalar("SELECT COUNT(*) FROM invitations WHERE status = 'pending'")
        .await;
    assert_eq!(pending, 3, "ann, bo and old; nothing for the rest");
    app.mail
        .wait_for_count("old@example.com", "Reminder", 1)
        .await;
    let events = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('invitation.created', 'invitation.resent')")
        .await;
    assert_eq!(events, 4, "3 created + 1 resent");
}

async fn invite_another_keeps_the_dialog_open_and_cleared(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", "ann@example.com"),
                ("role", "viewer"),
                ("send_email", "on"),
                ("then", "another"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "the dialog again, not a redirect");
    let html = res.text().await.unwrap();
    assert!(html.contains("ann@example.com</span> — invited"), "{html}");
    assert!(
        html.contains("placeholder=\"ann@example.com, bo@example.com\"></textarea>"),
        "the address box is cleared"
    );
    assert!(html.contains("19 invitations left in your trial."));
    // htmx asks for the fragment: no page layout around it.
    let res = owner
        .http
        .post(owner.url(&format!("/w/{slug}/invite")))
        .header("HX-Request", "true")
        .form(&[
            ("addresses", "cy@example.com"),
            ("role", "member"),
            ("then", "another"),
        ])
        .send()
        .await
        .unwrap();
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("cy@example.com</span> — invited"));
    assert!(!fragment.contains("<html"), "a fragment for the dialog");
    let emailed = app
        .scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'cy@example.com'")
        .await;
    assert_eq!(emailed, 0, "Send invitation by email was off");
}

async fn the_email_names_the_workspace_and_inviter_and_carries_a_working_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme Rockets").await;
    invite(&owner, &slug, "ann@example.com", "admin").await;
    let mail = app.mail.wait_for("ann@example.com", "invited you").await;
    assert!(mail.subject.contains("Acme Rockets"), "{}", mail.subject);
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Acme Rockets"), "workspace named");
        assert!(part.contains("owner@example.com"), "inviter named");
        assert!(part.contains("an Admin"), "role named");
    }
    let path = link_in(&mail);
    assert!(path.starts_with("/invite/") && path.len() == "/invite/".len() + 32);
    let (status, page) = app.client().page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Join Acme Rockets"));
    let stored: String = sqlx::query_scalar("SELECT code_hash FROM invitations")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let code = path.trim_start_matches("/invite/");
    assert!(!stored.contains(code), "only a hash of the code is stored");
    let nonce: String = sqlx::query_scalar("SELECT code_nonce FROM invitations")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let (status, _) = app.client().page(&format!("/invite/{nonce}")).await;
    assert_eq!(status, 404, "what the database holds does not redeem");
}

async fn nobody_invites_above_their_own_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let res = invite(&owner, &slug, "ann@example.com", "owner").await;
    assert_eq!(res.status(), 422, "Owner is only given by transfer");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Owner is only given by transferring ownership.")
    );
    app.set_workspace(
        &slug,
        "who_may_invite = 'everyone', auto_approve_join_requests = 1",
    )
    .await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let res = invite(&member, &slug, "bo@example.com", "admin").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("You can invite people as Member at most."),
        "the reason beside the role field: {html}"
    );
    let res = invite(&member, &slug, "bo@example.com", "member").await;
    assert_eq!(res.status(), 303, "up to their own role is fine");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 1);
}

async fn trial_quota_refuses_a_submission_past_it_as_a_whole(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let first: Vec<String> = (0..15).map(|i| format!("p{i}@example.com")).collect();
    assert_eq!(
        invite(&owner, &slug, &first.join(","), "member")
            .await
            .status(),
        303
    );
    let next: Vec<String> = (15..21).map(|i| format!("p{i}@example.com")).collect();
    let res = invite(&owner, &slug, &next.join(","), "member").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(
            "This would create 6 invitations. 5 invitations left in your trial. Nothing was sent."
        ),
        "{html}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 15);
    // Resending and already-members do not count against the quota.
    let res = invite(
        &owner,
        &slug,
        &format!("p0@example.com,{}", next[..4].join(",")),
        "member",
    )
    .await;
    assert_eq!(res.status(), 303);
    // Counts read in the right number.
    let (_, dialog) = owner.page(&format!("/w/{slug}/invite")).await;
    assert!(
        dialog.contains("1 invitation left in your trial."),
        "{dialog}"
    );
    let res = invite(&owner, &slug, &next[4..].join(","), "member").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("This would create 2 invitations. 1 invitation left"),
        "{html}"
    );
    let res = invite(&owner, &slug, &next[4], "member").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invitations").await,
        TRIAL_QUOTA
    );
    let (_, dialog) = owner.page(&format!("/w/{slug}/invite")).await;
    assert!(dialog.contains("0 invitations left in your trial."));
    // Links and domains are not limited; Enterprise has no limit.
    app.set_workspace(&slug, "plan = 'enterprise'").await;
    assert_eq!(
        invite(&owner, &slug, "more@example.com", "member")
            .await
            .status(),
        303
    );
}

async fn business_quota_resets_at_midnight_utc(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "plan = 'business'").await;
    let now = app.clock().now();
    let to_midnight = 86_400 - now.rem_euclid(86_400);
    // Start the day one hour before midnight.
    app.clock().advance(to_midnight - 3600);
    let day: Vec<String> = (0..BUSINESS_DAILY_QUOTA)
        .map(|i| format!("d{i}@example.com"))
        .collect();
    assert_eq!(
        invite(&owner, &slug, &day.join(" "), "member")
            .await
            .status(),
        303
    );
    assert_eq!(
        invite(&owner, &slug, "late@example.com", "member")
            .await
            .status(),
        422
    );
    let (_, dialog) = owner.page(&format!("/w/{slug}/invite")).await;
    assert!(dialog.contains("0 invitations left today"));
    app.clock().advance(3601);
    assert_eq!(
        invite(&owner, &slug, "late@example.com", "member")
            .await
            .status(),
        303,
        "a new day (UTC), a new quota"
    );
}

async fn csv_upload_with_a_role_column(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let csv = "email,role\nann@example.com,Admin\nbo@example.com,\ncy@example.com,boss\n";
    let form = reqwest::multipart::Form::new()
        .text("addresses", "dee@example.com")
        .text("role", "viewer")
        .text("send_email", "on")
        .text("then", "close")
        .part(
            "csv",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("people.csv"),
        );
    let res = owner
        .post_multipart(&format!("/w/{slug}/invite"), form)
        .await;
    assert_eq!(res.status(), 303);
    let roles: Vec<(String, String)> =
        sqlx::query_as("SELECT email, role FROM invitations ORDER BY email")
            .fetch_all(app.services.store.pool())
            .await
            .unwrap();
    let expected = [
        ("ann@example.com", "admin"),
        ("bo@example.com", "viewer"),
        ("dee@example.com", "viewer"),
    ];
    let got: Vec<(&str, &str)> = roles
        .iter()
        .map(|(e, r)| (e.as_str(), r.as_str()))
        .collect();
    assert_eq!(got, expected, "cy's unknown role is reported invalid");
    let (_, html) = owner.page(&format!("/w/{slug}/invitations")).await;
    assert!(html.contains("cy@example.com — invalid: unknown role"));
    let bad = reqwest::multipart::Form::new().text("role", "member").part(
        "csv",
        reqwest::multipart::Part::bytes(b"name\nAnn\n".to_vec()).file_name("x.csv"),
    );
    let res = owner
        .post_multipart(&format!("/w/{slug}/invite"), bad)
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The CSV header needs an")
    );
}

async fn resend_renews_even_an_expired_invitation(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    invite(&owner, &slug, "ann@example.com", "member").await;
    let first = app.mail.wait_for("ann@example.com", "invited you").await;
    app.clock().advance(8 * 86_400);
    let (status, _) = app.client().page(&link_in(&first)).await;
    assert_eq!(status, 404, "expired after 7 days");
    // A week idle ends the Owner's session too: sign in again.
    owner
        .sign_in("owner@example.com", crate::support::PASSWORD)
        .await;
    let (_, html) = owner
        .page(&format!("/w/{slug}/invitations?status=expired"))
        .await;
    assert!(
        html.contains("ann@example.com") && html.contains("badge warn\">Expired<"),
        "{html}"
    );
    let id = app.invitation_id("ann@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/resend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let again = app.mail.wait_for("ann@example.com", "Reminder").await;
    assert_ne!(
        link_in(&again),
        link_in(&first),
        "an expired invitation gets a new code"
    );
    let (status, _) = app.client().page(&link_in(&again)).await;
    assert_eq!(status, 200, "works for another 7 days");
    let (status, _) = app.client().page(&link_in(&first)).await;
    assert_eq!(status, 404, "the old code stays dead");
    let (_, html) = owner
        .page(&format!("/w/{slug}/invitations?status=pending"))
        .await;
    assert!(html.contains("ann@example.com"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.resent'")
            .await,
        1
    );
}

async fn revoke_kills_the_link_and_cancels_an_unsent_email(db: Db) {
    let app = TestApp::spawn_with(db, crate::support::Smtp::Down).await;
    let (owner, slug) = app.owner_of_without_mail("owner@example.com", "Acme").await;
    invite(&owner, &slug, "ann@example.com", "member").await;
    let id = app.invitation_id("ann@example.com").await;
    let link = copied_link(&owner, &slug, &id).await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.invitation_status("ann@example.com").await, "revoked");
    let cancelled = app
        .scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'ann@example.com' AND cancelled_at IS NOT NULL")
        .await;
    assert_eq!(cancelled, 1, "the unsent email is cancelled");
    let (status, page) = app.client().page(&link).await;
    assert_eq!(status, 404);
    assert!(page.contains("This invitation no longer works") && !page.contains("Acme"));
    app.mail.start();
    invite(&owner, &slug, "bo@example.com", "member").await;
    app.mail.wait_for("bo@example.com", "invited you").await;
    assert!(
        app.mail.to("ann@example.com").is_empty(),
        "ann never got the revoked invitation"
    );
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.revoked'")
            .await,
        1,
        "revoking twice changes nothing"
    );
}

async fn copy_link_works_for_pending_invitations_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", "ann@example.com"),
                ("role", "member"),
                ("then", "close"),
            ],
        )
        .await;
    let id = app.invitation_id("ann@example.com").await;
    let link = copied_link(&owner, &slug, &id).await;
    let (status, page) = app.client().page(&link).await;
    assert_eq!(status, 200, "a never-emailed invitation's link works");
    assert!(page.contains("Join Acme"));
    let (_, fragment) = {
        let res = owner
            .http
            .get(owner.url(&format!("/w/{slug}/invitations/{id}/link")))
            .header("HX-Request", "true")
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    };
    assert!(fragment.contains("data-copy") && !fragment.contains("<html"));
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    let (_, html) = owner
        .page(&format!("/w/{slug}/invitations/{id}/link"))
        .await;
    assert!(html.contains("Only pending invitations have a working link"));
    assert!(!html.contains("/invite/"));
}

async fn members_invitations_wait_for_approval_unless_auto_approve(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let (status, dialog) = member.page(&format!("/w/{slug}/invite")).await;
    assert_eq!(status, 200);
    assert!(dialog.contains("An admin approves your invitations"));
    let res = invite(&member, &slug, "ann@example.com", "member").await;
    assert_eq!(location(&res), format!("/w/{slug}"), "members go back home");
    assert_eq!(
        app.invitation_status("ann@example.com").await,
        "awaiting_approval"
    );
    let (status, _) = app.client().page("/invite/none").await;
    assert_eq!(status, 404);
    let (_, html) = owner
        .page(&format!("/w/{slug}/invitations?status=awaiting_approval"))
        .await;
    assert!(html.contains("ann@example.com") && html.contains("Approve"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'ann@example.com'")
            .await,
        0,
        "nothing is sent before approval"
    );
    let id = app.invitation_id("ann@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/approve"), &[])
        .await;
    assert_eq!(app.invitation_status("ann@example.com").await, "pending");
    let mail = app.mail.wait_for("ann@example.com", "invited you").await;
    assert!(
        mail.text.contains("Someone Tester"),
        "the member is named as inviter"
    );
    app.set_workspace(&slug, "auto_approve_join_requests = 1")
        .await;
    invite(&member, &slug, "bo@example.com", "member").await;
    assert_eq!(app.invitation_status("bo@example.com").await, "pending");
    app.mail.wait_for("bo@example.com", "invited you").await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.approved'")
            .await,
        1
    );
}

async fn members_cannot_invite_when_only_admins_may(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    assert_eq!(member.get(&format!("/w/{slug}/invite")).await.status(), 403);
    assert_eq!(
        invite(&member, &slug, "ann@example.com", "viewer")
            .await
            .status(),
        403
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 0);
    // Everyone means Members and up: Viewers (waiting for a seat) never invite.
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let viewer = app.member_as(&slug, "viewer@example.com", "viewer").await;
    assert_eq!(viewer.get(&format!("/w/{slug}/invite")).await.status(), 403);
    assert_eq!(
        invite(&viewer, &slug, "ann@example.com", "viewer")
            .await
            .status(),
        403
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 0);
}

async fn pending_filter_on_members_lists_outstanding_invitations(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    invite(&owner, &slug, "ann@example.com bob@example.com", "viewer").await;
    let id = app.invitation_id("bob@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/invitations/{id}/revoke"), &[])
        .await;
    owner.page(&format!("/w/{slug}/invitations")).await; // shows the flash naming bob
    let (_, html) = owner
        .page(&format!("/w/{slug}/members?status=pending"))
        .await;
    assert!(
        html.contains("ann@example.com"),
        "pending invitation listed"
    );
    assert!(
        !html.contains("bob@example.com"),
        "revoked ones are not pending"
    );
    let (_, html) = owner
        .page(&format!("/w/{slug}/members?status=pending&q=zed"))
        .await;
    assert!(
        html.contains("No pending invitations."),
        "search applies too"
    );
}

async fn an_invitation_id_of_another_workspace_is_not_found(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let (other_owner, other) = app.owner_of("other@example.com", "Other").await;
    invite(&owner, &slug, "ann@example.com", "member").await;
    let id = app.invitation_id("ann@example.com").await;
    for action in ["resend", "revoke", "approve"] {
        let res = other_owner
            .post_form(&format!("/w/{other}/invitations/{id}/{action}"), &[])
            .await;
        assert_eq!(res.status(), 404, "{action} across workspaces");
    }
    assert_eq!(
        other_owner
            .get(&format!("/w/{other}/invitations/{id}/link"))
            .await
            .status(),
        404
    );
    assert_eq!(app.invitation_status("ann@example.com").await, "pending");
}

async fn security_page_sets_who_may_invite_and_the_default_expiry(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let who = format!("/w/{slug}/security/who-may-invite");
    let (_, page) = admin.page(&format!("/w/{slug}/security")).await;
    assert!(
        page.contains("only an Owner can change this"),
        "read-only to Admins"
    );
    let res = admin
        .post_form(&who, &[("who_may_invite", "everyone")])
        .await;
    assert_eq!(res.status(), 403, "Owner only");
    let res = owner.post_form(&who, &[("who_may_invite", "nobody")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(member.get(&format!("/w/{slug}/invite")).await.status(), 403);
    let res = owner
        .post_form(&who, &[("who_may_invite", "everyone")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(member.get(&format!("/w/{slug}/invite")).await.status(), 200);

    let defaults = format!("/w/{slug}/security/invitations");
    let res = admin
        .post_form(&defaults, &[("invitation_expiry_days", "0")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"invitation_expiry_days-error\"")
    );
    assert_eq!(
        app.scalar("SELECT invitation_expiry_days FROM workspaces")
            .await,
        7
    );
    let res = admin
        .post_form(
            &defaults,
            &[
                ("invitation_expiry_days", "3"),
                ("auto_approve_join_requests", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    invite(&owner, &slug, "ann@example.com", "member").await;
    let lifetime = app
        .scalar("SELECT expires_at - created_at FROM invitations WHERE email = 'ann@example.com'")
        .await;
    assert_eq!(lifetime, 3 * 86_400);
    assert_eq!(
        app.scalar("SELECT auto_approve_join_requests FROM workspaces")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'settings.changed'")
            .await,
        2
    );
}

async fn removing_a_member_offers_to_revoke_the_invitations_they_sent(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(
        &slug,
        "who_may_invite = 'everyone', auto_approve_join_requests = 1",
    )
    .await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let other = app.member_as(&slug, "other@example.com", "member").await;
    invite(&member, &slug, "ann@example.com bo@example.com", "member").await;
    invite(&other, &slug, "cy@example.com", "member").await;
    let member_id = app.account_id("member@example.com").await;
    let (_, page) = owner
        .page(&format!("/w/{slug}/members/{member_id}/remove"))
        .await;
    assert!(
        page.contains("name=\"revoke_created\" value=\"on\" checked"),
        "revoking is the default in the removal dialog"
    );
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{member_id}/remove"),
            &[("revoke_created", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.invitation_status("ann@example.com").await, "revoked");
    assert_eq!(app.invitation_status("bo@example.com").await, "revoked");
    let other_id = app.account_id("other@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/members/{other_id}/remove"), &[])
        .await;
    assert_eq!(
        app.invitation_status("cy@example.com").await,
        "pending",
        "unticked: their invitations stay"
    );
    let owner_id = app.account_id("owner@example.com").await;
    let inviter: String =
        sqlx::query_scalar("SELECT invited_by FROM invitations WHERE email = 'cy@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    assert_eq!(inviter, owner_id, "kept invitations pass to the remover");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'member.removed' \
             AND details LIKE '%\"invitations_passed\":1%'"
        )
        .await,
        1
    );
}

async fn you_cannot_invite_names_the_owners_admins_and_coordinator(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let pool = app.services.store.pool();
    let rename = |email: &'static str, name: &'static str| async move {
        sqlx::query("UPDATE accounts SET display_name = $1 WHERE email = $2")
            .bind(name)
            .bind(email)
            .execute(pool)
            .await
            .unwrap();
    };
    rename("owner@example.com", "Ada Lovelace").await;
    let res = member.get(&format!("/w/{slug}/invite")).await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("You cannot invite people to this workspace."),
        "{html}"
    );
    assert!(
        html.contains("Ask its owner or admin: Ada Lovelace."),
        "{html}"
    );
    assert!(!html.contains("coordinator"), "no coordinator set: {html}");
    // More managers than are named, and a coordinator.
    for (i, email) in [
        "a1@example.com",
        "a2@example.com",
        "a3@example.com",
        "a4@example.com",
    ]
    .into_iter()
    .enumerate()
    {
        app.member_as(&slug, email, "admin").await;
        let name: &'static str = ["Bo Li", "Cy Ray", "Di Fu", "Ed Ng"][i];
        rename(email, name).await;
    }
    app.set_workspace(
        &slug,
        "coordinator_name = 'Help Desk', coordinator_email = 'help@example.com'",
    )
    .await;
    let (status, html) = member.page(&format!("/w/{slug}/invite")).await;
    assert_eq!(status, 403);
    assert!(
        html.contains("Ask one of its owners and admins: Ada Lovelace, Bo Li, Cy Ray and 2 more."),
        "{html}"
    );
    assert!(
        html.contains("Or ask the coordinator, <a href=\"mailto:help@example.com\">Help Desk</a>."),
        "{html}"
    );
    // The workspace's home says the same; a suspended admin is nobody to ask.
    app.set_workspace(&slug, "coordinator_name = '', coordinator_email = ''")
        .await;
    sqlx::query(
        "UPDATE memberships SET status = 'suspended', has_seat = 0 WHERE account_id = \
         (SELECT id FROM accounts WHERE email = 'a1@example.com')",
    )
    .execute(pool)
    .await
    .unwrap();
    let (_, home) = member.page(&format!("/w/{slug}")).await;
    assert!(
        home.contains("Ask one of its owners and admins: Ada Lovelace, Cy Ray, Di Fu and 1 more."),
        "{home}"
    );
    assert!(!home.contains("Bo Li"));
}

async fn invite_with_message(
    client: &crate::support::TestClient,
    slug: &str,
    address: &str,
    message: &str,
) -> reqwest::Response {
    client
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", address),
                ("role", "member"),
                ("send_email", "on"),
                ("message", message),
                ("then", "close"),
            ],
        )
        .await
}

async fn a_personal_message_goes_in_the_email_resends_and_the_sign_up_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let message = "  Welcome aboard, <b>Ann</b> & \"friends\"!\r\nSee you Monday.  ";
    let res = invite_with_message(&owner, &slug, "ann@example.com", message).await;
    assert_eq!(res.status(), 303);
    let stored: String = sqlx::query_scalar("SELECT message FROM invitations")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored, "Welcome aboard, <b>Ann</b> & \"friends\"!\nSee you Monday.",
        "trimmed, line ends kept"
    );
    let mail = app.mail.wait_for("ann@example.com", "invited you").await;
    assert!(
        mail.text
            .contains("Owner Tester wrote: “Welcome aboard, <b>Ann</b> & \"friends\"!"),
        "{}",
        mail.text
    );
    assert!(
        mail.html
            .contains("Welcome aboard, &#60;b&#62;Ann&#60;/b&#62; &#38;"),
        "escaped in HTML: {}",
        mail.html
    );
    assert!(!mail.html.contains("<b>Ann</b>"), "never as markup");
    // The invitee's page shows it, escaped.
    let path = link_in(&mail);
    let (_, page) = app.client().page(&path).await;
    assert!(page.contains("id=\"invite-message\""), "{page}");
    assert!(
        page.contains("Welcome aboard, &#60;b&#62;Ann&#60;/b&#62;"),
        "{page}"
    );
    // Resend repeats it.
    app.clock().advance(120);
    let id = app.invitation_id("ann@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/resend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let again = app.mail.wait_for("ann@example.com", "Reminder").await;
    assert!(
        again.text.contains("Owner Tester wrote: “Welcome aboard"),
        "{}",
        again.text
    );
    // Without a message, the email has none.
    invite(&owner, &slug, "bo@example.com", "member").await;
    let plain = app.mail.wait_for("bo@example.com", "invited you").await;
    assert!(!plain.text.contains(" wrote: "), "{}", plain.text);
}

async fn a_message_over_500_characters_is_refused_beside_the_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let long = "é".repeat(501);
    let res = invite_with_message(&owner, &slug, "ann@example.com", &long).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let field = &html[html.find("id=\"invite-message\"").expect("the field")..];
    assert!(
        field.contains("<p class=\"field-error\" id=\"invite-message-error\">Keep the message to 500 characters at most (it has 501).</p>"),
        "{field}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("ann@example.com"), "the addresses are kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'ann@example.com'")
            .await,
        0
    );
    // 500 characters exactly are fine.
    let res = invite_with_message(&owner, &slug, "ann@example.com", &"é".repeat(500)).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 1);
}
