//! The approved-domain journey in Chromium: an Admin adds example.com on the Security page
//! (saved through htmx): refused without proof, then a link emailed to it@example.com
//! approves it; someone signs up as someone@example.com,
//! confirms the address from the email, and joins from their home page; the Admin's audit
//! log shows the domain being added and the join.

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp, link_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_address_at_an_approved_domain_joins_from_home() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@acme.test", "Acme Rockets").await;
    app.member_as(&slug, "admin@acme.test", "admin").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "admin@acme.test").await;
    b.client
        .goto(&format!("{}/w/{slug}/security", app.address))
        .await
        .expect("open security");
    b.wait_for_heading("Security").await;
    b.fill("domain", "Example.com").await;
    b.click_button("Add domain").await;
    b.wait_for_xpath("//p[@id='proof_email-error']").await;
    b.fill("domain", "Example.com").await;
    b.fill("proof_email", "it@example.com").await;
    b.click_button("Add domain").await;
    b.wait_for_xpath(
        "//p[contains(@class,'flash') and contains(., 'We emailed a link to it@example.com')]",
    )
    .await;
    let proof = app
        .mail
        .wait_for("it@example.com", "Approve example.com")
        .await;
    b.client
        .goto(&format!("{}{}", app.address, link_in(&proof)))
        .await
        .expect("open the proof link");
    b.click_button("Approve the domain").await;
    b.wait_for_heading("example.com is approved").await;
    b.client
        .goto(&format!("{}/w/{slug}/security", app.address))
        .await
        .expect("open security again");
    b.wait_for_xpath("//li[@data-domain='example.com']").await;
    b.sign_out().await;

    b.click_link("Sign up").await;
    b.wait_for_heading("Sign up").await;
    b.fill("email", "someone@example.com").await;
    b.fill("password", PASSWORD).await;
    b.fill("first_name", "Some").await;
    b.fill("last_name", "One").await;
    b.click_button("Sign up").await;
    b.wait_for_heading("Check your email").await;
    let mail = app
        .mail
        .wait_for("someone@example.com", "Confirm your email")
        .await;
    b.client
        .goto(&format!("{}{}", app.address, link_in(&mail)))
        .await
        .expect("open the confirmation link");
    b.click_button("Confirm my address").await;
    b.wait_for_heading("Your workspaces").await;
    b.wait_for_xpath("//li[@data-slug][.//strong[normalize-space()='Acme Rockets']]//button[normalize-space()='Join']")
        .await
        .click()
        .await
        .expect("Join");
    b.wait_for_xpath(
        "//p[contains(@class,'flash') and contains(., 'Welcome! You joined the workspace.')]",
    )
    .await;
    b.wait_for_heading("Acme Rockets").await;
    b.sign_out().await;

    b.sign_in_as(&app.address, "admin@acme.test").await;
    b.client
        .goto(&format!("{}/w/{slug}/audit", app.address))
        .await
        .expect("open the audit log");
    for said in [
        "added the approved domain example.com",
        "through the approved domain example.com",
    ] {
        b.wait_for_xpath(&format!("//td[contains(., '{said}')]"))
            .await;
    }
    // The joiner is named, linked to their member page.
    b.wait_for_xpath(
        "//td[contains(., 'through the approved domain')]/a[normalize-space()='Some One']",
    )
    .await;
    // From the Members page, the joiner's detail page says how they came in.
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.click_link("Some One").await;
    b.wait_for_heading("Some One").await;
    b.wait_for_xpath("//dl[@id='how-they-joined']/dd[contains(., 'example.com, approved by')]")
        .await;
    b.wait_for_xpath("//table[@id='member-trail']//td[contains(., 'joined as Member through the approved domain example.com')]")
        .await;
    browser.close().await;
}
