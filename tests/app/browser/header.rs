//! The header at laptop and phone widths (issue 14): one line at 1280, 1366, 1440 and
//! 1920 px for an Owner (Home, Members, Teams, Invitations, More ▾ with Security, Audit
//! log and Settings; Invite Team; the account menu with Account and Sign out) and for a
//! Member; at 1024 px and 390 px one Menu button lists every section; menus open inside the window,
//! keep aria-current and close on Escape with focus back on their button; on a Member's
//! home Invite and Invite Team stand apart; axe-core finds nothing serious. Screenshots
//! go to /tmp/shots-header/ (not committed) for a person to look at.

use fantoccini::key::Key;
use serde_json::json;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

pub(super) const SHOTS: &str = "/tmp/shots-header";

/// The vertical spread of the centres of the header's shown entries, in px (0 on one line).
const SPREAD: &str = "const shown = [...document.querySelectorAll('.topbar-inner > *')] \
    .filter(e => getComputedStyle(e).display !== 'none'); \
    const mids = shown.map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; }); \
    return Math.round(Math.max(...mids) - Math.min(...mids));";

/// The header's entries shown on a laptop, and from 1080 px down.
const LAPTOP: &str = ".topbar-inner > :not(.nav-compact)";
const NARROW: &str = ".topbar-inner > :not(.mainnav):not(.account-menu)";

impl Browser {
    pub(super) async fn shot_to(&self, dir: &str, name: &str) {
        std::fs::create_dir_all(dir).expect("screenshot folder");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("save screenshot");
    }

    /// Fails unless the header's shown entries sit on one line, `shown` inside the window.
    async fn header_on_one_line(&self, what: &str, shown: &str) {
        let spread = self.script(SPREAD).await.as_i64().expect("px");
        assert!(spread <= 4, "{what}: the header spans {spread}px of rows");
        self.all_inside(what, shown, true).await;
    }

    /// Opens the menu `details` (a selector of the `<details>`), checks it sits inside the
    /// window, and returns the names of its entries.
    async fn open_menu(&self, what: &str, details: &str) -> Vec<String> {
        let css = format!("{details} > summary");
        self.click_css(&css).await;
        let expanded =
            format!("return document.querySelector(\"{css}\").getAttribute('aria-expanded');");
        self.wait_until(what, &expanded, json!("true")).await;
        let panel = format!("{details}[open] > .menu");
        self.all_inside(what, &panel, false).await;
        let names = self
            .script(&format!(
                "return [...document.querySelectorAll(\"{panel} .menu-item\")].map(e => e.textContent.trim());"
            ))
            .await;
        serde_json::from_value(names).expect("names")
    }

    /// Escape closes the open menu and focus returns to its button.
    async fn escape_closes(&self, what: &str, details: &str) {
        let css = format!("{details} > summary");
        self.press(Key::Escape).await;
        let expanded =
            format!("return document.querySelector(\"{css}\").getAttribute('aria-expanded');");
        self.wait_until(what, &expanded, json!("false")).await;
        let focused = self
            .script(&format!(
                "return document.activeElement === document.querySelector(\"{css}\");"
            ))
            .await;
        assert_eq!(focused, json!(true), "{what}: focus back on the button");
    }

