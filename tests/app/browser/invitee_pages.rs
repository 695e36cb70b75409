//! The pages an invited person sees (issue 14), in the light and the dark scheme, at 1280,
//! 1440 and 390 px: the invitation's sign-up page (plain and with a refused password),
//! signing in from it, the workspace home of someone who joined as Viewer because no seat
//! was free (with its notice), the invitation once used, an invite link's page signed out
//! and signed in, the page after asking to join, and a link that expired, was used up or
//! was revoked. On each: nothing overflows sideways, the page's main controls are inside
//! the window, axe-core finds nothing serious or critical. Full-page screenshots go to
//! /tmp/shots/polish/ (not committed) for a person to look at.

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp, link_in};

pub(super) const SHOTS: &str = "/tmp/shots/polish";

impl Browser {
    /// Looks at the current page at each width (see `looks.rs`), `controls` the page's
    /// main ones, which must be there and inside the window.
    async fn survey(&self, name: &str, controls: &str, problems: &mut Vec<String>) {
        self.look_at_in(SHOTS, name, Some(controls), problems).await;
    }

    async fn open(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&format!("{}{path}", app.address))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }
}

/// The paths the journey opens, made ready before the browser starts.
struct Paths {
    slug: String,
    invitation: String,
    link: String,
    asks: String,
    expiring: String,
    used_up: String,
    revoked: String,
}

/// Acme Rockets with both seats taken, an emailed invitation with a personal message,
/// a Member link, a Member's link that asks for approval, a link that will expire, one
/// used up and one revoked; Ray has an account.
async fn acme(app: &TestApp) -> Paths {
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme Rockets").await;
    app.set_seat_count(&slug, 2).await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let mia = app.member_as(&slug, "mia@acme.test", "member").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", "newcomer@a-rather-long-company-name.example.org"),
                ("role", "member"),
                ("message", "Welcome aboard! We plan the launch in the #rockets channel; bring your ideas for the countdown."),
                ("send_email", "on"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "invited");
    let mail = app
        .mail
        .wait_for(
            "newcomer@a-rather-long-company-name.example.org",
            "invited you",
        )
        .await;
    let (_, link) = app.link_of(&owner, &slug, &[]).await;
    let (_, asks) = app.link_of(&mia, &slug, &[]).await;
    let (_, expiring) = app.link_of(&owner, &slug, &[("expiry", "1h")]).await;
    let (_, used_up) = app.link_of(&owner, &slug, &[("max_uses", "1")]).await;
    let (revoked_id, revoked) = app.link_of(&owner, &slug, &[]).await;
    let res = app
        .signed_up("una@acme.test", "Una")
        .await
        .post_form(&used_up, &[])
        .await;
    assert_eq!(res.status(), 303, "Una uses the last use");
    let res = owner
        .post_form(&format!("/w/{slug}/links/{revoked_id}/revoke"), &[])
        .await;
    assert!(res.status().is_redirection(), "revoked");
    drop(app.signed_up("ray@acme.test", "Ray").await);
    Paths {
        slug,
        invitation: link_in(&mail),
        link,
        asks,
        expiring,
        used_up,
        revoked,
    }
}

const SIGN_UP: &str = "#password, #first_name, #last_name, #display_name, #avatar, \
    form[action$='/sign-up'] button[type=submit]";

