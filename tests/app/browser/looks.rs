//! "Look at what you ship": every page changed this week, opened in Chromium at 1280, 1440
//! and 390 px wide. On each, nothing may overflow sideways, every control shown in the
//! page's main part must be inside the window sideways (or in a scroller that is), and
//! axe-core may find no serious or critical violation. Full-page screenshots land in
//! /tmp/shots-axe/ (not committed) for a person to look at. The pages: sign-in (plain and
//! with an error), Check your email, an invitation signed out, a domain's proof page, the
//! refusal of a cross-site POST, and, as an Admin, Security (approved domains, one waiting
//! for proof) and Teams with the Owner in a team.

use super::{Browser, ONE_BROWSER};
use crate::support::invites::invite;
use crate::support::{Db, TestApp, link_in};

/// The widths every page is looked at: two desktops and a phone.
const WIDTHS: [u32; 3] = [1280, 1440, 390];
/// The height of the window while the page is measured and checked.
const HEIGHT: u32 = 900;
const SHOTS: &str = "/tmp/shots-axe";

/// For the elements `arguments[0]` selects: how many, and those not wholly inside the
/// window sideways. With `arguments[1]` (every control of a page) hidden ones are skipped
/// (closed menus and dialogs, visually hidden labels), and so is one inside a sideways
/// scroller that is itself inside the window (a phone's contained table): scrolling that
/// box reaches it. Without it (a page's named controls) a hidden one counts as outside.
const OUTSIDE_SIDEWAYS: &str = "const [css, all_controls] = arguments; \
    const w = document.documentElement.clientWidth; \
    const inside = (r) => r.width > 0 && r.left >= 0 && r.right <= w; \
    const scroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { \
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return p; } return null; }; \
    const all = [...document.querySelectorAll(css)].filter(e => !all_controls || (e.getClientRects().length > 0 \
        && !e.closest('.visually-hidden, dialog:not([open]), details:not([open]) > :not(summary)'))); \
    const out = all.filter(e => { if (inside(e.getBoundingClientRect())) return false; \
        const box = all_controls && scroller(e); return !(box && inside(box.getBoundingClientRect())); }); \
    return [all.length, out.map(e => (e.id || e.getAttribute('name') || e.textContent.trim().slice(0, 30) || e.tagName) \
        + ' ' + JSON.stringify(e.getBoundingClientRect()))];";

/// Every control in a page's main part.
const CONTROLS: &str =
    "main :is(a[href], button, input:not([type=hidden]), select, textarea, summary)";

impl Browser {
    /// Looks at the current page at each width: its screenshot saved as
    /// `{SHOTS}/{name}-{width}.png`, and what is wrong with it added to `problems`.
    async fn look_at(&self, name: &str, problems: &mut Vec<String>) {
        self.look_at_in(SHOTS, name, None, problems).await;
    }

    /// Looks at the current page at each width, adding what is wrong to `problems`:
    /// sideways overflow, a control outside the window, any of `required` (the page's main
    /// controls) missing or not inside the window, an axe violation. Saves
    /// `{dir}/{name}-{width}.png` of the whole page.
    pub(super) async fn look_at_in(
        &self,
        dir: &str,
        name: &str,
        required: Option<&str>,
        problems: &mut Vec<String>,
    ) {
        std::fs::create_dir_all(dir).expect("screenshot folder");
        for width in WIDTHS {
            self.client
                .set_window_size(width, HEIGHT)
                .await
                .expect("resize");
            let what = format!("{name} at {width}px");
            let widths = self
                .script("return [document.documentElement.scrollWidth, window.innerWidth];")
                .await;
            let (scroll, inner): (u64, u64) = serde_json::from_value(widths).expect("widths");
            assert_eq!(inner, u64::from(width), "{what}: the window's width");
            if scroll > inner {
                problems.push(format!(
                    "{what}: {scroll}px wide, overflows sideways by {}px",
                    scroll - inner
                ));
            }
            let (_, outside) = self.outside_sideways(CONTROLS, true).await;
            problems.extend(
                outside
                    .iter()
                    .map(|c| format!("{what}: outside the window: {c}")),
            );
            if let Some(css) = required {
                let (count, outside) = self.outside_sideways(css, false).await;
                if count == 0 {
                    problems.push(format!("{what}: nothing matches {css}"));
                }
                problems.extend(
                    outside
                        .iter()
                        .map(|c| format!("{what}: not on screen: {c}")),
                );
            }
            for v in self.axe_violations().await {
                problems.push(format!("{what}: axe {v:#}"));
            }
            self.whole_page_shot(&format!("{dir}/{name}-{width}.png"), width)
                .await;
        }
        self.client
            .set_window_size(WIDTHS[0], HEIGHT)
            .await
            .expect("resize");
    }

