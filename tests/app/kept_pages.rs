//! Whole Members pages kept for their session (`web::kept_pages`, SQLite only: PostgreSQL
//! has no data version to keep them by, and every assertion about what is shown holds
//! the same there). A kept page is given again without reading anything while nothing at
//! all is committed, by any connection; never once something is; never to another
//! cookie; never past its session's time; never in place of an htmx fragment; never for
//! Pending invitations.

use crate::both_databases;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    a_kept_page_is_given_again_without_reading_until_anything_is_committed,
    a_kept_page_goes_to_its_own_cookie_only_while_its_session_lets_it,
    a_kept_page_ends_when_its_session_time_is_up,
);

async fn members(client: &TestClient, slug: &str) -> (u16, String) {
    let (status, html) = client.page(&format!("/w/{slug}/members")).await;
    (status.as_u16(), html)
}

/// The Members page's status for a request sending `cookie` as the session cookie.
async fn with_session_cookie(client: &TestClient, slug: &str, cookie: &str) -> u16 {
    let res = client
        .http
        .get(client.url(&format!("/w/{slug}/members")))
        .header("Cookie", format!("gatehouse_session={cookie}"))
        .send()
        .await
        .expect("GET");
    res.status().as_u16()
}

/// Runs one statement as another instance would: straight in the database.
async fn elsewhere(app: &TestApp, sql: &str) {
    let done = sqlx::query(sql)
        .execute(app.services.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(done.rows_affected() >= 1, "{sql} changed nothing");
}

/// Fast reads answered so far (0 on PostgreSQL, which has none).
fn reads(app: &TestApp) -> u64 {
    app.services.store.fast_reads().map_or(0, |f| f.counts().0)
}

async fn a_kept_page_is_given_again_without_reading_until_anything_is_committed(db: Db) {
    let on_sqlite = matches!(db, Db::Sqlite);
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Whole").await;
    let betas = app.add_members(&slug, "Beta", 3, "viewer").await;
    let (status, first) = members(&owner, &slug).await;
    assert_eq!(status, 200);
    assert!(first.contains("Beta 002"));
    let before = reads(&app);
    for _ in 0..3 {
        assert_eq!(members(&owner, &slug).await, (200, first.clone()));
    }
    if on_sqlite {
        assert_eq!(reads(&app), before, "a kept page reads nothing");
    }
    // Pending invitations (whose expiry moves with the time) are made every time.
    let pending = format!("/w/{slug}/members?status=pending");
    assert_eq!(owner.page(&pending).await.0, 200);
    let before = reads(&app);
    assert_eq!(owner.page(&pending).await.0, 200);
    if on_sqlite {
        assert!(reads(&app) > before, "Pending is not kept whole");
    }

    // The viewer's own name is in the page's header, outside the kept results and
    // their list version: any commit ends the kept page, not only the list's.
    elsewhere(
        &app,
        "UPDATE accounts SET display_name = 'Renamed Owner' WHERE email = 'owner@example.com'",
    )
    .await;
    let (_, renamed) = members(&owner, &slug).await;
    assert!(
        renamed.contains("Renamed Owner"),
        "the new name shows at once"
    );
    // A commit of something the page does not show still makes it be made again.
    let before = reads(&app);
    elsewhere(
        &app,
        "UPDATE accounts SET password_hash = 'another' WHERE email = 'beta000@example.com'",
    )
    .await;
    assert_eq!(members(&owner, &slug).await, (200, renamed.clone()));
    if on_sqlite {
        assert!(reads(&app) > before, "made again after a commit");
    }
    // What the app itself commits shows too: a member's role changed by the owner.
    let row = |html: &str| -> String {
        let start = html
            .find(&format!("<tr id=\"member-{}\"", betas[2]))
            .expect("row");
        let rest = &html[start..];
        rest[..rest.find("</tr>").expect("row end")].to_string()
    };
    let changed = owner
        .post_form(
            &format!("/w/{slug}/members/{}/role", betas[2]),
            &[("role", "member")],
        )
        .await;
    assert_eq!(changed.status(), 303);
    let (_, after) = members(&owner, &slug).await;
    assert!(row(&renamed).contains("Viewer") && row(&after).contains("Member"));
}

async fn a_kept_page_goes_to_its_own_cookie_only_while_its_session_lets_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Whole").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    // The first pages take the welcome messages (which writes the sessions back).
    members(&owner, &slug).await;
    members(&admin, &slug).await;
    let (_, as_owner) = members(&owner, &slug).await;
    let (_, as_admin) = members(&admin, &slug).await;
    assert_ne!(as_owner, as_admin, "each sees their own page");
    assert_eq!(members(&owner, &slug).await.1, as_owner);
    assert_eq!(members(&admin, &slug).await.1, as_admin);

    // No cookie, or a cookie not signed by the server: signed out, kept pages or not.
    let stranger = app.client();
    assert_eq!(members(&stranger, &slug).await.0, 303);
    let cookie = owner.session_cookie().expect("a session cookie");
    let mut forged = cookie.clone();
    let last = forged
        .pop()
        .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
    forged.push(last);
    assert_eq!(
        with_session_cookie(&stranger, &slug, &forged).await,
        303,
        "a forged cookie is signed out"
    );

    // An htmx request for the results gets the fragment, not the kept whole page.
    let fragment = owner
        .get_htmx(&format!("/w/{slug}/members"), "member-results")
        .await
        .text()
        .await
        .expect("body");
    assert!(!fragment.contains("<html") && fragment.contains("member-count"));

    // Who may see it changed behind the app's back: on the next request.
    elsewhere(
        &app,
        "UPDATE memberships SET role = 'member' WHERE account_id = \
         (SELECT id FROM accounts WHERE email = 'admin@example.com')",
    )
    .await;
    assert_eq!(members(&admin, &slug).await.0, 403, "no longer an admin");
    // Signed out with the same cookie still held: the page is not given to it.
    let signed_out = owner.post_form("/sign-out", &[]).await;
    assert_eq!(signed_out.status(), 303);
    assert_eq!(
        with_session_cookie(&stranger, &slug, &cookie).await,
        303,
        "the signed-out cookie gets no kept page"
    );
}

