//! Rule 13 and 14 end to end: bad input gets a clear refusal beside its field and changes
//! nothing (an over-long address or password costs no throttle counter, audit event, hash
//! or email; a weak password is refused with the reason), `next=` redirects stay on this
//! site whatever they hold and never answer 5xx, and an uploaded avatar is stored
//! re-encoded, its EXIF (GPS position included) gone.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use reqwest::multipart::{Form, Part};

use crate::both_databases;
use crate::support::client::location;
use crate::support::invites::{copied_link, invite};
use crate::support::{Db, PASSWORD, TestApp, TestClient};

both_databases!(
    an_over_long_address_is_refused_and_writes_nothing,
    weak_passwords_are_refused_with_a_reason,
    next_redirects_stay_local_whatever_they_hold,
    an_uploaded_jpeg_is_stored_re_encoded_without_exif,
);

/// What any write would leave behind: accounts, audit events, mail, throttle counters.
async fn written(app: &TestApp) -> [i64; 4] {
    [
        app.scalar("SELECT COUNT(*) FROM accounts").await,
        app.scalar("SELECT COUNT(*) FROM audit_events").await,
        app.scalar("SELECT COUNT(*) FROM mail_outbox").await,
        app.scalar("SELECT COUNT(*) FROM sign_in_throttle").await,
    ]
}

/// Posts the sign-up form (the support helper expects success).
async fn try_sign_up(
    client: &TestClient,
    email: &str,
    password: &str,
    first: &str,
    last: &str,
) -> reqwest::Response {
    client
        .post_form(
            "/sign-up",
            &[
                ("email", email),
                ("password", password),
                ("first_name", first),
                ("last_name", last),
                ("display_name", ""),
            ],
        )
        .await
}

/// The message shown beside `field` (the text after its `id="{field}-error"`).
async fn beside(res: reqwest::Response, field: &str) -> String {
    assert_eq!(res.status(), 422, "refused as bad input");
    let html = res.text().await.unwrap();
    let marker = format!("id=\"{field}-error\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no message beside {field}"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn an_over_long_address_is_refused_and_writes_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("ada@example.com", "Ada").await;
    let before = written(&app).await;
    let long = format!("{}@example.com", "a".repeat(288));
    assert_eq!(long.len(), 300);
    let client = app.client();

    let res = try_sign_up(&client, &long, PASSWORD, "Long", "Address").await;
    let message = beside(res, "email").await;
    assert!(message.contains("too long"), "{message}");

    let res = client.sign_in(&long, PASSWORD).await;
    let message = beside(res, "email").await;
    assert!(message.contains("too long"), "{message}");

    let res = client.sign_in("ada@example.com", &"x".repeat(1000)).await;
    let message = beside(res, "password").await;
    assert!(message.contains("at most 256"), "{message}");

    // A 1 MB field is refused the same way, before any work.
    let huge = format!("{}@example.com", "a".repeat(1_000_000));
    let res = client.sign_in(&huge, PASSWORD).await;
    let message = beside(res, "email").await;
    assert!(message.contains("too long"), "{message}");
    let res = client.post_form("/sign-in/link", &[("email", &huge)]).await;
    assert_eq!(res.status(), 422);

    assert_eq!(
        written(&app).await,
        before,
        "no account, event, email or counter"
    );
    assert!(app.mail.to(&long).is_empty());
}

async fn weak_passwords_are_refused_with_a_reason(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.client();
    for (weak, reason) in [
        ("password123456", "common"),
        ("aaaaaaaaaaaa", "Repeats like \"aaa\""),
    ] {
        let res = try_sign_up(&client, "grace@example.com", weak, "Grace", "Hopper").await;
        let message = beside(res, "password").await;
        assert!(
            message.starts_with("That password is easy to guess."),
            "{message}"
        );
        let message = message.replace("&quot;", "\"").replace("&#34;", "\"");
        assert!(message.contains(reason), "{weak}: {message}");
    }
    assert_eq!(written(&app).await, [0, 0, 0, 0], "nothing was created");
}

async fn next_redirects_stay_local_whatever_they_hold(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("nx@example.com", "Nx").await;
    let long = format!("/{}", "a".repeat(3000));
    for next in [
        "//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\r\nLocation: https://evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/a b",
        "/\t/evil.example",
        "/\u{0}",
        "/caf\u{e9}",
        "https://evil.example",
        long.as_str(),
    ] {
        let encoded = gatehouse::web::urlencode(next);
        let (status, html) = app.client().page(&format!("/sign-in?next={encoded}")).await;
        assert_eq!(status, 200, "next={next:?}");
        if next != "/%0d%0aSet-Cookie:x=1" {
            assert!(html.contains("name=\"next\" value=\"/\""), "next={next:?}");
        }
        let res = app
            .client()
            .post_form(
                "/sign-in",
                &[
                    ("email", "nx@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "next={next:?}");
        let to = location(&res);
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.contains('\\'),
            "{to}"
        );
        if next != "/%0d%0aSet-Cookie:x=1" {
            assert_eq!(to, "/", "next={next:?}");
        }
    }
    // Raw, badly encoded query strings get a page too, never a server error.
    for raw in ["%0d%0a", "%ff%fe", "%", "/%zz", "%2F%2Fevil.example"] {
        let res = app.client().get(&format!("/sign-in?next={raw}")).await;
        assert!(res.status().as_u16() < 500, "next={raw}: {}", res.status());
    }
}

/// A small JPEG with an APP1 Exif segment holding a GPS position right after SOI.
fn jpeg_with_exif() -> Vec<u8> {
    let mut plain = Vec::new();
    let picture = RgbImage::from_fn(16, 12, |x, y| Rgb([(x * 15) as u8, (y * 20) as u8, 90]));
    JpegEncoder::new_with_quality(&mut Cursor::new(&mut plain), 90)
        .encode_image(&picture)
        .unwrap();
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0".to_vec();
    exif.extend_from_slice(b"GPSLatitude 51.5007 N GPSLongitude 0.1246 W");
    let length = u16::try_from(exif.len() + 2).unwrap().to_be_bytes();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn an_uploaded_jpeg_is_stored_re_encoded_without_exif(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug): (TestClient, String) = app.owner_of("owner@example.com", "Acme").await;
    assert_eq!(
        invite(&owner, &slug, "ann@example.com", "member")
            .await
            .status(),
        303
    );
    let id = app.invitation_id("ann@example.com").await;
    let path = copied_link(&owner, &slug, &id).await;
    let upload = jpeg_with_exif();
    assert!(
        image::load_from_memory(&upload).is_ok(),
        "a valid JPEG to start with"
    );
    let ann = app.client();
    ann.get(&path).await;
    let form = Form::new()
        .text("password", PASSWORD)
        .text("first_name", "Ann")
        .text("last_name", "Invitee")
        .text("display_name", "")
        .part(
            "avatar",
            Part::bytes(upload.clone())
                .file_name("holiday.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let res = ann.post_multipart(&format!("{path}/sign-up"), form).await;
    assert_eq!(res.status(), 303);

    let ann_id: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'ann@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    let res = owner.get(&format!("/avatars/{ann_id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let stored = res.bytes().await.unwrap().to_vec();
    assert_ne!(stored, upload, "never the uploaded bytes");
    assert!(!contains(&stored, b"Exif"), "no EXIF segment");
    assert!(!contains(&stored, b"GPSLatitude"), "no GPS position");
    let picture = image::load_from_memory(&stored).unwrap();
    assert_eq!((picture.width(), picture.height()), (16, 12));
}