    /// How many elements `css` selects, and those not inside the window sideways.
    async fn outside_sideways(&self, css: &str, all_controls: bool) -> (u64, Vec<String>) {
        let found = self
            .client
            .execute(
                OUTSIDE_SIDEWAYS,
                vec![serde_json::json!(css), serde_json::json!(all_controls)],
            )
            .await
            .unwrap_or_else(|e| panic!("measure {css}: {e}"));
        serde_json::from_value(found).expect("a count and a list")
    }

    /// The whole page in one picture (the window as tall as the page and its own frame),
    /// saved to `path`; then the window is as before.
    async fn whole_page_shot(&self, path: &str, width: u32) {
        let tall = self
            .script(
                "return document.documentElement.scrollHeight \
                 + window.outerHeight - window.innerHeight;",
            )
            .await
            .as_u64()
            .expect("a height");
        let tall = u32::try_from(tall).expect("height fits").max(HEIGHT);
        self.client
            .set_window_size(width, tall)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path, png).expect("save screenshot");
        self.client
            .set_window_size(width, HEIGHT)
            .await
            .expect("resize");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_pages_fit_every_width_and_pass_axe() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme Rockets").await;
    let admin = app.member_as(&slug, "admin@acme.test", "admin").await;
    app.member_as(&slug, "mia@acme.test", "member").await;
    // Security: one approved domain and one waiting for proof; a second proof link for the
    // proof page.
    app.approve_domain(&admin, &slug, "example.com").await;
    for (domain, proof) in [
        ("example.org", "it@example.org"),
        ("example.net", "it@example.net"),
    ] {
        let res = admin
            .post_form(
                &format!("/w/{slug}/security/domains"),
                &[("domain", domain), ("proof_email", proof)],
            )
            .await;
        assert_eq!(res.status(), 303, "proof requested for {domain}");
    }
    // Teams: the Owner and a member in Design, so the Admin sees the Owner's row.
    owner
        .post_form(&format!("/w/{slug}/teams"), &[("team_name", "Design")])
        .await;
    let design: String = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Design'")
        .fetch_one(app.services.store.pool())
        .await
        .expect("team");
    for email in ["owner@acme.test", "mia@acme.test"] {
        let res = owner
            .post_form(
                &format!("/w/{slug}/teams/{design}/members"),
                &[("email", email)],
            )
            .await;
        assert_eq!(res.status(), 303, "{email} joins Design");
    }
    let res = invite(&admin, &slug, "newcomer@example.org", "member").await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let invitation = link_in(
        &app.mail
            .wait_for("newcomer@example.org", "invited you")
            .await,
    );

    let browser = Browser::start().await;
    let b = &browser;
    let mut problems = Vec::new();

    b.client
        .goto(&format!("{}/sign-in", app.address))
        .await
        .expect("open sign-in");
    b.wait_for_heading("Sign in").await;
    b.look_at("sign-in", &mut problems).await;

    b.fill("email", "admin@acme.test").await;
    b.fill("password", "not the password").await;
    b.click_button("Sign in").await;
    b.wait_for_xpath("//p[@id='sign-in-error']").await;
    b.look_at("sign-in-error", &mut problems).await;

    b.fill("email", "admin@acme.test").await;
    b.click_button("Email me a sign-in link").await;
    b.wait_for_heading("Check your email").await;
    b.look_at("check-email", &mut problems).await;

    b.client
        .goto(&format!("{}{invitation}", app.address))
        .await
        .expect("open the invitation");
    b.wait_for_heading("Join Acme Rockets").await;
    b.look_at("invite", &mut problems).await;

    let proof = link_in(&app.mail.wait_for("it@example.net", "Approve").await);
    b.client
        .goto(&format!("{}{proof}", app.address))
        .await
        .expect("open the proof link");
    b.wait_for_xpath("//button[normalize-space()='Approve the domain']")
        .await;
    b.look_at("domain-proof", &mut problems).await;
    b.click_button("Approve the domain").await;
    b.wait_for_heading("example.net is approved").await;
    b.look_at("domain-approved", &mut problems).await;

