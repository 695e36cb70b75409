//! The Invite links page at laptop and phone widths (issue 14): each link is a card with
//! its code readable and a Copy link button that selects the whole link; expiry shows
//! date and time (UTC); Revoke is on screen; the chart under Who joined has a count axis,
//! day labels and totals; the link email switch is a real switch that Space toggles;
//! nothing overflows and axe-core finds nothing serious.

use fantoccini::key::Key;
use serde_json::json;

use super::header::SHOTS;
use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_links_show_the_code_copy_it_and_chart_it_at_every_width() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    owner.post_form(&format!("/w/{slug}/links/open"), &[]).await;
    let (id, path) = app.link_of(&owner, &slug, &[("max_uses", "5")]).await;
    let zed = app.signed_up("zed@example.com", "Zed").await;
    zed.get(&path).await;
    zed.post_form(&path, &[]).await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    let list = format!("{}/w/{slug}/links", app.address);
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client.goto(&list).await.expect("open Invite links");
        b.wait_for_heading("Invite links").await;
        let what = format!("Invite links at {width}px");
        b.no_sideways_overflow(&what).await;
        let codes = b
            .script(
                "return [...document.querySelectorAll('#links tr.link-card')].map(r => \
                 [r.querySelector('.link-code').textContent, r.querySelector('.link-field').value]);",
            )
            .await;
        let codes: Vec<(String, String)> = serde_json::from_value(codes).expect("pairs");
        assert_eq!(codes.len(), 2, "{what}: two links");
        for (code, url) in &codes {
            assert!(
                code.len() >= 8 && url.ends_with(&format!("/join/{code}")),
                "{what}: {code} in {url}"
            );
        }
        assert!(
            codes
                .iter()
                .any(|(code, _)| path.ends_with(&format!("/join/{code}"))),
            "{what}: the link made above is listed by its code"
        );
        b.all_inside(
            &what,
            "#links .link-code, #links .link-field, #links button",
            true,
        )
        .await;
        let expires = b
            .script(&format!(
                "return document.querySelector('#link-{id} td.expires time').textContent;"
            ))
            .await;
        let expires = expires.as_str().expect("text").to_string();
        assert!(
            expires.ends_with(" UTC") && expires.contains(':'),
            "{what}: date and time, {expires}"
        );

        // Copy link selects the whole link (and puts it on the clipboard when allowed).
        let copy = format!("#link-{id} [data-copy-from]");
        b.click_css(&copy).await;
        let copied = b
            .script(&format!(
                "const f = document.getElementById('url-{id}'); \
                 return [document.querySelector(\"{copy}\").textContent, f.selectionStart, f.selectionEnd, f.value.length];"
            ))
            .await;
        let (label, start, end, length): (String, u64, u64, u64) =
            serde_json::from_value(copied).expect("copy state");
        assert_eq!(
            (label.as_str(), start, end),
            ("Copied", 0, length),
            "{what}: copied"
        );

        // Who joined: the chart with its axes, day labels and totals.
        b.click_css(&format!("#link-{id} .link-more > summary"))
            .await;
        b.wait_for_xpath(&format!("//div[@id='detail-{id}']//*[local-name()='svg']"))
            .await;
        let chart = b
            .script(&format!(
                "const d = document.getElementById('detail-{id}'); \
                 return [[...d.querySelectorAll('.count-label')].map(t => t.textContent), \
                         d.querySelectorAll('.day-label').length, d.querySelectorAll('line.axis').length, \
                         [...d.querySelectorAll('.chart-total')].map(t => t.textContent), \
                         d.querySelector('svg').getAttribute('aria-label')];"
            ))
            .await;
        let (counts, days, axes, totals, alt): (Vec<String>, u64, u64, Vec<String>, String) =
            serde_json::from_value(chart).expect("chart");
        assert_eq!(counts, ["0", "1"], "{what}: the count axis");
        assert_eq!((days, axes), (5, 2), "{what}: day labels and two axes");
        assert_eq!(totals, ["1", "1"], "{what}: 1 visit, 1 join in all");
        assert!(alt.ends_with("1 visits, 1 joins in all"), "{alt}");
        b.all_inside(&what, &format!("#detail-{id} svg"), true)
            .await;
        b.no_sideways_overflow(&format!("{what}, chart open")).await;
        b.shot_to(SHOTS, &format!("links-{width}")).await;
        let violations = b.axe_violations().await;
        assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
    }

    // The email switch is a switch: styled, and Space toggles it.
    let state = "const s = document.getElementById('link-notify'); \
        return [s.getAttribute('role'), getComputedStyle(s).appearance, s.checked, getComputedStyle(s, '::before').transform];";
    let before = b.script(state).await;
    assert_eq!(before[0], json!("switch"));
    assert_eq!(
        before[1],
        json!("none"),
        "drawn as a switch, not a bare checkbox"
    );
    assert_eq!(before[2], json!(true));
    assert_eq!(
        before[3],
        json!("matrix(1, 0, 0, 1, 16, 0)"),
        "on: the knob at the right"
    );
    b.script("document.getElementById('link-notify').focus();")
        .await;
    b.press(Key::Space).await;
    let after = b.script(state).await;
    assert_eq!(after[2], json!(false), "Space turns it off");
    b.wait_until(
        "the knob to move left",
        "return getComputedStyle(document.getElementById('link-notify'), '::before').transform;",
        json!("none"),
    )
    .await;
    b.shot_to(SHOTS, "links-switch-off-390").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_team_offers_invite_by_link_with_a_copy_button() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let browser = Browser::start().await;
    let b = &browser;
    b.sign_in_as(&app.address, "owner@example.com").await;
    for width in [1280, 1440, 390] {
        b.resize(width).await;
        b.client
            .goto(&format!("{}/w/{slug}/members", app.address))
            .await
            .expect("open Members");
        b.wait_for_heading("Members").await;
        let what = format!("Invite by link at {width}px");
        b.click_css("details.invite-menu > summary").await;
        b.click_button("Invite by link").await;
        b.wait_until(
            "the dialog to open",
            "return document.getElementById('invite-link-dialog').open;",
            json!(true),
        )
        .await;
        b.all_inside(&what, "#invite-link-dialog", false).await;
        let url = b
            .script("return document.getElementById('invite-link-url').value;")
            .await;
        assert!(
            url.as_str().expect("a link").contains("/join/"),
            "{what}: {url}"
        );
        b.click_css("#invite-link-dialog [data-copy-from]").await;
        let copied = b
            .script("return document.querySelector('#invite-link-dialog [data-copy-from]').textContent;")
            .await;
        assert_eq!(copied, json!("Copied"), "{what}");
        b.shot_to(SHOTS, &format!("invite-by-link-{width}")).await;
        let violations = b.axe_violations().await;
        assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
        b.press(Key::Escape).await;
        b.wait_until(
            "focus back on Invite Team",
            "return document.activeElement === document.querySelector('details.invite-menu > summary');",
            json!(true),
        )
        .await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links").await,
        1,
        "one Member link, made once"
    );
    browser.close().await;
}
