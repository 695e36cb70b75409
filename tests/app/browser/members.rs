//! The Members page journey: an Owner signs in, searches as they type, filters by seat,
//! changes a role from the role menu (the seat bar follows), suspends and reactivates
//! someone from the row's "…" menu, removes someone through the confirmation dialog, and downloads the CSV — htmx swapping rows in place.

use std::time::Duration;

use fantoccini::Locator;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp};

impl Browser {
    /// Runs a script and returns its value (a returned Promise is awaited).
    pub(super) async fn script(&self, js: &str) -> serde_json::Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {js}: {e}"))
    }

    /// Waits (up to 15 s, checking every 50 ms) until `js` returns `expected`.
    pub(super) async fn wait_until(&self, what: &str, js: &str, expected: serde_json::Value) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let value = self.script(js).await;
            if value == expected {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                let source = self.client.source().await.unwrap_or_default();
                panic!("timed out waiting for {what}: got {value}, want {expected}\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_for_rows(&self, what: &str, n: usize) {
        let js = "return document.querySelectorAll('#members tbody tr').length;";
        self.wait_until(what, js, n.into()).await;
    }

    async fn wait_for_seats(&self, text: &str) {
        let js = "return document.querySelector('#seat-bar strong').textContent.trim();";
        self.wait_until(&format!("seat bar {text}"), js, text.into())
            .await;
    }

    /// Picks an option of a select by its value, the way a person does (fires `change`).
    async fn choose(&self, select_css: &str, value: &str) {
        let css = format!("{select_css} option[value='{value}']");
        self.client
            .wait()
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("option {css}: {e}"))
            .click()
            .await
            .expect("choose");
    }

    /// Clicks the element the CSS selector names, once it is there.
    pub(super) async fn click_css(&self, css: &str) {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Opens a row's "…" menu and picks the item called `label`.
    async fn row_action(&self, account_id: &str, label: &str) {
        self.click_css(&format!("#actions-{account_id}")).await;
        let xpath = format!(
            "//tr[@id='member-{account_id}']//details[@open]//*[self::button or self::a][normalize-space()='{label}']"
        );
        self.wait_for_xpath(&xpath)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {label} in row {account_id}: {e}"));
    }

    /// Opens a row's role menu with the mouse and picks a role.
    async fn pick_role(&self, account_id: &str, label: &str) {
        self.click_css(&format!("#role-{account_id}")).await;
        let xpath = format!(
            "//tr[@id='member-{account_id}']//details[@open]//button[normalize-space()='{label}']"
        );
        self.wait_for_xpath(&xpath)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("pick {label} in row {account_id}: {e}"));
    }

    async fn row_text(&self, account_id: &str) -> String {
        let js = format!(
            "const r = document.getElementById('member-{account_id}'); return r ? r.textContent : '';"
        );
        self.script(&js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_searches_filters_changes_roles_suspends_removes_and_exports() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 10).await;
    let alphas = app.add_members(&slug, "Alpha", 5, "member").await;
    let betas = app.add_members(&slug, "Beta", 4, "viewer").await;
    let browser = Browser::start().await;
    let b = &browser;

    b.client
        .goto(&format!("{}/sign-in?next=/w/{slug}/members", app.address))
        .await
        .expect("open sign-in");
    b.fill("email", "owner@example.com").await;
    b.fill("password", PASSWORD).await;
    b.click_button("Sign in").await;
    b.wait_for_heading("Members").await;
    b.wait_for_rows("every member", 10).await;
    b.wait_for_seats("6 / 10").await;

    // Search as you type: htmx replaces the results, the URL keeps the query.
    b.fill("q", "bet").await;
    b.wait_for_rows("the Betas", 4).await;
    let url = b.client.current_url().await.expect("url");
    assert!(url.query().unwrap_or_default().contains("q=bet"), "{url}");
    b.choose("#seat", "with").await;
    b.wait_for_rows("no Beta holds a seat", 0).await;
    b.choose("#seat", "without").await;
    b.wait_for_rows("the Betas again", 4).await;

    // Promote a Viewer: the row and the seat bar change together.
    let beta = &betas[0];
    b.pick_role(beta, "Member").await;
    b.wait_for_seats("7 / 10").await;
    let promoted = b.row_text(beta).await;
    assert!(
        promoted.contains("Yes"),
        "the promoted Beta holds a seat: {promoted}"
    );
    // The new row's menus are built again, its new role marked as the current one.
    let current = format!(
        "const b = document.querySelector('#member-{beta} details.role-menu button[aria-current=true]'); \
         return b ? b.textContent : null;"
    );
    b.wait_until("the rebuilt role menu", &current, "Member".into())
        .await;

    // Suspend and reactivate an Alpha.
    // (One request at a time: a results swap must not land after a row's own swap.)
    b.choose("#seat", "all").await;
    b.wait_for_rows("all Betas", 4).await;
    b.fill("q", "alpha 000").await;
    b.wait_for_rows("Alpha 000", 1).await;
    let alpha = &alphas[0];
    b.row_action(alpha, "Suspend").await;
    b.wait_for_seats("6 / 10").await;
    assert!(b.row_text(alpha).await.contains("Suspended"));
    b.row_action(alpha, "Reactivate").await;
    b.wait_for_seats("7 / 10").await;
    assert!(b.row_text(alpha).await.contains("Active"));

    // Remove another Alpha through the confirmation.
    let gone = &alphas[1];
    b.fill("q", "alpha").await;
    b.wait_for_rows("the Alphas", 5).await;
    b.row_action(gone, "Remove from workspace").await;
    b.wait_for_xpath("//dialog[@open]//button[normalize-space()='Yes, remove']")
        .await
        .click()
        .await
        .expect("confirm the removal");
    b.wait_for_seats("6 / 10").await;
    let js = format!("return document.getElementById('member-{gone}') === null;");
    b.wait_until("the removed row to go", &js, true.into())
        .await;

    // The CSV has exactly the rows the page shows.
    b.wait_for_rows("four Alphas left", 4).await;
    let csv = b
        .script("return fetch(document.getElementById('csv-link').href).then(r => r.text());")
        .await;
    let csv = csv.as_str().expect("CSV text");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,email,firstName,lastName,isAdmin,hasSeat,role,status,joinedAt,joinedVia"
    );
    assert_eq!(lines.len(), 5, "the header and four Alphas: {csv}");
    assert!(lines[1..].iter().all(|l| l.contains("@example.com,Alpha,")));
    assert!(
        !csv.contains(gone.as_str()),
        "the removed Alpha is not exported"
    );
    browser.close().await;
}