    async fn axe_clean(&self, what: &str) {
        let violations = self.axe_violations().await;
        assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owners_header_is_one_line_on_a_laptop_and_a_menu_on_a_phone() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app
        .owner_of("owner@example.com", "Acme Rockets Worldwide")
        .await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let security = format!("{}/w/{slug}/security", app.address);
    for width in [1280, 1366, 1440, 1920] {
        b.resize(width).await;
        b.client.goto(&security).await.expect("open Security");
        b.wait_for_xpath("//details[@id='join-requests']").await;
        let what = format!("an Owner's header at {width}px");
        b.no_sideways_overflow(&what).await;
        b.header_on_one_line(&what, LAPTOP).await;
        if width == 1280 {
            b.shot_to(SHOTS, "header-owner-1280").await;
            b.axe_clean(&what).await;
        }
        let more = ".nav-more";
        let names = b.open_menu(&format!("{what}, More"), more).await;
        assert_eq!(
            names,
            [
                "Security",
                "Audit log",
                "API tokens",
                "Webhooks",
                "Settings"
            ]
        );
        let current = b
            .script("return document.querySelector('.nav-more [aria-current=page]').textContent;")
            .await;
        assert_eq!(current, json!("Security"), "{what}: aria-current kept");
        if width != 1366 {
            b.shot_to(SHOTS, &format!("header-more-{width}")).await;
        }
        b.escape_closes(&format!("{what}, More"), more).await;
        let names = b
            .open_menu(&format!("{what}, account"), ".account-menu")
            .await;
        assert_eq!(names, ["Account", "Sign out"]);
        b.escape_closes(&format!("{what}, account"), ".account-menu")
            .await;
    }

    // A narrow laptop: Menu beside Invite Team, still one line.
    b.resize(1024).await;
    b.client.goto(&security).await.expect("open Security");
    b.wait_for_xpath("//details[@id='join-requests']").await;
    b.no_sideways_overflow("an Owner's header at 1024px").await;
    b.header_on_one_line("an Owner's header at 1024px", NARROW)
        .await;
    b.all_inside(
        "an Owner's header at 1024px",
        ".nav-compact > summary",
        true,
    )
    .await;
    b.shot_to(SHOTS, "header-owner-1024").await;

    b.resize(390).await;
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.wait_for_heading("Members").await;
    let what = "an Owner's header at 390px";
    b.no_sideways_overflow(what).await;
    let hidden = b
        .script("return getComputedStyle(document.querySelector('.mainnav')).display;")
        .await;
    assert_eq!(hidden, json!("none"), "{what}: the row of links gives way");
    b.all_inside(
        what,
        ".nav-compact > summary, .brand, .switcher > summary",
        false,
    )
    .await;
    b.shot_to(SHOTS, "header-owner-390").await;
    b.axe_clean(what).await;
    let names = b.open_menu(what, ".nav-compact").await;
    assert_eq!(
        names,
        [
            "Home",
            "Members",
            "Teams",
            "Invitations",
            "Security",
            "Audit log",
            "API tokens",
            "Webhooks",
            "Settings",
            "Account",
            "Sign out"
        ]
    );
    let current = b
        .script("return document.querySelector('.nav-compact [aria-current=page]').textContent;")
        .await;
    assert_eq!(current, json!("Members"));
    b.shot_to(SHOTS, "header-menu-390").await;
    b.axe_clean(&format!("{what}, Menu open")).await;
    b.press(Key::Down).await;
    let focused = b
        .script("return document.activeElement.textContent.trim();")
        .await;
    assert_eq!(focused, json!("Home"), "the arrows move through the Menu");
    b.press(Key::Escape).await;
    let focused = b
        .script(
            "return document.activeElement === document.querySelector('.nav-compact > summary');",
        )
        .await;
    assert_eq!(focused, json!(true), "Escape returns to Menu");
    b.sign_out().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_header_fits_and_invite_stands_apart_from_invite_team() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    app.member_as(&slug, "mia@example.com", "member").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "mia@example.com").await;
    let home = format!("{}/w/{slug}", app.address);
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client.goto(&home).await.expect("open home");
        b.wait_for_xpath("//summary[normalize-space()='Invite Team']")
            .await;
        let what = format!("a Member's home at {width}px");
        b.no_sideways_overflow(&what).await;
        if width != 390 {
            b.header_on_one_line(&what, LAPTOP).await;
        }
        let apart = b
            .script(
                "const a = document.getElementById('invite-button').getBoundingClientRect(); \
                 const t = document.querySelector('.home-invite .invite-menu > summary').getBoundingClientRect(); \
                 const side = Math.max(t.left - a.right, a.left - t.right); \
                 const over = Math.max(t.top - a.bottom, a.top - t.bottom); \
                 return Math.round(Math.max(side, over));",
            )
            .await
            .as_i64()
            .expect("px");
        assert!(
            apart >= 8,
            "{what}: Invite and Invite Team are {apart}px apart"
        );
        b.all_inside(
            &what,
            "#invite-button, .home-invite .invite-menu > summary",
            true,
        )
        .await;
        b.shot_to(SHOTS, &format!("member-home-{width}")).await;
        b.axe_clean(&what).await;
    }
    browser.close().await;
}
