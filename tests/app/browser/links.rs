//! The invite-link journey in Chromium: an Admin opens Invite Team → Invite links, creates
//! a link with max uses 2, copies it; two people join through it and a third finds it
//! used up; then a Member's link (everyone may invite, auto-approve off) brings a request
//! that the Admin welcomes from the join-request popover.

use super::{Browser, ONE_BROWSER};
use crate::support::{BASE_URL, Db, TestApp};

impl Browser {
    /// Invite Team → Invite links, from the page the browser is on.
    async fn open_invite_links(&self) {
        self.wait_for_xpath("//summary[normalize-space()='Invite Team']")
            .await
            .click()
            .await
            .expect("open Invite Team");
        self.click_button("Invite links").await;
        self.wait_for_heading("Invite links").await;
    }

    /// The link of the row whose uses read `uses`.
    async fn link_with_uses(&self, uses: &str) -> String {
        let xpath = format!(
            "//tr[td[contains(@class,'uses') and normalize-space()='{uses}']]//input[contains(@class,'link-field')]"
        );
        let url = self
            .wait_for_xpath(&xpath)
            .await
            .prop("value")
            .await
            .expect("link value")
            .unwrap_or_default();
        assert!(url.starts_with(&format!("{BASE_URL}/join/")), "{url}");
        url.trim_start_matches(BASE_URL).to_string()
    }

    /// Opens a link's page as the signed-in person and presses its button.
    async fn join_through(&self, address: &str, path: &str, button: &str) {
        self.client
            .goto(&format!("{address}{path}"))
            .await
            .expect("open the link");
        self.click_button(button).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_shares_a_link_and_welcomes_a_request() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme Rockets").await;
    app.member_as(&slug, "admin@example.com", "admin").await;
    app.member_as(&slug, "mia@example.com", "member").await;
    for who in ["one", "two", "three", "ray"] {
        drop(app.signed_up(&format!("{who}@example.com"), who).await);
    }
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "admin@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}", app.address))
        .await
        .expect("open home");
    b.open_invite_links().await;
    b.fill("max_uses", "2").await;
    b.click_button("Create link").await;
    b.wait_for_xpath("//p[contains(@class,'flash') and contains(., 'Link created')]")
        .await;
    let path = b.link_with_uses("0 / 2").await;
    b.wait_for_xpath("//tr[td[@class='uses' and normalize-space()='0 / 2']]//button[normalize-space()='Copy link']")
        .await
        .click()
        .await
        .expect("Copy link");
    b.sign_out().await;

    for who in ["one", "two"] {
        b.sign_in_as(&app.address, &format!("{who}@example.com"))
            .await;
        b.join_through(&app.address, &path, "Join Acme Rockets")
            .await;
        b.wait_for_xpath(
            "//p[contains(@class,'flash') and contains(., 'Welcome! You joined Acme Rockets.')]",
        )
        .await;
        b.sign_out().await;
    }
    b.sign_in_as(&app.address, "three@example.com").await;
    b.client
        .goto(&format!("{}{path}", app.address))
        .await
        .expect("open the used-up link");
    b.wait_for_heading("This link no longer works").await;
    let source = b.client.source().await.expect("source");
    assert!(!source.contains("Acme Rockets"), "names no workspace");
    b.sign_out().await;

    // A Member's link needs an admin's welcome.
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    b.sign_in_as(&app.address, "mia@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}", app.address))
        .await
        .expect("open home");
    b.open_invite_links().await;
    let member_path = b.link_with_uses("0 / unlimited").await;
    b.sign_out().await;
    b.sign_in_as(&app.address, "ray@example.com").await;
    b.join_through(&app.address, &member_path, "Request to join")
        .await;
    b.wait_for_heading("Request sent").await;
    b.sign_out().await;

    b.sign_in_as(&app.address, "admin@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}", app.address))
        .await
        .expect("open home");
    let badge = b
        .wait_for_xpath("//span[@id='join-requests-count']")
        .await
        .text()
        .await
        .expect("badge");
    assert_eq!(badge, "1");
    b.wait_for_xpath("//details[@id='join-requests']/summary")
        .await
        .click()
        .await
        .expect("open the popover");
    b.wait_for_xpath("//li[@data-email='ray@example.com']//button[normalize-space()='Welcome!']")
        .await
        .click()
        .await
        .expect("Welcome!");
    b.wait_for_xpath("//p[@id='requests-message' and contains(., 'Welcome! ray Tester joined.')]")
        .await;
    let joined = app
        .scalar("SELECT COUNT(*) FROM memberships WHERE joined_via = 'link'")
        .await;
    assert_eq!(joined, 3, "two through the Admin's link, Ray through Mia's");
    browser.close().await;
}
