//! Removing someone who made invite links, in Chromium (issue 14): the removal dialog's
//! "Also revoke their invitations and links" is a switch (role="switch", drawn as one, on by
//! default). An Owner removes Ann with it switched off from the keyboard: Ann's link passes
//! to the Owner and still admits Zed afterwards. The Owner removes Ben leaving it on: Ben's
//! link is refused to Yan. Screenshots go to /tmp/shots/polish/ (not committed).

use fantoccini::key::Key;
use serde_json::json;

use super::invitee_pages::SHOTS;
use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

/// The removal dialog's "Also revoke their invitations and links".
const SWITCH: &str = "#remove-dialog input[name=revoke_created]";

impl Browser {
    /// Opens the removal dialog from the row's "…" menu.
    async fn open_removal(&self, account_id: &str) {
        self.click_css(&format!("#actions-{account_id}")).await;
        self.click_css(&format!("#member-{account_id} details[open] a.menu-item"))
            .await;
        self.wait_for_xpath("//dialog[@open]//button[normalize-space()='Yes, remove']")
            .await;
    }

    /// Presses Yes, remove and waits for the row to go.
    async fn confirm_removal(&self, account_id: &str) {
        self.click_button("Yes, remove").await;
        let gone = format!("return document.getElementById('member-{account_id}') === null;");
        self.wait_until("the row to go", &gone, json!(true)).await;
    }

    /// Signs in as `email` and opens the link's page.
    async fn join_by_link(&self, address: &str, email: &str, path: &str) {
        self.sign_in_as(address, email).await;
        self.client
            .goto(&format!("{address}{path}"))
            .await
            .expect("open the link");
    }
}

/// Whether `email` is an active member.
async fn is_member(app: &TestApp, email: &str) -> bool {
    let sql = format!(
        "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE a.email = '{email}' AND m.status = 'active'"
    );
    app.scalar(&sql).await == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_link_maker_keeps_their_link_only_with_the_switch_off() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 10).await;
    let ann = app.member_as(&slug, "ann@example.com", "admin").await;
    let ben = app.member_as(&slug, "ben@example.com", "admin").await;
    let (ann_link_id, ann_link) = app.link_of(&ann, &slug, &[]).await;
    let (_, ben_link) = app.link_of(&ben, &slug, &[]).await;
    for who in ["zed", "yan"] {
        drop(app.signed_up(&format!("{who}@example.com"), who).await);
    }
    let ann_id = app.account_id("ann@example.com").await;
    let ben_id = app.account_id("ben@example.com").await;
    let owner_id = app.account_id("owner@example.com").await;
    let browser = Browser::start().await;
    let b = &browser;
    let members = format!("{}/w/{slug}/members", app.address);
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client.goto(&members).await.expect("open Members");

    // The switch: a real switch, on by default, described by what switching it off does.
    b.open_removal(&ann_id).await;
    let looks = b
        .script(&format!(
            "const s = document.querySelector('{SWITCH}'); return [s.getAttribute('role'), s.checked, \
             getComputedStyle(s).appearance, s.labels[0].textContent.trim(), \
             document.getElementById(s.getAttribute('aria-describedby')).textContent];"
        ))
        .await;
    assert_eq!(
        looks,
        json!([
            "switch",
            true,
            "none",
            "Also revoke their invitations and links",
            "Off, their open invitations and invite links keep working and pass to you."
        ])
    );
    b.shot_to(SHOTS, "removal-switch-on-1280").await;
    // Off from the keyboard (Space), then Yes, remove.
    b.script(&format!("document.querySelector('{SWITCH}').focus();"))
        .await;
    b.press(Key::Space).await;
    let checked = format!("return document.querySelector('{SWITCH}').checked;");
    assert_eq!(
        b.script(&checked).await,
        json!(false),
        "Space switches it off"
    );
    b.shot_to(SHOTS, "removal-switch-off-1280").await;
    b.confirm_removal(&ann_id).await;
    let creator: String = sqlx::query_scalar("SELECT created_by FROM invite_links WHERE id = $1")
        .bind(&ann_link_id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("Ann's link");
    assert_eq!(creator, owner_id, "Ann's link passed to the Owner");

    // Ben, with the switch left on.
    b.open_removal(&ben_id).await;
    let checked = format!("return document.querySelector('{SWITCH}').checked;");
    assert_eq!(b.script(&checked).await, json!(true), "on again for Ben");
    b.confirm_removal(&ben_id).await;
    b.sign_out().await;

    // Ann's link still admits Zed; Ben's is refused to Yan.
    b.join_by_link(&app.address, "zed@example.com", &ann_link)
        .await;
    b.click_button("Join Acme").await;
    b.wait_for_xpath("//p[contains(@class,'flash')][contains(., 'You joined Acme')]")
        .await;
    assert!(is_member(&app, "zed@example.com").await, "Zed joined");
    b.sign_out().await;
    b.join_by_link(&app.address, "yan@example.com", &ben_link)
        .await;
    b.wait_for_heading("This link no longer works").await;
    b.shot_to(SHOTS, "removal-revoked-link-1280").await;
    assert!(!is_member(&app, "yan@example.com").await, "Yan is not in");
    browser.close().await;
}
