//! The Audit log in words at laptop and phone widths (issue 14): each event reads as a
//! sentence with names linked, the page never overflows sideways at 1280, 1440, 1920 or
//! 390 px, the sentence and the IP (even a long IPv6 one) are inside the window, a phone
//! shows stacked cards, and axe-core finds nothing serious. Screenshots go to
//! /tmp/shots-words/ (not committed) for a person to look at.

use serde_json::json;

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

const SHOTS: &str = "/tmp/shots-words";

/// For the elements matching `css`: how many, and those not inside the window's width.
const OUTSIDE_X: &str = "const w = document.documentElement.clientWidth; \
    const all = [...document.querySelectorAll(arguments[0])]; \
    const out = all.filter(e => { const r = e.getBoundingClientRect(); \
        return r.width === 0 || r.left < 0 || r.right > w; }) \
        .map(e => e.className + ': ' + JSON.stringify(e.getBoundingClientRect())); \
    return [all.length, out];";

async fn within_width(b: &Browser, what: &str, css: &str) -> u64 {
    let found = b
        .client
        .execute(OUTSIDE_X, vec![json!(css)])
        .await
        .expect("measure");
    let (count, out): (u64, Vec<String>) = serde_json::from_value(found).expect("count, list");
    assert!(count > 0, "{what}: nothing matches {css}");
    assert!(out.is_empty(), "{what}: outside the window: {out:#?}");
    count
}

async fn open_at(b: &Browser, url: &str, width: u32) {
    b.client.set_window_size(width, 900).await.expect("resize");
    b.client.goto(url).await.expect("open the Audit log");
    b.wait_for_heading("Audit log").await;
    let widths = b
        .script("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    let (scroll, inner): (u64, u64) = serde_json::from_value(widths).expect("widths");
    assert_eq!(inner, u64::from(width), "the viewport is {width} wide");
    assert!(scroll <= inner, "{width}px: {scroll}px wide, overflowing");
}

/// A workspace whose log has long names, role changes, a removal and an event from a long
/// IPv6 address.
async fn busy_log(app: &TestApp) -> String {
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let ids = app
        .add_members(
            &slug,
            "Maximilian Alexander Montgomery-Worthington",
            2,
            "member",
        )
        .await;
    for (id, role) in [(&ids[0], "admin"), (&ids[1], "viewer"), (&ids[0], "member")] {
        let res = owner
            .post_form(&format!("/w/{slug}/members/{id}/role"), &[("role", role)])
            .await;
        assert_eq!(res.status(), 303);
    }
    owner
        .post_form(&format!("/w/{slug}/members/{}/remove", ids[1]), &[])
        .await;
    let ws: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    let event = gatehouse::store::audit::NewEvent {
        workspace_id: Some(&ws),
        action: "widget.recalibrated",
        details: Some(r#"{"reason":"a rather long explanation of why it happened"}"#.into()),
        ip: Some("2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        now: app.clock().now(),
        ..Default::default()
    };
    gatehouse::store::audit::record(app.services.store.pool(), event)
        .await
        .expect("event");
    slug
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_reads_as_sentences_at_every_width() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let slug = busy_log(&app).await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let url = format!("{}/w/{slug}/audit", app.address);
    std::fs::create_dir_all(SHOTS).expect("screenshot folder");
    for width in [1280, 1440, 1920, 390] {
        open_at(b, &url, width).await;
        let what = format!("Audit log at {width}px");
        let rows = within_width(b, &what, "td.audit-what").await;
        assert_eq!(rows, 6, "{what}: every event");
        within_width(b, &what, "td.audit-ip:not(:empty)").await;
        within_width(b, &what, "#action, #person, #csv-link").await;
        let first = b
            .script("return document.querySelector('td.audit-what').innerText;")
            .await;
        assert_eq!(
            first,
            json!(
                "The system: widget recalibrated (reason: a rather long explanation of why it happened)."
            ),
            "{what}"
        );
        let card = b
            .script("return getComputedStyle(document.querySelector('tr.audit-event')).display;")
            .await;
        let expected = if width == 390 { "grid" } else { "table-row" };
        assert_eq!(card, json!(expected), "{what}: cards only on a phone");
        let png = b.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{SHOTS}/audit-{width}.png"), png).expect("save");
        if width == 1280 || width == 390 {
            let violations = b.axe_violations().await;
            assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
        }
    }
    let said = b
        .script("return [...document.querySelectorAll('td.audit-what')].map(e => e.innerText);")
        .await;
    let said: Vec<String> = serde_json::from_value(said).expect("sentences");
    assert!(
        said.iter().any(|s| s
            == "Owner Tester changed Maximilian Alexander Montgomery-Worthington 000's role from Admin to Member."),
        "{said:#?}"
    );
    let linked = b
        .script("return document.querySelectorAll('td.audit-what a[href*=\"/members/\"]').length;")
        .await;
    assert!(
        linked.as_u64().expect("count") >= 4,
        "names link to members"
    );
    browser.close().await;
}
