//! People without a picture (issue 14), in the light and the dark scheme: wherever pictures
//! show (the header, member rows, a member's page, the join-request popover) they get their
//! initials on a colour picked from their account id, hidden from screen readers (the name
//! is beside it); names line up on Members whether or not a row has a picture; every
//! placeholder colour keeps its initials at 4.5:1 or more in both schemes; axe-core finds
//! nothing serious. Screenshots go to /tmp/shots/polish/ (not committed).

use serde_json::json;

use super::invitee_pages::SHOTS;
use super::{Browser, ONE_BROWSER};
use crate::support::{Db, TestApp};
use gatehouse::web::avatar::{colour_class, initials};

/// The contrast ratio of the initials on each colour class (WCAG's formula), measured from
/// the computed styles of a placeholder made for each.
const CONTRASTS: &str = "const lum = (css) => { \
        const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => { \
            v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); \
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; }; \
    return [0, 1, 2, 3, 4, 5, 6, 7].map(i => { \
        const s = document.createElement('span'); \
        s.className = 'avatar avatar-small avatar-initials avatar-c' + i; s.textContent = 'AB'; \
        document.body.append(s); const c = getComputedStyle(s); \
        const [a, b] = [lum(c.color), lum(c.backgroundColor)]; s.remove(); \
        return Math.round(100 * (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) / 100; });";

/// What a person's placeholder must be: their initials and their colour class.
fn expected(account_id: &str, name: &str) -> serde_json::Value {
    json!({ "text": initials(name), "own_text": "", "colour": colour_class(account_id), "hidden": "true" })
}

/// The placeholder inside the first element `css` names: the initials it shows (drawn by
/// CSS), its own text (none: the name beside it stays the only text), colour class and
/// aria-hidden, or null when there is none.
async fn placeholder(b: &Browser, css: &str) -> serde_json::Value {
    b.client
        .execute(
            "const s = document.querySelector(arguments[0] + ' .avatar-initials'); \
             return s && { text: getComputedStyle(s, '::before').content.replace(/^\"|\"$/g, ''), \
                 own_text: s.textContent, \
                 colour: [...s.classList].find(c => /^avatar-c\\d$/.test(c)), \
                 hidden: s.getAttribute('aria-hidden') };",
            vec![json!(css)],
        )
        .await
        .expect("read the placeholder")
}

/// A picture in one colour.
fn picture() -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        64,
        64,
        image::Rgb([200, 90, 20]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
    .expect("png");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_without_a_picture_show_their_initials_wherever_pictures_show() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_seat_count(&slug, 10).await;
    app.set_workspace(&slug, "who_may_invite = 'everyone'")
        .await;
    let members = app.add_members(&slug, "Member", 3, "member").await;
    let pool = app.services.store.pool();
    gatehouse::store::avatars::put(pool, &members[1], "image/png", &picture(), 1)
        .await
        .expect("a picture for Member 001");
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    app.signed_up("ray@example.com", "Ray")
        .await
        .post_form(&path, &[])
        .await;
    let owner_id = app.account_id("owner@example.com").await;
    let ray_id = app.account_id("ray@example.com").await;
    let first = &members[0];

    for dark in [false, true] {
        let browser = if dark {
            Browser::start_dark().await
        } else {
            Browser::start().await
        };
        let b = &browser;
        let scheme = if dark { "dark" } else { "light" };
        b.sign_in_as(&app.address, "owner@example.com").await;
        let is_dark = b
            .script("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await;
        assert_eq!(is_dark, json!(dark), "the {scheme} scheme");

        let contrasts = b.script(CONTRASTS).await;
        let contrasts: Vec<f64> = serde_json::from_value(contrasts).expect("ratios");
        assert!(
            contrasts.iter().all(|c| *c >= 4.5),
            "{scheme}: every colour keeps its initials at 4.5:1 or more: {contrasts:?}"
        );

        for width in [1280, 390] {
            b.resize(width).await;
            b.client
                .goto(&format!("{}/w/{slug}/members", app.address))
                .await
                .expect("open Members");
            b.wait_for_heading("Members").await;
            let what = format!("Members, {scheme}, {width}px");
            assert_eq!(
                placeholder(b, ".account-menu > summary").await,
                expected(&owner_id, "Owner Tester"),
                "{what}: the header"
            );
            assert_eq!(
                placeholder(b, &format!("#member-{first}")).await,
                expected(first, "Member 000"),
                "{what}: a row without a picture"
            );
            assert_eq!(
                placeholder(b, &format!("#member-{}", members[1])).await,
                json!(null),
                "{what}: a row with a picture shows it"
            );
            let per_row = b
                .script(
                    "return [...document.querySelectorAll('#members tbody tr')] \
                     .map(r => r.querySelectorAll('td.who .avatar').length);",
                )
                .await;
            assert_eq!(per_row, json!([1, 1, 1, 1, 1]), "{what}: one each");
            let lefts = b
                .script(
                    "return [...new Set([...document.querySelectorAll('#members .member-name')] \
                     .map(a => Math.round(a.getBoundingClientRect().left)))].length;",
                )
                .await;
            assert_eq!(lefts, json!(1), "{what}: the names line up");
            let violations = b.axe_violations().await;
            assert!(violations.is_empty(), "{what}: axe: {violations:#?}");
            b.shot_to(SHOTS, &format!("placeholders-members-{scheme}-{width}"))
                .await;
        }

        b.resize(1280).await;
        b.click_css("#join-requests > summary").await;
        b.wait_for_xpath("//details[@id='join-requests'][@open]//li")
            .await;
        assert_eq!(
            placeholder(b, "#join-requests .requests li").await,
            expected(&ray_id, "Ray Tester"),
            "{scheme}: the join request"
        );
        b.shot_to(SHOTS, &format!("placeholders-requests-{scheme}-1280"))
            .await;

        b.client
            .goto(&format!("{}/w/{slug}/members/{first}", app.address))
            .await
            .expect("open the member page");
        b.wait_for_xpath("//h1[contains(., 'Member 000')]").await;
        assert_eq!(
            placeholder(b, "h1").await,
            expected(first, "Member 000"),
            "{scheme}: the member page"
        );
        let large = b
            .script("return document.querySelector('h1 .avatar-initials').getBoundingClientRect().width;")
            .await;
        assert_eq!(large, json!(56), "{scheme}: the member page's is large");
        let violations = b.axe_violations().await;
        assert!(
            violations.is_empty(),
            "{scheme} member page: axe: {violations:#?}"
        );
        b.shot_to(SHOTS, &format!("placeholders-member-{scheme}-1280"))
            .await;
        browser.close().await;
    }
}
