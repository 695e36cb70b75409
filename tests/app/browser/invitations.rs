//! The email-invitation journey in Chromium: an Admin invites two addresses (one
//! invalid) from the Invite dialog, copies a link, resends; the invitee opens the link
//! from the received email, signs up and lands in the workspace; the Admin sees Accepted.

use super::{Browser, ONE_BROWSER};
use crate::support::{BASE_URL, Db, PASSWORD, TestApp, link_in};

impl Browser {
    /// On the Invitations tab, invites `addresses` from the Invite dialog with *Send
    /// invites*; returns the flash message listing each address's result.
    pub async fn invite_from_dialog(&self, address: &str, slug: &str, addresses: &str) -> String {
        self.client
            .goto(&format!("{address}/w/{slug}/invitations"))
            .await
            .expect("open invitations");
        self.wait_for_heading("Invitations").await;
        self.click_link("Invite").await;
        // htmx loads the form into the dialog, which opens as a modal.
        self.wait_for_xpath("//dialog[@open]//textarea[@id='addresses']")
            .await;
        self.fill("addresses", addresses).await;
        self.click_button("Send invites").await;
        self.wait_for_xpath("//p[contains(@class,'flash')]")
            .await
            .text()
            .await
            .expect("flash text")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_invites_and_the_invitee_signs_up_from_the_email() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme Rockets").await;
    app.member_as(&slug, "admin@example.com", "admin").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "admin@example.com").await;

    let flash = b
        .invite_from_dialog(&app.address, &slug, "ann@example.com, not-an-address")
        .await;
    assert!(flash.contains("ann@example.com — invited"), "{flash}");
    assert!(flash.contains("not-an-address — invalid"), "{flash}");

    let row = "//tr[@data-email='ann@example.com']";
    b.wait_for_xpath(&format!("{row}//a[normalize-space()='Copy link']"))
        .await
        .click()
        .await
        .expect("click Copy link");
    let copied = b
        .wait_for_xpath(&format!("{row}//input[@data-copy]"))
        .await
        .prop("value")
        .await
        .expect("link value")
        .unwrap_or_default();
    assert!(
        copied.starts_with(&format!("{BASE_URL}/invite/")),
        "{copied}"
    );

    b.wait_for_xpath(&format!("{row}//button[normalize-space()='Resend']"))
        .await
        .click()
        .await
        .expect("click Resend");
    b.wait_for_xpath("//p[contains(@class,'flash') and contains(., 'sent again')]")
        .await;
    let reminder = app.mail.wait_for("ann@example.com", "Reminder").await;
    let path = link_in(&reminder);
    assert_eq!(
        copied,
        format!("{BASE_URL}{path}"),
        "the copied link is the emailed one"
    );

    b.sign_out().await;
    b.client
        .goto(&format!("{}{path}", app.address))
        .await
        .expect("open the emailed link");
    b.wait_for_heading("Join Acme Rockets").await;
    b.fill("password", PASSWORD).await;
    b.fill("first_name", "Ann").await;
    b.fill("last_name", "Invitee").await;
    b.click_button("Sign up").await;
    b.wait_for_heading("Acme Rockets").await;
    let source = b.client.source().await.expect("source");
    assert!(source.contains("Welcome! You joined the workspace."));

    b.sign_out().await;
    b.sign_in_as(&app.address, "admin@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/invitations", app.address))
        .await
        .expect("open invitations");
    let status = b
        .wait_for_xpath(&format!("{row}//span[contains(@class,'badge')]"))
        .await
        .text()
        .await
        .expect("status");
    assert_eq!(status, "Accepted");
    browser.close().await;
}

/// The Invite page reached without the dialog (Invite Team's "Invite by email", or a
/// typed URL) sends too: both buttons answer into the page's own form container.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invite_page_without_the_dialog_sends_invitations() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Page Invites").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/invite", app.address))
        .await
        .expect("open the invite page");
    b.wait_for_heading("Invite").await;
    b.fill("addresses", "ann@example.com").await;
    b.click_button("Invite another").await;
    b.wait_for_xpath("//ul[@id='invite-results']/li[contains(., 'ann@example.com')]")
        .await;
    b.fill("addresses", "bo@example.com").await;
    b.click_button("Send invites").await;
    let flash = b
        .wait_for_xpath("//p[contains(@class,'flash')]")
        .await
        .text()
        .await
        .expect("flash text");
    assert!(flash.contains("bo@example.com — invited"), "{flash}");
    app.mail.wait_for("ann@example.com", "invited").await;
    app.mail.wait_for("bo@example.com", "invited").await;
    browser.close().await;
}
