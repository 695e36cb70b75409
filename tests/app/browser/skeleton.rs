//! The skeleton journey: sign up, confirm by email, create a workspace, sign in again.

use fantoccini::Locator;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp, link_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_create_workspace_and_sign_in_again() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let browser = Browser::start().await;
    let b = &browser;

    b.client
        .goto(&format!("{}/", app.address))
        .await
        .expect("open start page");
    b.click_link("Sign up").await;
    b.wait_for_heading("Sign up").await;
    b.fill("email", "newcomer@example.com").await;
    b.fill("password", PASSWORD).await;
    b.fill("first_name", "Nia").await;
    b.fill("last_name", "Newcomer").await;
    b.click_button("Sign up").await;
    b.wait_for_heading("Check your email").await;

    let mail = app
        .mail
        .wait_for("newcomer@example.com", "Confirm your email")
        .await;
    b.client
        .goto(&format!("{}{}", app.address, link_in(&mail)))
        .await
        .expect("open the emailed link");
    b.wait_for_heading("Confirm your email address").await;
    b.click_button("Confirm my address").await;
    b.wait_for_heading("Your workspaces").await;

    let htmx: serde_json::Value = b
        .client
        .execute("return typeof window.htmx;", vec![])
        .await
        .expect("script");
    assert_eq!(htmx, "object", "htmx loaded under the CSP");

    b.fill("name", "Newcomer Labs").await;
    b.click_button("Create workspace").await;
    // A new workspace opens on its first-run page; Skip for now goes to Members.
    b.wait_for_heading("Welcome to Newcomer Labs").await;
    b.click_link("Skip for now").await;
    b.wait_for_heading("Members").await;
    let table = b
        .client
        .find(Locator::Id("members"))
        .await
        .expect("members table")
        .text()
        .await
        .expect("text");
    assert!(
        table.contains("newcomer@example.com") && table.contains("Owner"),
        "{table}"
    );
    assert!(
        b.client
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/w/newcomer-labs/members")
    );

    b.sign_out().await;
    b.client
        .wait()
        .for_element(Locator::LinkText("Sign in"))
        .await
        .expect("signed out")
        .click()
        .await
        .expect("click");
    b.wait_for_heading("Sign in").await;
    b.fill("email", "newcomer@example.com").await;
    b.fill("password", PASSWORD).await;
    b.click_button("Sign in").await;
    b.wait_for_heading("Your workspaces").await;
    let source = b.client.source().await.expect("source");
    assert!(
        source.contains("Newcomer Labs"),
        "the workspace is listed after signing in again"
    );
    browser.close().await;
}