async fn look_at_the_invitee_pages(dark: bool) {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let p = acme(&app).await;
    let browser = if dark {
        Browser::start_dark().await
    } else {
        Browser::start().await
    };
    let b = &browser;
    let s = if dark { "-dark" } else { "" };
    let mut problems = Vec::new();

    // The emailed invitation, signed out: the sign-up form and the way to sign in.
    b.open(&app, &p.invitation).await;
    b.wait_for_heading("Join Acme Rockets").await;
    b.wait_for_xpath("//blockquote[@id='invite-message']").await;
    let controls = format!("{SIGN_UP}, #sign-in-to-accept");
    b.survey(&format!("invitation{s}"), &controls, &mut problems)
        .await;
    b.fill("password", "short").await;
    b.fill("first_name", "Nia").await;
    b.fill("last_name", "Newcomer").await;
    b.click_button("Sign up").await;
    b.wait_for_xpath("//p[@id='password-error']").await;
    b.survey(&format!("invitation-refused{s}"), SIGN_UP, &mut problems)
        .await;
    b.click_link("Sign in to accept").await;
    b.wait_for_heading("Sign in").await;
    // It says where it leads, and a new person is sent back to the invitation's form.
    b.wait_for_xpath("//p[@id='sign-in-context'][contains(., 'back to the invitation')]")
        .await;
    let back = b
        .script("return document.getElementById('sign-up-instead').getAttribute('href');")
        .await;
    assert_eq!(
        back,
        serde_json::json!(p.invitation),
        "sign up from the invitation"
    );
    b.survey(
        &format!("invitation-sign-in{s}"),
        "#email, #password, .actions button",
        &mut problems,
    )
    .await;

    // Signing up from it: in at once, as Viewer since no seat is free.
    b.open(&app, &p.invitation).await;
    b.fill("password", PASSWORD).await;
    b.fill("first_name", "Nia").await;
    b.fill("last_name", "Newcomer").await;
    b.click_button("Sign up").await;
    b.wait_for_heading("Acme Rockets").await;
    let notice = b
        .wait_for_xpath("//p[@id='seat-notice']")
        .await
        .text()
        .await
        .expect("notice");
    assert!(notice.contains("No seat was free for you"), "{notice}");
    b.survey(
        &format!("home-no-seat{s}"),
        "#seat-notice, .switcher > summary, .brand",
        &mut problems,
    )
    .await;
    b.sign_out().await;
    b.open(&app, &p.invitation).await;
    b.wait_for_heading("This invitation no longer works").await;
    b.survey(&format!("invitation-gone{s}"), "main a", &mut problems)
        .await;

    // An invite link, signed out, then signed in through one that asks an admin.
    b.open(&app, &p.link).await;
    b.wait_for_heading("Join Acme Rockets").await;
    let controls = format!("{SIGN_UP}, #email, a[href^='/sign-in']");
    b.survey(&format!("link{s}"), &controls, &mut problems)
        .await;
    b.sign_in_as(&app.address, "ray@acme.test").await;
    b.open(&app, &p.asks).await;
    b.wait_for_heading("Join Acme Rockets").await;
    b.wait_for_xpath("//p[@id='link-asks']").await;
    let ask = "form[action^='/join/'] button";
    b.survey(&format!("link-signed-in{s}"), ask, &mut problems)
        .await;
    b.click_button("Request to join").await;
    b.wait_for_heading("Request sent").await;
    b.survey(&format!("request-sent{s}"), "main a", &mut problems)
        .await;
    b.sign_out().await;

    // Links that no longer work: used up, revoked, and (an hour and more later) expired.
    app.clock().advance(2 * 3600);
    for (name, path) in [
        ("link-used-up", &p.used_up),
        ("link-revoked", &p.revoked),
        ("link-expired", &p.expiring),
    ] {
        b.open(&app, path).await;
        b.wait_for_heading("This link no longer works").await;
        b.survey(&format!("{name}{s}"), "main a", &mut problems)
            .await;
    }
    browser.close().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM join_requests").await,
        1,
        "Ray's request was filed"
    );
    assert!(
        problems.is_empty(),
        "{} problems on {} (screenshots in {SHOTS}):\n{}",
        problems.len(),
        p.slug,
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitee_pages_fit_every_width_and_pass_axe() {
    look_at_the_invitee_pages(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitee_pages_fit_every_width_and_pass_axe_in_the_dark_scheme() {
    look_at_the_invitee_pages(true).await;
}
