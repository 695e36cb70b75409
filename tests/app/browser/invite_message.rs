//! The Invite dialog's personal message end to end in Chromium: an Owner writes one, the
//! email arrives with it, the invitee's page shows it; then the other pages this part of
//! issue 14 changed (the Invite page, a member's trail, "You cannot invite" on the
//! Invite page and a member's home) at 1280, 1440 and 390 px: no sideways overflow, axe
//! finds nothing serious. Screenshots go to /tmp/shots-words/ (not committed).

use fantoccini::Locator;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp, link_in};

const SHOTS: &str = "/tmp/shots-words";

/// Opens `url` at `width`, waits for the `h1`, checks nothing overflows sideways, runs axe
/// at 1280 and 390 px and saves a screenshot named `name-width`.
async fn look(b: &Browser, url: &str, heading: &str, name: &str) {
    for width in [1280u32, 1440, 390] {
        b.client.set_window_size(width, 900).await.expect("resize");
        b.client.goto(url).await.expect("open");
        b.wait_for_heading(heading).await;
        let widths = b
            .script("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await;
        let (scroll, inner): (u64, u64) = serde_json::from_value(widths).expect("widths");
        assert_eq!(inner, u64::from(width));
        assert!(scroll <= inner, "{name} at {width}px: {scroll}px wide");
        std::fs::create_dir_all(SHOTS).expect("screenshot folder");
        let png = b.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{SHOTS}/{name}-{width}.png"), png).expect("save");
        if width != 1440 {
            let violations = b.axe_violations().await;
            assert!(
                violations.is_empty(),
                "{name} at {width}px: axe: {violations:#?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_message_reaches_the_email_and_the_invitee() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme Rockets").await;
    app.member_as(&slug, "member@example.com", "member").await;
    let member_id = app.account_id("member@example.com").await;
    for role in ["viewer", "member"] {
        let res = owner
            .post_form(
                &format!("/w/{slug}/members/{member_id}/role"),
                &[("role", role)],
            )
            .await;
        assert_eq!(res.status(), 303, "a trail to show");
    }
    app.set_workspace(
        &slug,
        "coordinator_name = 'Help Desk', coordinator_email = 'help@example.com'",
    )
    .await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client.set_window_size(1280, 900).await.expect("resize");
    b.client
        .goto(&format!("{}/w/{slug}/invitations", app.address))
        .await
        .expect("open invitations");
    b.wait_for_heading("Invitations").await;
    b.click_link("Invite").await;
    b.wait_for_xpath("//dialog[@open]//textarea[@id='invite-message']")
        .await;
    b.fill("addresses", "ann@example.com").await;
    b.fill("invite-message", "Welcome to the rocket team, Ann!")
        .await;
    let png = b.client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(SHOTS).expect("screenshot folder");
    std::fs::write(format!("{SHOTS}/invite-dialog-1280.png"), png).expect("save");
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "the dialog: axe: {violations:#?}");
    b.click_button("Send invites").await;
    b.wait_for_xpath("//p[contains(@class,'flash')]").await;
    let mail = app.mail.wait_for("ann@example.com", "invited you").await;
    for part in [&mail.text, &mail.html] {
        assert!(
            part.contains("Owner Tester wrote: “Welcome to the rocket team, Ann!”"),
            "{part}"
        );
    }
    let invite_page = format!("{}/w/{slug}/invite", app.address);
    look(b, &invite_page, "Invite", "invite-page").await;
    let trail = format!("{}/w/{slug}/members/{member_id}", app.address);
    look(b, &trail, "Someone Tester", "member-trail").await;
    let said = b
        .script("return document.querySelector('#member-trail td.audit-what').innerText;")
        .await;
    assert_eq!(
        said,
        serde_json::json!("Owner Tester changed Someone Tester's role from Viewer to Member.")
    );
    b.sign_out().await;

    // The invitee's page shows the message.
    let landing = format!("{}{}", app.address, link_in(&mail));
    look(b, &landing, "Join Acme Rockets", "invite-landing").await;
    let quote = b
        .client
        .find(Locator::Id("invite-message"))
        .await
        .expect("the message")
        .text()
        .await
        .expect("text");
    assert!(
        quote.contains("Welcome to the rocket team, Ann!"),
        "{quote}"
    );

    // A member who may not invite is told whom to ask.
    b.sign_in_as(&app.address, "member@example.com").await;
    look(b, &invite_page, "Invite", "cannot-invite").await;
    let ask = b
        .client
        .find(Locator::Id("cannot-invite"))
        .await
        .expect("whom to ask")
        .text()
        .await
        .expect("text");
    assert!(
        ask.contains("Owner Tester") && ask.contains("Help Desk"),
        "{ask}"
    );
    look(
        b,
        &format!("{}/w/{slug}", app.address),
        "Acme Rockets",
        "member-home",
    )
    .await;
    browser.close().await;
}
