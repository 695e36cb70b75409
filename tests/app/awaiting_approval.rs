//! Members' invitations awaiting approval get the join requests' treatment: every Owner
//! and Admin is emailed when some are made, and a badge counts them (in the header, and on
//! the Invitations tab's Awaiting approval filter).

use crate::both_databases;
use crate::support::invites::invite;
use crate::support::{Db, TestApp};

both_databases!(a_members_invitations_email_the_admins_and_show_a_badge);

/// Emails of this kind queued for `recipient`.
async fn outbox(app: &TestApp, recipient: &str, kind: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM mail_outbox WHERE recipient = '{recipient}' AND kind = '{kind}'"
    ))
    .await
}

const ASKS: &str = "invitation_awaiting_approval";

async fn a_members_invitations_email_the_admins_and_show_a_badge(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let member = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, badge) = owner.page(&format!("/w/{slug}/invitations/awaiting")).await;
    assert!(!badge.contains("count-badge"), "no badge while none wait");

    let res = invite(&member, &slug, "bo@example.com, cy@example.com", "member").await;
    assert_eq!(res.status(), 303);
    for to in ["owner@example.com", "admin@example.com"] {
        let mail = app
            .mail
            .wait_for(to, "asks you to approve 2 invitations to Acme")
            .await;
        assert!(
            mail.text.contains("bo@example.com, cy@example.com")
                && mail.text.contains("Awaiting approval"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("/invitations?status=awaiting_approval"));
        assert_eq!(outbox(&app, to, ASKS).await, 1, "one email per submission");
    }
    assert_eq!(outbox(&app, "mia@example.com", ASKS).await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'bo@example.com'")
            .await,
        0,
        "nothing sent before approval"
    );

    let (_, badge) = admin.page(&format!("/w/{slug}/invitations/awaiting")).await;
    assert!(
        badge.contains("class=\"count-badge\"") && badge.contains(">2<"),
        "{badge}"
    );
    let (_, tab) = owner.page(&format!("/w/{slug}/invitations")).await;
    assert!(tab.contains("id=\"awaiting-tab-count\">2<"), "{tab}");
    let (_, any_page) = owner.page(&format!("/w/{slug}/members")).await;
    assert!(any_page.contains(&format!("hx-get=\"/w/{slug}/invitations/awaiting\"")));

    // Approving one leaves one on the badge; an admin's own invitations wait for nobody.
    let id = app.invitation_id("bo@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/approve"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let (_, badge) = owner.page(&format!("/w/{slug}/invitations/awaiting")).await;
    assert!(badge.contains(">1<"), "{badge}");
    invite(&admin, &slug, "dee@example.com", "member").await;
    app.mail.wait_for("dee@example.com", "invited you").await;
    assert_eq!(
        outbox(&app, "owner@example.com", ASKS).await,
        1,
        "no approval email"
    );
    // Members cannot read the badge.
    assert_eq!(
        member
            .get(&format!("/w/{slug}/invitations/awaiting"))
            .await
            .status(),
        403
    );
}
