//! The Members page at laptop and phone widths (issue 14): nothing overflows sideways, the
//! toolbar is one row and the list starts on the first screen at 1280 px, every row's role
//! and "…" buttons are on screen, the last row's menu and the removal confirmation open
//! inside the window; the role menu works from the keyboard and arrowing alone saves
//! nothing; the join-requests popover opens inside the window with nothing ticked and
//! Approve all then approves everyone listed; axe-core finds nothing serious. Screenshots
//! go to /tmp/shots-console/ (not committed) for a person to look at.

use fantoccini::key::Key;
use serde_json::json;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

const SHOTS: &str = "/tmp/shots-console";
const HEIGHT: u32 = 800;

/// Returns, for the elements matching `css`, those not wholly inside the window (as text),
/// and how many matched. `horizontal_only` ignores the top and bottom edges.
const OUTSIDE: &str = "const [css, horizontalOnly] = arguments; \
    const w = document.documentElement.clientWidth, h = window.innerHeight; \
    const all = [...document.querySelectorAll(css)]; \
    const out = all.filter(e => { const r = e.getBoundingClientRect(); \
        return r.width === 0 || r.left < 0 || r.right > w || \
            (!horizontalOnly && (r.top < 0 || r.bottom > h)); }) \
        .map(e => (e.id || e.className) + ' in ' + w + 'x' + h + ' at ' + window.scrollY + ': ' + JSON.stringify(e.getBoundingClientRect())); \
    return [all.length, out];";

impl Browser {
    /// Fails when any element matching `css` is not inside the window; returns how many.
    pub(super) async fn all_inside(&self, what: &str, css: &str, horizontal_only: bool) -> u64 {
        let found = self
            .client
            .execute(OUTSIDE, vec![json!(css), json!(horizontal_only)])
            .await
            .unwrap_or_else(|e| panic!("measure {css}: {e}"));
        let (count, outside): (u64, Vec<String>) =
            serde_json::from_value(found).expect("a count and a list");
        assert!(count > 0, "{what}: nothing matches {css}");
        assert!(
            outside.is_empty(),
            "{what}: outside the window: {outside:#?}"
        );
        count
    }

    pub(super) async fn resize(&self, width: u32) {
        self.client
            .set_window_size(width, HEIGHT)
            .await
            .expect("resize");
        let inner = self.script("return window.innerWidth;").await;
        assert_eq!(inner, json!(width), "the viewport is {width} wide");
    }

    pub(super) async fn no_sideways_overflow(&self, what: &str) {
        let widths = self
            .script("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await;
        let (scroll, inner): (u64, u64) = serde_json::from_value(widths).expect("two widths");
        assert!(
            scroll <= inner,
            "{what}: {scroll}px wide in a {inner}px window"
        );
    }

    async fn shot(&self, name: &str) {
        std::fs::create_dir_all(SHOTS).expect("screenshot folder");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{SHOTS}/{name}.png"), png).expect("save screenshot");
    }

    pub(super) async fn press(&self, key: Key) {
        self.client
            .active_element()
            .await
            .expect("focused element")
            .send_keys(&key.to_string())
            .await
            .expect("key");
    }

    pub(super) async fn focused_id(&self) -> serde_json::Value {
        self.script("return document.activeElement.id;").await
    }
}

/// An Owner with a dozen members, one of them with a very long name and address.
async fn acme(app: &TestApp) -> (String, Vec<String>) {
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 25).await;
    let mut ids = app
        .add_members(
            &slug,
            "Maximilian Alexander Montgomery-Worthington",
            1,
            "admin",
        )
        .await;
    ids.extend(app.add_members(&slug, "Member", 8, "member").await);
    ids.extend(app.add_members(&slug, "Viewer", 3, "viewer").await);
    (slug, ids)
}

