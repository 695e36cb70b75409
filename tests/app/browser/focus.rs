//! Keyboard and screen-reader behaviour the issue asks of dialogs, menus and the Members
//! results (issue 14), in Chromium, from the keyboard alone:
//! - the Invite dialog, the removal confirmation and Invite by link open from their
//!   button, keep Tab and Shift+Tab inside, close on Escape and give focus back to the
//!   button that opened them;
//! - every menu and popover (a row's "…", a role menu, the join requests, Invite Team, More,
//!   the account menu, the workspace switcher) opens from its button, keeps the arrow keys
//!   inside, closes on Escape with focus back on its button, and closes when Tab leaves it;
//! - the members count lives in a polite live region that each search (an htmx swap)
//!   updates with the new count.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::json;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

/// Whether focus is inside the element `css` names.
const FOCUS_IN: &str = "const e = document.querySelector(arguments[0]); \
    return !!e && e.contains(document.activeElement) && document.activeElement !== document.body;";

impl Browser {
    async fn focus_is_in(&self, css: &str) -> bool {
        self.client
            .execute(FOCUS_IN, vec![json!(css)])
            .await
            .expect("where focus is")
            == json!(true)
    }

    async fn focus_css(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).focus();",
                vec![json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("focus {css}: {e}"));
    }

    /// Presses the keys together (a chord such as Shift+Tab) as the keyboard does, to
    /// whatever has focus: WebDriver's actions, not typing into an element (typing into
    /// a file field would choose a file).
    async fn chord(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys {
            actions = actions.then(KeyAction::Down {
                value: char::from(*key),
            });
        }
        for key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up {
                value: char::from(*key),
            });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("keys {keys:?}: {e}"));
    }

    async fn key(&self, key: Key) {
        self.chord(&[key]).await;
    }

    /// Opens a dialog by pressing Enter on `opener` (after `steps`, keys that reach the
    /// control that opens it), then checks that Tab and Shift+Tab stay inside, Escape
    /// closes it and focus returns to `opener`.
    async fn dialog_keeps_focus(&self, what: &str, opener: &str, steps: &[Key], dialog: &str) {
        self.focus_css(opener).await;
        for key in steps {
            self.key(*key).await;
        }
        self.key(Key::Enter).await;
        let open = format!("return document.querySelector('{dialog}').open;");
        self.wait_until(&format!("{what} to open"), &open, json!(true))
            .await;
        let focus_in =
            format!("return document.querySelector('{dialog}').contains(document.activeElement);");
        self.wait_until(&format!("focus in {what}"), &focus_in, json!(true))
            .await;
        let stops = self
            .script(&format!(
                "return document.querySelector('{dialog}').querySelectorAll('a[href], button, input, select, textarea').length;"
            ))
            .await
            .as_u64()
            .expect("a count");
        for i in 0..stops + 2 {
            self.key(Key::Tab).await;
            assert!(self.focus_is_in(dialog).await, "{what}: Tab {i} left it");
        }
        for i in 0..stops + 2 {
            self.chord(&[Key::Shift, Key::Tab]).await;
            assert!(
                self.focus_is_in(dialog).await,
                "{what}: Shift+Tab {i} left it"
            );
        }
        self.key(Key::Escape).await;
        self.wait_until(&format!("{what} to close"), &open, json!(false))
            .await;
        let back = format!("return document.activeElement === document.querySelector('{opener}');");
        self.wait_until(&format!("focus back from {what}"), &back, json!(true))
            .await;
    }

    /// Opens a `<details>` menu or popover from its button with Enter, moves inside with
    /// the arrows (menus) or Tab (popovers), Escape closes it with focus back on the
    /// button; opened again, Tab out of it closes it.
    async fn menu_keeps_focus(&self, what: &str, details: &str) {
        let button = format!("{details} > summary");
        let open = format!("return document.querySelector('{details}').open;");
        let is_menu = self
            .script(&format!(
                "return !!document.querySelector('{details} > .menu');"
            ))
            .await
            == json!(true);
        self.focus_css(&button).await;
        self.key(Key::Enter).await;
        self.wait_until(&format!("{what} to open"), &open, json!(true))
            .await;
        // The script sets aria-expanded on the `toggle` event, a task after `open` changes.
        let expanded =
            format!("return document.querySelector('{button}').getAttribute('aria-expanded');");
        self.wait_until(
            &format!("{what}: its button to say it is open"),
            &expanded,
            json!("true"),
        )
        .await;
        let items = if is_menu {
            let n = self
                .script(&format!(
                    "return document.querySelectorAll('{details} > .menu :is(a[href], button:not([disabled]))').length;"
                ))
                .await
                .as_u64()
                .expect("a count");
            // Once round and one more: the arrows wrap and never leave the menu.
            for i in 0..=n {
                self.key(Key::Down).await;
                assert!(self.focus_is_in(details).await, "{what}: Down {i} left it");
            }
            self.key(Key::Up).await;
            assert!(self.focus_is_in(details).await, "{what}: Up left it");
            n
        } else {
            self.key(Key::Tab).await;
            assert!(self.focus_is_in(details).await, "{what}: Tab into it");
            1
        };
        assert!(items > 0, "{what}: has items");
        self.key(Key::Escape).await;
        self.wait_until(&format!("{what} to close"), &open, json!(false))
            .await;
        let back = format!("return document.activeElement === document.querySelector('{button}');");
        assert_eq!(self.script(&back).await, json!(true), "{what}: focus back");

        // Tabbing away closes it.
        self.key(Key::Enter).await;
        self.wait_until(&format!("{what} to open again"), &open, json!(true))
            .await;
        let stops = self
            .script(&format!(
                "return document.querySelectorAll('{details} :is(a[href], button, input, select, textarea)').length;"
            ))
            .await
            .as_u64()
            .expect("a count");
        for _ in 0..stops + 1 {
            self.key(Key::Tab).await;
        }
        assert!(!self.focus_is_in(details).await, "{what}: Tab left it");
        self.wait_until(&format!("{what} to close on Tab"), &open, json!(false))
            .await;
    }
}

