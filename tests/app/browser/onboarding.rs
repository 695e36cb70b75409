//! The onboarding pieces in Chromium (issue 14): the first-run page a new workspace opens
//! on fits 1280, 1440 and 390 px with its controls on screen and nothing axe-core calls
//! serious, its default team gives the Member link a team, and its embedded invite form
//! sends; Members' "N people waiting for a seat" notice is on screen and Assign seats
//! clears it; pictures beside names on Members and on the Account page. Screenshots go to
//! /tmp/shots-onboard/ (not committed) for a person to look at.

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

const SHOTS: &str = "/tmp/shots-onboard";

impl Browser {
    async fn onboard_shot(&self, name: &str) {
        std::fs::create_dir_all(SHOTS).expect("screenshot folder");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{SHOTS}/{name}.png"), png).expect("save screenshot");
    }

    async fn fits(&self, what: &str, controls: &str, shot: &str) {
        self.no_sideways_overflow(what).await;
        self.all_inside(what, controls, true).await;
        let violations = self.axe_violations().await;
        assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
        self.onboard_shot(shot).await;
    }
}

const FIRST_RUN: &str = "#skip-onboarding, #team_name, #onboarding-step-team button, \
    #addresses, #invite-role, .onboarding-email .actions button";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_page_fits_makes_the_team_link_and_sends_invites() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    app.signed_up("owner@example.com", "Owner").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.fill("name", "Acme Rockets").await;
    b.click_button("Create workspace").await;
    b.wait_for_heading("Welcome to Acme Rockets").await;
    let welcome = format!("{}/w/acme-rockets/welcome", app.address);
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client
            .goto(&welcome)
            .await
            .expect("open the first-run page");
        b.wait_for_heading("Welcome to Acme Rockets").await;
        b.fits(
            &format!("first run at {width}px"),
            FIRST_RUN,
            &format!("first-run-{width}"),
        )
        .await;
    }

    // The default team, prefilled: the link that comes with it puts joiners in it.
    b.resize(1280).await;
    b.click_button("Create team").await;
    b.wait_for_xpath("//p[contains(., 'in the team')]/strong[.='General']")
        .await;
    b.all_inside(
        "the link after the team",
        "#onboarding-link, [data-copy-from='onboarding-link']",
        true,
    )
    .await;
    b.onboard_shot("first-run-team-1280").await;

    // The embedded invite form: Invite another answers in place, Send invites leaves.
    b.fill("addresses", "ann@example.com").await;
    b.click_button("Invite another").await;
    b.wait_for_xpath("//ul[@id='invite-results']/li[contains(., 'ann@example.com')]")
        .await;
    b.onboard_shot("first-run-invited-1280").await;
    app.mail.wait_for("ann@example.com", "Acme Rockets").await;
    b.fill("addresses", "bo@example.com").await;
    b.click_button("Send invites").await;
    b.wait_for_heading("Invitations").await;
    app.mail.wait_for("bo@example.com", "Acme Rockets").await;
    browser.close().await;
}

/// A real picture in one colour, to see beside names.
fn picture(rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 64, image::Rgb(rgb)))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seat_notice_and_pictures_show_at_laptop_and_phone_widths() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 3).await;
    let members = app.add_members(&slug, "Member", 2, "member").await;
    let waiting = app.add_members(&slug, "Waiting", 3, "viewer").await;
    let pool = app.services.store.pool();
    for id in &waiting {
        sqlx::query("UPDATE memberships SET seat_waiting = 1 WHERE account_id = $1")
            .bind(id)
            .execute(pool)
            .await
            .expect("mark");
    }
    let owner_id = app.account_id("owner@example.com").await;
    for (id, rgb) in [
        (&owner_id, [79, 70, 229]),
        (&members[0], [16, 150, 90]),
        (&waiting[0], [200, 90, 20]),
    ] {
        gatehouse::store::avatars::put(pool, id, "image/png", &picture(rgb), 1)
            .await
            .expect("avatar");
    }
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let members_page = format!("{}/w/{slug}/members", app.address);
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client.goto(&members_page).await.expect("open Members");
        b.wait_for_heading("Members").await;
        let what = format!("Members with waiting people at {width}px");
        let notice = b
            .wait_for_xpath("//div[@id='seat-waiting']")
            .await
            .text()
            .await
            .expect("notice text");
        assert!(notice.contains("3 people waiting for a seat."), "{notice}");
        b.fits(
            &what,
            "#seat-waiting button, #members img.avatar",
            &format!("members-waiting-{width}"),
        )
        .await;
        b.client
            .goto(&format!("{}/account", app.address))
            .await
            .expect("open Account");
        b.wait_for_heading("Your account").await;
        b.script("document.getElementById('picture-title').scrollIntoView(); return 0;")
            .await;
        b.fits(
            &format!("Account at {width}px"),
            "#current-avatar, #avatar",
            &format!("account-{width}"),
        )
        .await;
    }
    // Two more seats: Assign seats in the notice promotes two; one still waits.
    app.set_seat_count(&slug, 5).await;
    b.resize(1280).await;
    b.client.goto(&members_page).await.expect("open Members");
    b.wait_for_xpath("//div[@id='seat-waiting']//button[normalize-space()='Assign seats']")
        .await
        .click()
        .await
        .expect("click Assign seats");
    b.wait_for_xpath(
        "//div[@id='seat-waiting']//strong[contains(., '1 person waiting for a seat')]",
    )
    .await;
    b.onboard_shot("members-waiting-after-1280").await;
    browser.close().await;
}