async fn role_of(app: &TestApp, account_id: &str) -> String {
    sqlx::query_scalar("SELECT role FROM memberships WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(app.services.store.pool())
        .await
        .expect("role")
}

const TOOLBAR: &str =
    "#q, #seat, #status, #sort, #seat-bar, .member-tools button, #csv-link, #invite-button";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_fits_every_width_and_its_menus_open_inside_the_window() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (slug, ids) = acme(&app).await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let members = format!("{}/w/{slug}/members", app.address);
    let last = ids.last().expect("a last member");
    for width in [1280, 1366, 1440, 1920, 390] {
        b.resize(width).await;
        b.client.goto(&members).await.expect("open Members");
        b.wait_for_heading("Members").await;
        let what = format!("Members at {width}px");
        b.no_sideways_overflow(&what).await;
        b.all_inside(&what, TOOLBAR, true).await;
        assert_eq!(
            b.all_inside(&what, "#members summary[id^='role-']", true)
                .await,
            13
        );
        assert_eq!(
            b.all_inside(&what, "#members summary[id^='actions-']", true)
                .await,
            13
        );
        let apply = b
            .script("return getComputedStyle(document.getElementById('apply-filters')).display;")
            .await;
        assert_eq!(
            apply,
            json!("none"),
            "{what}: Apply is for pages without JavaScript"
        );
        if width == 1280 {
            let toolbar_rows = b
                .script(
                    "const tops = [...document.querySelectorAll('#q, #sort, #seat-bar, #invite-button')] \
                     .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)); \
                     return Math.max(...tops) - Math.min(...tops);",
                )
                .await;
            assert!(
                toolbar_rows.as_i64().expect("px") <= 12,
                "{what}: one toolbar row ({toolbar_rows}px apart)"
            );
            let first_row = b
                .script("return document.querySelector('#members tbody tr').getBoundingClientRect().top;")
                .await;
            assert!(
                first_row.as_f64().expect("px") < 400.0,
                "{what}: the list starts at {first_row}px"
            );
        }
        if [1280, 1440, 390].contains(&width) {
            b.shot(&format!("members-{width}")).await;
        }
        if width == 1280 || width == 390 {
            let violations = b.axe_violations().await;
            assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
        }

        // The first row's role menu: inside the window.
        let first = &ids[0];
        b.click_css(&format!("#role-{first}")).await;
        let expanded = format!(
            "return document.getElementById('role-{first}').getAttribute('aria-expanded');"
        );
        b.wait_until("the role menu to open", &expanded, json!("true"))
            .await;
        b.all_inside(
            &format!("{what}, a role menu"),
            &format!("#member-{first} details.role-menu[open] > .menu"),
            false,
        )
        .await;
        if width == 390 {
            b.shot("members-role-390").await;
        }
        b.press(Key::Escape).await;
        b.wait_until("the role menu to close", &expanded, json!("false"))
            .await;

        // The last row's "…" menu and then the removal confirmation: inside the window.
        b.script(&format!(
            "document.getElementById('actions-{last}').scrollIntoView({{block: 'end'}});"
        ))
        .await;
        b.click_css(&format!("#actions-{last}")).await;
        let open = format!("#member-{last} details.row-menu[open] > .menu");
        // The toggle event (which places the menu) has run once the button says so.
        let expanded = format!(
            "return document.getElementById('actions-{last}').getAttribute('aria-expanded');"
        );
        b.wait_until("the menu to open", &expanded, json!("true"))
            .await;
        b.all_inside(&format!("{what}, the last row's menu"), &open, false)
            .await;
        if width != 1366 && width != 1920 {
            b.shot(&format!("members-menu-{width}")).await;
        }
        b.click_css(&format!("{open} a.menu-item")).await;
        b.wait_for_xpath("//dialog[@open]//button[normalize-space()='Yes, remove']")
            .await;
        b.all_inside(
            &format!("{what}, the removal confirmation"),
            "#remove-dialog",
            false,
        )
        .await;
        if width != 1366 && width != 1920 {
            b.shot(&format!("members-remove-{width}")).await;
        }
        b.press(Key::Escape).await;
        b.wait_until(
            "the dialog to close",
            "return document.getElementById('remove-dialog').open;",
            json!(false),
        )
        .await;
        b.wait_until(
            "focus back on the row's button",
            "return document.activeElement.id;",
            json!(format!("actions-{last}")),
        )
        .await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        13,
        "looking removed nobody"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_changes_from_the_keyboard_and_arrowing_alone_saves_nothing() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (slug, ids) = acme(&app).await;
    let viewer = ids.last().expect("a Viewer");
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.wait_for_heading("Members").await;
    let button = format!("role-{viewer}");
    let expanded =
        format!("return document.getElementById('{button}').getAttribute('aria-expanded');");
    let label = format!("return document.getElementById('{button}').textContent.trim();");
    assert_eq!(b.script(&label).await, json!("Role of Viewer 002: Viewer"));
    b.script(&format!("document.getElementById('{button}').focus();"))
        .await;

    // Enter opens the menu; the arrows move through it; Escape closes it: nothing saved.
    b.press(Key::Enter).await;
    b.wait_until("the menu to open", &expanded, json!("true"))
        .await;
    b.press(Key::Down).await;
    b.press(Key::Down).await;
    b.press(Key::Up).await;
    let focused = b
        .script("return document.activeElement.textContent.trim();")
        .await;
    assert_eq!(focused, json!("Admin"), "the arrows move through the roles");
    b.press(Key::Escape).await;
    b.wait_until("the menu to close", &expanded, json!("false"))
        .await;
    assert_eq!(
        b.focused_id().await,
        json!(button),
        "Escape returns to the button"
    );
    assert_eq!(
        role_of(&app, viewer).await,
        "viewer",
        "arrowing saved nothing"
    );

    // ArrowDown opens it at the first role; Down again, Enter: Member at once.
    b.press(Key::Down).await;
    b.wait_until("the menu to open", &expanded, json!("true"))
        .await;
    b.press(Key::Down).await;
    let focused = b
        .script("return document.activeElement.textContent.trim();")
        .await;
    assert_eq!(focused, json!("Member"));
    assert_eq!(role_of(&app, viewer).await, "viewer", "still nothing saved");
    b.press(Key::Enter).await;
    b.wait_until(
        "the row to say Member",
        &label,
        json!("Role of Viewer 002: Member"),
    )
    .await;
    assert_eq!(role_of(&app, viewer).await, "member");
    assert_eq!(
        b.focused_id().await,
        json!(button),
        "focus is back on the new row's role button"
    );
    let seats = b
        .script("return document.querySelector('#seat-bar strong').textContent;")
        .await;
    assert_eq!(seats, json!("11 / 25"), "the seat bar follows");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_requests_open_inside_the_window_unticked_and_approve_all_takes_the_listed() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    for name in ["Ray", "Sue", "Bartholomew-Fitzgerald"] {
        let email = format!(
            "{}@a-rather-long-company-name.example.com",
            name.to_lowercase()
        );
        app.signed_up(&email, name)
            .await
            .post_form(&path, &[])
            .await;
    }
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let members = format!("{}/w/{slug}/members", app.address);
    let button = "#approve-all";
    let label = "return document.getElementById('approve-all').textContent.trim();";
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client.goto(&members).await.expect("open Members");
        b.wait_for_xpath("//details[@id='join-requests']/summary")
            .await;
        b.click_css("#join-requests > summary").await;
        // The toggle event (which places the popover) has run once the button says so.
        b.wait_until(
            "the join requests to open",
            "return document.querySelector('#join-requests > summary').getAttribute('aria-expanded');",
            json!("true"),
        )
        .await;
        let what = format!("the join requests at {width}px");
        b.all_inside(&what, "#join-requests .popover-body", false)
            .await;
        b.all_inside(
            &what,
            "#join-requests .requests li, #join-requests button",
            true,
        )
        .await;
        b.no_sideways_overflow(&what).await;
        let ticked = b
            .script("return document.querySelectorAll('#join-requests input[name=ids]:checked').length;")
            .await;
        assert_eq!(ticked, json!(0), "{what}: nothing is ticked");
        assert_eq!(b.script(label).await, json!("Approve all"));
        b.shot(&format!("requests-{width}")).await;
    }
    b.resize(1280).await;
    b.click_css("#join-requests input[name=ids]").await;
    assert_eq!(b.script(label).await, json!("Approve selected"));
    b.click_css("#join-requests input[name=ids]").await;
    assert_eq!(b.script(label).await, json!("Approve all"));
    b.click_css(button).await;
    b.wait_for_xpath("//p[@id='requests-message'][contains(., 'Welcome! 3 joined')]")
        .await;
    b.all_inside(
        "the popover after approving",
        "#join-requests .popover-body",
        false,
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE joined_via = 'link'")
            .await,
        3
    );
    browser.close().await;
}
