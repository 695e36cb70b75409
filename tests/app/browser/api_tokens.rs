//! The API tokens page in a real browser at laptop and phone widths: a token is made
//! from the form, shown once with a Copy button that selects it, gone on the next visit,
//! listed, and revoked; nothing overflows sideways and axe-core finds nothing serious.

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_made_shown_once_and_revoked_at_every_width() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let page = format!("{}/w/{slug}/settings/api-tokens", app.address);
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        let what = format!("API tokens at {width}px");
        b.client.goto(&page).await.expect("open API tokens");
        b.wait_for_heading("API tokens").await;
        let name = format!("Sync at {width}");
        b.fill("name", &name).await;
        b.click_css("input[name=scope][value=admin]").await;
        b.click_button("Create token").await;
        b.wait_for_xpath("//section[@id='new-token']").await;
        let shown = b
            .script("return document.getElementById('new-token-value').value;")
            .await;
        let token = shown.as_str().expect("token").to_string();
        assert!(
            token.starts_with("gh_") && token.len() > 40,
            "{what}: {token}"
        );
        b.click_css("[data-copy-from=new-token-value]").await;
        let selected = b
            .script(
                "const f = document.getElementById('new-token-value'); \
                 return [f.selectionStart, f.selectionEnd, f.value.length];",
            )
            .await;
        let (start, end, len): (u64, u64, u64) =
            serde_json::from_value(selected).expect("selection");
        assert_eq!((start, end), (0, len), "{what}: Copy token selects it");
        b.no_sideways_overflow(&what).await;
        b.all_inside(&what, "main input, main button, main select", true)
            .await;
        let violations = b.axe_violations().await;
        assert!(violations.is_empty(), "{what}: axe: {violations:#?}");

        b.client.goto(&page).await.expect("open again");
        b.wait_for_heading("API tokens").await;
        let source = b.client.source().await.expect("source");
        assert!(!source.contains(&token), "{what}: shown only once");
        assert!(source.contains(&name), "{what}: listed");
        b.no_sideways_overflow(&format!("{what}, listed")).await;
        let violations = b.axe_violations().await;
        assert!(
            violations.is_empty(),
            "{what}, listed: axe: {violations:#?}"
        );
        b.click_css(&format!("button[aria-label='Revoke {name}']"))
            .await;
        b.wait_for_xpath("//*[contains(text(), 'Revoked the token')]")
            .await;
        let source = b.client.source().await.expect("source");
        assert!(
            !source.contains(&format!("<strong>{name}</strong>")),
            "{what}: revoked"
        );
    }
    browser.close().await;
    let live = app
        .scalar("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL")
        .await;
    assert_eq!(live, 0);
}
