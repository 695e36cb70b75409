//! The seat-full journey in Chromium (issue 14): every seat is taken when an Owner welcomes
//! Ray's join request from the popover. Ray joins as Viewer and is told so in the email and
//! on the workspace's home; the Owner sees "1 person waiting for a seat" on Members. With
//! one more seat, Assign seats in the notice gives Ray one and the notices go.
//! Screenshots go to /tmp/shots/polish/ (not committed).

use super::invitee_pages::SHOTS;
use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

const TOLD: &str = "No seat was free for you";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_welcomed_without_a_free_seat_is_told_and_counted_until_a_seat_is_given() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 2).await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    let res = app
        .signed_up("ray@example.com", "Ray")
        .await
        .post_form(&path, &[])
        .await;
    assert!(res.status().is_success(), "Ray asks to join");
    let browser = Browser::start().await;
    let b = &browser;
    let members = format!("{}/w/{slug}/members", app.address);
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client.goto(&members).await.expect("open Members");
    assert!(
        b.client
            .find(fantoccini::Locator::Id("seat-waiting"))
            .await
            .is_err(),
        "nobody waits yet"
    );

    // Welcome! from the popover, with no seat free.
    b.click_css("#join-requests > summary").await;
    b.click_button("Welcome!").await;
    b.wait_for_xpath("//p[@id='requests-message'][contains(., 'Welcome!')]")
        .await;
    let mail = app
        .mail
        .wait_for("ray@example.com", "welcome to Acme")
        .await;
    assert!(
        mail.text.contains(TOLD),
        "the email says so:\n{}",
        mail.text
    );
    b.client.goto(&members).await.expect("open Members");
    let notice = b
        .wait_for_xpath("//div[@id='seat-waiting']")
        .await
        .text()
        .await
        .expect("notice");
    assert!(notice.contains("1 person waiting for a seat."), "{notice}");
    b.shot_to(SHOTS, "seat-full-members-1280").await;
    b.sign_out().await;

    // Ray's home says why Ray is a Viewer.
    b.sign_in_as(&app.address, "ray@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}", app.address))
        .await
        .expect("open the workspace");
    let told = b
        .wait_for_xpath("//p[@id='seat-notice']")
        .await
        .text()
        .await
        .expect("notice");
    assert!(told.contains(TOLD), "{told}");
    b.shot_to(SHOTS, "seat-full-home-1280").await;
    b.sign_out().await;

    // One more seat: Assign seats in the notice gives it to Ray, and the notices go.
    app.set_seat_count(&slug, 3).await;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client.goto(&members).await.expect("open Members");
    b.wait_for_xpath("//div[@id='seat-waiting']//button[normalize-space()='Assign seats']")
        .await
        .click()
        .await
        .expect("Assign seats");
    b.wait_for_xpath("//p[contains(@class,'flash')]").await;
    assert!(
        b.client
            .find(fantoccini::Locator::Id("seat-waiting"))
            .await
            .is_err(),
        "nobody waits any more"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE a.email = 'ray@example.com' AND m.has_seat = 1 AND m.seat_waiting = 0"
        )
        .await,
        1,
        "Ray has a seat"
    );
    b.sign_out().await;
    b.sign_in_as(&app.address, "ray@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}", app.address))
        .await
        .expect("open the workspace");
    b.wait_for_xpath("//p[contains(., 'with a seat')]").await;
    assert!(
        b.client
            .find(fantoccini::Locator::Id("seat-notice"))
            .await
            .is_err(),
        "Ray is no longer told to wait"
    );
    browser.close().await;
}
