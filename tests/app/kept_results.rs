//! The Members page keeps its rendered results under the workspace's list version: every
//! change to what the list shows, whichever code path or instance makes it, shows on the
//! next load, and a kept page is only ever served to the viewer (and role) it was rendered
//! for: every session of that viewer shares it, no other viewer sees its "you" marker or
//! its role controls.

use crate::both_databases;
use crate::support::{Db, PASSWORD, TestApp, TestClient};

both_databases!(
    every_change_to_the_list_shows_on_the_next_load,
    kept_results_belong_to_one_viewer,
);

/// Runs one statement as another instance (or any forgotten code path) would: straight
/// in the database, past this instance's code.
async fn elsewhere(app: &TestApp, sql: &str, binds: &[&str]) {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let done = query
        .execute(app.services.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(done.rows_affected() >= 1, "{sql} changed nothing");
}

async fn list_version(app: &TestApp) -> i64 {
    app.scalar("SELECT list_version FROM workspaces").await
}

async fn load(owner: &TestClient, slug: &str) -> String {
    let (status, html) = owner.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    html
}

async fn every_change_to_the_list_shows_on_the_next_load(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Kept").await;
    app.set_seat_count(&slug, 10).await;
    let ids = app.add_members(&slug, "Alpha", 3, "viewer").await;
    let first = load(&owner, &slug).await;
    assert!(first.contains("4 members") && first.contains("Alpha 000"));
    assert_eq!(load(&owner, &slug).await, first, "nothing changed");

    let before = list_version(&app).await;
    elsewhere(&app, "UPDATE accounts SET updated_at = updated_at + 1", &[]).await;
    assert_eq!(
        list_version(&app).await,
        before,
        "a change the list does not show keeps the version"
    );

    let names = "UPDATE accounts SET display_name = 'Zelda Renamed' WHERE id = $1";
    elsewhere(&app, names, &[&ids[0]]).await;
    let page = load(&owner, &slug).await;
    assert!(page.contains("Zelda Renamed") && !page.contains("Alpha 000<"));

    let admins = |html: &str| html.matches("data-role=\"admin\"").count();
    assert_eq!(admins(&page), 0);
    let promote = "UPDATE memberships SET role = 'admin' WHERE account_id = $1";
    elsewhere(&app, promote, &[&ids[1]]).await;
    assert_eq!(admins(&load(&owner, &slug).await), 1, "role change shows");

    let workspace: String = sqlx::query_scalar("SELECT id FROM workspaces")
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    let team =
        "INSERT INTO teams (id, workspace_id, name, created_at) VALUES ('t1', $1, 'Kept Team', 0)";
    elsewhere(&app, team, &[&workspace]).await;
    let join = "INSERT INTO team_members (team_id, workspace_id, account_id, is_primary, added_at) \
                VALUES ('t1', $1, $2, 0, 0)";
    elsewhere(&app, join, &[&workspace, &ids[2]]).await;
    assert!(load(&owner, &slug).await.contains("Kept Team"));
    elsewhere(&app, "UPDATE team_members SET is_primary = 1", &[]).await;
    assert!(
        load(&owner, &slug)
            .await
            .contains("title=\"Primary team\">Kept Team")
    );
    elsewhere(&app, "UPDATE teams SET name = 'Renamed Team'", &[]).await;
    let page = load(&owner, &slug).await;
    assert!(page.contains("Renamed Team") && !page.contains("Kept Team"));
    elsewhere(&app, "DELETE FROM team_members", &[]).await;
    assert!(!load(&owner, &slug).await.contains("Renamed Team"));

    elsewhere(
        &app,
        "UPDATE memberships SET status = 'suspended' WHERE account_id = $1",
        &[&ids[2]],
    )
    .await;
    assert!(
        load(&owner, &slug).await.contains("3 members"),
        "suspension shows"
    );
    elsewhere(
        &app,
        "DELETE FROM memberships WHERE account_id = $1",
        &[&ids[2]],
    )
    .await;
    let (_, suspended) = owner
        .page(&format!("/w/{slug}/members?status=suspended"))
        .await;
    assert!(suspended.contains("0 members"), "removal shows");

    // And through the product: a profile rename, and a role change from the page.
    let res = owner
        .post_form(
            "/account/profile",
            &[
                ("first_name", "Olga"),
                ("last_name", "Owner"),
                ("display_name", "Olga the Owner"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(load(&owner, &slug).await.contains("Olga the Owner"));
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{}/role", ids[1]),
            &[("role", "member")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(admins(&load(&owner, &slug).await), 0, "demotion shows");
    assert!(list_version(&app).await > before);
}

async fn kept_results_belong_to_one_viewer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (laptop, slug) = app.owner_of("owner@example.com", "Kept").await;
    app.add_members(&slug, "Alpha", 2, "viewer").await;
    let phone = app.client();
    assert_eq!(
        phone.sign_in("owner@example.com", PASSWORD).await.status(),
        303
    );
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let other_admin = app.member_as(&slug, "second@example.com", "admin").await;
    let on_laptop = load(&laptop, &slug).await;
    let on_phone = load(&phone, &slug).await;
    let as_admin = load(&admin, &slug).await;
    let as_other_admin = load(&other_admin, &slug).await;
    let table = |html: &str| -> String {
        let start = html.find("<table").expect("table");
        let end = html.find("</table>").expect("table end");
        html[start..end].to_string()
    };
    assert_eq!(
        table(&on_laptop),
        table(&on_phone),
        "one viewer's sessions share the results: they hold no per-session secret"
    );
    assert!(!on_laptop.contains("csrf_token"));
    let second_id = app.account_id("second@example.com").await;
    let owner_id = app.account_id("owner@example.com").await;
    let admin_id = app.account_id("admin@example.com").await;
    let row = |html: &str, id: &str| -> String {
        let start = html.find(&format!("<tr id=\"member-{id}\"")).expect("row");
        let rest = &html[start..];
        rest[..rest.find("</tr>").expect("row end")].to_string()
    };
    assert!(row(&on_laptop, &owner_id).contains(">you<"));
    assert!(!row(&on_laptop, &admin_id).contains(">you<"));
    assert!(row(&as_admin, &admin_id).contains(">you<"));
    assert!(!row(&as_admin, &owner_id).contains(">you<"));
    assert!(
        row(&on_laptop, &owner_id).contains("data-role=\"owner\"")
            && !row(&as_admin, &owner_id).contains("data-role="),
        "the Admin sees the Owner's role, not a control for it"
    );
    // Same role, another person: their own "you", never the first Admin's.
    assert!(row(&as_other_admin, &second_id).contains(">you<"));
    assert!(!row(&as_other_admin, &admin_id).contains(">you<"));
    assert!(!row(&as_admin, &second_id).contains(">you<"));
    assert!(
        !row(&as_other_admin, &owner_id).contains("<select"),
        "nor does the other Admin get the Owner's controls"
    );
}