/// An Owner with three members (one a Member whose link brings a join request).
async fn acme(app: &TestApp) -> (String, Vec<String>) {
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 10).await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let ids = app.add_members(&slug, "Member", 3, "member").await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    app.signed_up("ray@example.com", "Ray")
        .await
        .post_form(&path, &[])
        .await;
    (slug, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogs_keep_focus_inside_close_on_escape_and_give_it_back() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (slug, ids) = acme(&app).await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.wait_for_heading("Members").await;
    b.dialog_keeps_focus("the Invite dialog", "#invite-button", &[], "#invite-dialog")
        .await;
    // The row's "…" menu: Down twice reaches Remove from workspace.
    let actions = format!("#actions-{}", ids[0]);
    b.dialog_keeps_focus(
        "the removal confirmation",
        &actions,
        &[Key::Enter, Key::Down, Key::Down],
        "#remove-dialog",
    )
    .await;
    // Invite Team: Down twice reaches Invite by link.
    b.dialog_keeps_focus(
        "Invite by link",
        "details.invite-menu > summary",
        &[Key::Enter, Key::Down, Key::Down],
        "#invite-link-dialog",
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships").await,
        5,
        "nobody was removed"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn menus_keep_the_arrows_inside_close_on_escape_and_on_tab_out() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (slug, ids) = acme(&app).await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.wait_for_xpath("//details[@id='join-requests']/summary")
        .await;
    let row = format!("#member-{}", ids[0]);
    for (what, details) in [
        ("a row's … menu", format!("{row} details.row-menu")),
        ("a role menu", format!("{row} details.role-menu")),
        ("the join requests", "#join-requests".to_string()),
        ("Invite Team", "details.invite-menu".to_string()),
        ("More", "details.nav-more".to_string()),
        ("the account menu", "details.account-menu".to_string()),
        ("the workspace switcher", "details.switcher".to_string()),
    ] {
        b.menu_keeps_focus(what, &details).await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM memberships WHERE role = 'member'")
            .await,
        4,
        "arrowing through the role menu saved nothing"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_search_announces_the_members_count() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (slug, _) = acme(&app).await;
    app.add_members(&slug, "Viewer", 2, "viewer").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    b.client
        .goto(&format!("{}/w/{slug}/members", app.address))
        .await
        .expect("open Members");
    b.wait_for_heading("Members").await;
    let region = b
        .script(
            "const s = document.getElementById('member-status'); \
             return [s.getAttribute('role'), s.getAttribute('aria-live'), s.getAttribute('aria-atomic'), \
                     document.getElementById('member-results').contains(s)];",
        )
        .await;
    // A live region must be on the page before its text changes: it stays outside the
    // results htmx replaces.
    assert_eq!(region, json!(["status", "polite", "true", false]));
    let said = "return document.getElementById('member-status').textContent.trim();";
    for (query, announced) in [
        ("viewer", "2 members"),
        ("member 00", "3 members"),
        ("nobody-here", "0 members"),
        ("", "7 members"),
    ] {
        b.fill("q", query).await;
        if query.is_empty() {
            // Clearing a search field by script sends no input event: type and erase.
            b.key(Key::Space).await;
            b.key(Key::Backspace).await;
        }
        b.wait_until(&format!("{query:?} announced"), said, json!(announced))
            .await;
        let shown = b
            .script("return document.getElementById('member-count').textContent.trim();")
            .await;
        assert_eq!(shown, json!(announced), "the count shown says the same");
    }
    browser.close().await;
}