    // Another site's form posting here: the browser says Sec-Fetch-Site: cross-site.
    let form = format!(
        "<!doctype html><title>Elsewhere</title><form method=post action='{}/w/{slug}/teams'>\
         <input type=hidden name=team_name value=Sneaky><button>Go</button></form>",
        app.address
    );
    b.client
        .goto(&format!("data:text/html,{}", urlencoding(&form)))
        .await
        .expect("open the other site");
    b.click_button("Go").await;
    b.wait_for_heading("Refused: this came from another site")
        .await;
    b.look_at("refused-cross-site", &mut problems).await;

    b.sign_in_as(&app.address, "admin@acme.test").await;
    b.client
        .goto(&format!("{}/w/{slug}/security", app.address))
        .await
        .expect("open security");
    b.wait_for_xpath("//ul[@id='pending-domain-proofs']/li")
        .await;
    b.look_at("security", &mut problems).await;

    b.client
        .goto(&format!("{}/w/{slug}/teams", app.address))
        .await
        .expect("open teams");
    b.wait_for_xpath("//li[contains(., 'only an Owner changes their teams')]")
        .await;
    b.look_at("teams", &mut problems).await;

    browser.close().await;
    assert!(
        problems.is_empty(),
        "{} problems (screenshots in {SHOTS}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Percent-encodes everything but letters and digits, for a data: URL.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every main page an Owner uses, with something on it, and what a Member sees, at every
/// width: nothing overflows sideways and axe-core finds nothing serious — in the light
/// scheme and, with `dark`, in the dark one.
async fn look_at_every_main_page(dark: bool) {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (owner, slug) = app.owner_of("owner@acme.test", "Acme Rockets").await;
    let members = app
        .add_members(
            &slug,
            "Maximilian Alexander Montgomery-Worthington",
            3,
            "member",
        )
        .await;
    app.member_as(&slug, "mia@acme.test", "member").await;
    app.link_of(&owner, &slug, &[]).await;
    let res = invite(
        &owner,
        &slug,
        "ann@a-rather-long-company-name.example.com",
        "member",
    )
    .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let browser = if dark {
        Browser::start_dark().await
    } else {
        Browser::start().await
    };
    let b = &browser;
    let scheme = if dark { "-dark" } else { "" };
    let mut problems = Vec::new();
    let member = members.first().expect("a member");
    let owners_pages = [
        ("home", format!("/w/{slug}")),
        ("welcome", format!("/w/{slug}/welcome")),
        ("members", format!("/w/{slug}/members")),
        ("member-page", format!("/w/{slug}/members/{member}")),
        ("teams-owner", format!("/w/{slug}/teams")),
        ("invitations", format!("/w/{slug}/invitations")),
        ("invite", format!("/w/{slug}/invite")),
        ("links", format!("/w/{slug}/links")),
        ("security-owner", format!("/w/{slug}/security")),
        ("audit", format!("/w/{slug}/audit")),
        ("settings", format!("/w/{slug}/settings")),
        ("api-tokens", format!("/w/{slug}/settings/api-tokens")),
        ("webhooks", format!("/w/{slug}/settings/webhooks")),
        ("account", "/account".to_string()),
        ("your-workspaces", "/".to_string()),
        ("browse", "/workspaces/browse".to_string()),
    ];
    let members_pages = [
        ("member-home", format!("/w/{slug}")),
        ("member-invite", format!("/w/{slug}/invite")),
        ("member-account", "/account".to_string()),
    ];
    for (who, pages) in [
        ("owner@acme.test", &owners_pages[..]),
        ("mia@acme.test", &members_pages[..]),
    ] {
        b.sign_in_as(&app.address, who).await;
        for (name, path) in pages {
            b.client
                .goto(&format!("{}{path}", app.address))
                .await
                .expect("open the page");
            b.look_at(&format!("{name}{scheme}"), &mut problems).await;
        }
        b.sign_out().await;
    }
    browser.close().await;
    assert!(
        problems.is_empty(),
        "{} problems (screenshots in {SHOTS}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_fits_every_width_and_passes_axe() {
    look_at_every_main_page(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_passes_axe_in_the_dark_scheme() {
    look_at_every_main_page(true).await;
}
