//! Avatars after sign-up: changed and removed on the Account page, shown in the header,
//! on Members, on the member page and in the join-request popover, and served only to
//! the person, people who share a workspace with them, and admins they asked to join.

use reqwest::multipart::{Form, Part};

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    a_picture_is_changed_and_removed_on_the_account_page,
    pictures_show_beside_names_to_workspace_mates_only,
    only_the_signed_in_person_changes_their_picture_and_only_from_our_pages,
);

/// A real 3×3 picture in this format (avatars are decoded and re-encoded).
fn picture(format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(3, 3))
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

async fn upload(client: &TestClient, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let part = Part::bytes(bytes).file_name(name.to_string());
    client
        .post_multipart("/account/avatar", Form::new().part("avatar", part))
        .await
}

/// The `/avatars/{id}?v=...` path a page shows for `id`, if any.
fn avatar_src(html: &str, id: &str) -> Option<String> {
    let marker = format!("src=\"/avatars/{id}?v=");
    let at = html.find(&marker)? + "src=\"".len();
    Some(html[at..].chars().take_while(|c| *c != '"').collect())
}

async fn a_picture_is_changed_and_removed_on_the_account_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let (ann, _) = app.owner_of("ann@example.com", "Acme").await;
    let id = app.account_id("ann@example.com").await;
    let (_, page) = ann.page("/account").await;
    assert!(page.contains("No picture yet") && page.contains("Add picture"));
    assert!(avatar_src(&page, &id).is_none());

    let res = upload(&ann, picture(image::ImageFormat::Png), "me.png").await;
    assert_eq!(location(&res), "/account");
    let (_, page) = ann.page("/account").await;
    assert!(page.contains("Your picture is changed."));
    assert!(page.contains("id=\"current-avatar\"") && page.contains("Remove picture"));
    let first = avatar_src(&page, &id).expect("shown on the account page and in the header");
    assert!(
        page.contains("class=\"avatar avatar-small\""),
        "the header shows it"
    );
    let res = ann.get(&first).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );

    // A bad upload is explained beside the field and keeps the picture.
    let res = upload(&ann, b"GIF89a not really".to_vec(), "me.gif").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"avatar-error\"") && html.contains("PNG or JPEG"));
    let res = ann
        .post_multipart("/account/avatar", Form::new().text("avatar", ""))
        .await;
    assert_eq!(res.status(), 422, "no file chosen");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM avatars WHERE content_type = 'image/png'")
            .await,
        1
    );

    // Changing it gives a new address, so browsers fetch the new picture.
    upload(&ann, picture(image::ImageFormat::Jpeg), "me.jpg").await;
    let (_, page) = ann.page("/account").await;
    let second = avatar_src(&page, &id).expect("still shown");
    assert_ne!(first, second);
    assert_eq!(
        ann.get(&second).await.headers()["content-type"],
        "image/jpeg"
    );

    let res = ann.post_form("/account/avatar/remove", &[]).await;
    assert_eq!(location(&res), "/account");
    let (_, page) = ann.page("/account").await;
    assert!(page.contains("Your picture is removed.") && page.contains("No picture yet"));
    assert!(avatar_src(&page, &id).is_none());
    assert_eq!(ann.get(&format!("/avatars/{id}")).await.status(), 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM avatars").await, 0);
}

async fn pictures_show_beside_names_to_workspace_mates_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let bob = app.member_as(&slug, "bob@example.com", "member").await;
    upload(&bob, picture(image::ImageFormat::Png), "bob.png").await;
    let bob_id = app.account_id("bob@example.com").await;

    let (_, members) = owner.page(&format!("/w/{slug}/members")).await;
    let src = avatar_src(&members, &bob_id).expect("beside Bob's name on Members");
    let (_, detail) = owner.page(&format!("/w/{slug}/members/{bob_id}")).await;
    assert!(
        avatar_src(&detail, &bob_id).is_some(),
        "on Bob's member page"
    );
    assert_eq!(
        owner.get(&src).await.status(),
        200,
        "a workspace mate sees it"
    );

    // A stranger gets nothing, as if there were no picture.
    let (stranger, _) = app.owner_of("stranger@example.com", "Elsewhere").await;
    assert_eq!(stranger.get(&src).await.status(), 404);
    assert_eq!(
        app.client().get(&src).await.status(),
        303,
        "signed out: sign in first"
    );

    // Asking to join lets that workspace's admins see the asker's picture, in the popover.
    upload(&stranger, picture(image::ImageFormat::Png), "s.png").await;
    let stranger_id = app.account_id("stranger@example.com").await;
    sqlx::query(
        "INSERT INTO join_requests (id, workspace_id, account_id, status, created_at) \
         SELECT $1, w.id, $2, 'pending', 0 FROM workspaces w WHERE w.slug = $3",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&stranger_id)
    .bind(&slug)
    .execute(app.services.store.pool())
    .await
    .unwrap();
    let (_, popover) = owner.page(&format!("/w/{slug}/requests")).await;
    let asked = avatar_src(&popover, &stranger_id).expect("in the join-request list");
    assert_eq!(owner.get(&asked).await.status(), 200);
    assert_eq!(
        bob.get(&asked).await.status(),
        404,
        "not to Members of that workspace"
    );
}

/// Signed out, both picture actions lead to signing in; from another site they are
/// refused; neither touches anyone's picture.
async fn only_the_signed_in_person_changes_their_picture_and_only_from_our_pages(db: Db) {
    let app = TestApp::spawn(db).await;
    let (ann, _) = app.owner_of("ann@example.com", "Acme").await;
    let res = upload(&ann, picture(image::ImageFormat::Png), "me.png").await;
    assert_eq!(location(&res), "/account");
    let pictures = "SELECT COUNT(*) FROM avatars";
    assert_eq!(app.scalar(pictures).await, 1);

    let anonymous = app.client();
    let res = upload(&anonymous, picture(image::ImageFormat::Png), "x.png").await;
    assert!(location(&res).starts_with("/sign-in"), "{}", location(&res));
    let res = anonymous.post_form("/account/avatar/remove", &[]).await;
    assert!(location(&res).starts_with("/sign-in"), "{}", location(&res));

    let cross_site = [("sec-fetch-site", "cross-site")];
    let res = ann
        .post_form_with("/account/avatar/remove", &cross_site, &[])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.scalar(pictures).await,
        1,
        "Ann's picture is still there"
    );
}
