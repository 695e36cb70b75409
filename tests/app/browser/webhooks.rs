//! The Webhooks page in a real browser: add an endpoint, read the signing secret shown
//! once, send a test event, see it delivered in the log; at 1280, 1440 and 390 px nothing
//! overflows sideways and axe-core finds nothing serious.

use super::header::SHOTS;
use super::{Browser, ONE_BROWSER};
use crate::support::receiver::Receiver;
use crate::support::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_webhook_sees_the_secret_once_and_a_test_event_delivered() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let hooks = Receiver::start().await;
    let (_, slug) = app.owner_of("owner@example.com", "Acme").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let page = format!("{}/w/{slug}/settings/webhooks", app.address);
    b.client.goto(&page).await.expect("open Webhooks");
    b.wait_for_heading("Webhooks").await;
    let mut problems = Vec::new();
    b.look_at_in(
        SHOTS,
        "webhooks-empty",
        Some("#add-webhook button"),
        &mut problems,
    )
    .await;

    b.fill("url", &hooks.url).await;
    b.click_css("input[name=events][value='member.joined']")
        .await;
    b.click_css("input[name=events][value='member.removed']")
        .await;
    b.click_button("Add endpoint").await;
    // The heading is on the page before the answer too: wait for the answer itself.
    b.wait_until(
        "the new endpoint's secret",
        "return document.getElementById('webhook-secret-value') !== null;",
        serde_json::json!(true),
    )
    .await;
    let secret = b
        .script("return document.getElementById('webhook-secret-value').value;")
        .await;
    let secret = secret.as_str().expect("the secret").to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    b.look_at_in(
        SHOTS,
        "webhooks-secret",
        Some("#webhook-secret-value, [data-copy-from], .webhook-endpoint button"),
        &mut problems,
    )
    .await;

    b.client.goto(&page).await.expect("open Webhooks again");
    b.wait_for_heading("Webhooks").await;
    let shown = b
        .script("return document.body.textContent.includes('whsec_');")
        .await;
    assert_eq!(shown, false, "the secret is shown only once");
    b.click_button("Send test event").await;
    b.wait_for_heading("Webhooks").await;
    let got = hooks.wait_for("webhook.test", 1).await;
    assert!(
        got[0].signed_by(&secret),
        "signed with the secret the page showed"
    );
    let delivered = "document.location.reload(); return true;";
    let status = "return [...document.querySelectorAll('.webhook-log .delivery-status')]\
                  .map(s => s.textContent.trim()).join('|');";
    for _ in 0..100 {
        if b.script(status).await.as_str() == Some("Delivered (HTTP 200)") {
            break;
        }
        b.script(delivered).await;
        b.wait_for_heading("Webhooks").await;
    }
    assert_eq!(b.script(status).await, "Delivered (HTTP 200)");
    b.look_at_in(
        SHOTS,
        "webhooks-log",
        Some(".webhook-log button, .webhook-endpoint .button-row button"),
        &mut problems,
    )
    .await;
    browser.close().await;
    assert!(
        problems.is_empty(),
        "{} problems (screenshots in {SHOTS}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