async fn a_kept_page_ends_when_its_session_time_is_up(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Whole").await;
    members(&owner, &slug).await;
    let (_, page) = members(&owner, &slug).await;
    assert_eq!(members(&owner, &slug).await.1, page);
    // Past the time the session's activity is written back: the page is made again,
    // and the write happens (by the services' clock, as the timeouts read it).
    app.clock().advance(6 * 60);
    let seen = app.clock().now();
    assert_eq!(members(&owner, &slug).await.0, 200);
    let written = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE data LIKE '%\"gh.last_seen\":{seen}%' \
             OR data LIKE '%\"gh.last_seen\":{}%'",
            seen + 1
        ))
        .await;
    assert_eq!(written, 1, "the activity was written back");
    // Past the idle timeout with nothing committed: signed out.
    assert_eq!(members(&owner, &slug).await.0, 200);
    app.clock().advance(8 * 24 * 3600);
    assert_eq!(members(&owner, &slug).await.0, 303, "idle too long");

    // The stored session ends (by the system clock) with nothing committed after.
    let (keeper, keeper_slug) = app.owner_of("keeper@example.com", "Keeper").await;
    assert_eq!(members(&keeper, &keeper_slug).await.0, 200);
    let ends = time::OffsetDateTime::now_utc().unix_timestamp() + 2;
    sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(ends)
        .execute(app.services.store.pool())
        .await
        .expect("expiry");
    for _ in 0..2 {
        assert_eq!(members(&keeper, &keeper_slug).await.0, 200, "still live");
    }
    while time::OffsetDateTime::now_utc().unix_timestamp() <= ends {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        members(&keeper, &keeper_slug).await.0,
        303,
        "its time is up"
    );
}
