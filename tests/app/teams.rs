//! Teams: create, rename, delete, members, and one primary team per member.

use crate::both_databases;
use crate::support::{Db, TestApp};

both_databases!(
    teams_are_managed_by_admins_with_one_primary_each,
    team_ids_from_another_workspace_are_not_found,
    admins_cannot_touch_owners_teams,
);

/// (team, account, primary) rows, to compare before and after.
async fn team_rows(app: &TestApp) -> Vec<(String, String, i64)> {
    sqlx::query_as(
        "SELECT team_id, account_id, is_primary FROM team_members ORDER BY team_id, account_id",
    )
    .fetch_all(app.services.store.pool())
    .await
    .expect("rows")
}

async fn admins_cannot_touch_owners_teams(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Crew").await;
    let admin = app.member_as(&slug, "a@example.com", "admin").await;
    app.member_as(&slug, "m@example.com", "member").await;
    let base = format!("/w/{slug}/teams");
    for name in ["Design", "Research"] {
        owner.post_form(&base, &[("team_name", name)]).await;
    }
    let (design, research) = (
        team_id(&app, "Design").await,
        team_id(&app, "Research").await,
    );
    let res = owner
        .post_form(
            &format!("{base}/{design}/members"),
            &[("email", "o@example.com")],
        )
        .await;
    assert_eq!(res.status(), 303, "an Owner manages their own teams");
    let owner_id = app.account_id("o@example.com").await;
    let before = team_rows(&app).await;
    let events = app.scalar("SELECT COUNT(*) FROM audit_events").await;
    // The attacks: an Admin adds the Owner to a team, removes them, makes one primary.
    for (path, form) in [
        (
            format!("{base}/{research}/members"),
            vec![("email", "O@example.com")],
        ),
        (format!("{base}/{design}/members/{owner_id}/remove"), vec![]),
        (
            format!("{base}/{design}/members/{owner_id}/primary"),
            vec![],
        ),
    ] {
        let res = admin.post_form(&path, &form).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(team_rows(&app).await, before, "nothing changed");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events").await,
        events,
        "no event"
    );
    // The Admin sees no buttons for the Owner's teams, and still manages everyone else's.
    let (_, page) = admin.page(&base).await;
    assert!(!page.contains(&format!("/members/{owner_id}/remove")));
    assert!(!page.contains(&format!("/members/{owner_id}/primary")));
    assert!(page.contains("only an Owner changes their teams"));
    let res = admin
        .post_form(
            &format!("{base}/{research}/members"),
            &[("email", "m@example.com")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = owner
        .post_form(&format!("{base}/{design}/members/{owner_id}/primary"), &[])
        .await;
    assert_eq!(res.status(), 303, "the Owner may");
}

async fn team_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
        .bind(name)
        .fetch_one(app.services.store.pool())
        .await
        .expect("team")
}

async fn teams_are_managed_by_admins_with_one_primary_each(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Crew").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let base = format!("/w/{slug}/teams");
    assert_eq!(
        owner
            .post_form(&base, &[("team_name", "Design")])
            .await
            .status(),
        303
    );
    assert_eq!(
        owner
            .post_form(&base, &[("team_name", "Research")])
            .await
            .status(),
        303
    );
    let dup = owner.post_form(&base, &[("team_name", "design")]).await;
    assert_eq!(dup.status(), 422);
    assert!(
        dup.text()
            .await
            .expect("body")
            .contains("already has a team with that name")
    );
    assert_eq!(
        owner.post_form(&base, &[("team_name", " ")]).await.status(),
        422
    );
    let (design, research) = (
        team_id(&app, "Design").await,
        team_id(&app, "Research").await,
    );

    let stranger = owner
        .post_form(
            &format!("{base}/{design}/members"),
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(stranger.status(), 422, "only members of the workspace");
    for team in [&design, &research] {
        assert_eq!(
            owner
                .post_form(
                    &format!("{base}/{team}/members"),
                    &[("email", "m@example.com")]
                )
                .await
                .status(),
            303
        );
    }
    let m_id: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'm@example.com'")
        .fetch_one(app.services.store.pool())
        .await
        .expect("id");
    owner
        .post_form(&format!("{base}/{design}/members/{m_id}/primary"), &[])
        .await;
    owner
        .post_form(&format!("{base}/{research}/members/{m_id}/primary"), &[])
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM team_members WHERE is_primary = 1")
            .await,
        1,
        "one primary team"
    );
    let primary: String = sqlx::query_scalar("SELECT t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.is_primary = 1")
        .fetch_one(app.services.store.pool())
        .await
        .expect("primary");
    assert_eq!(primary, "Research");
    let (_, members) = owner.page(&format!("/w/{slug}/members")).await;
    assert!(
        members.contains("title=\"Primary team\">Research</span>")
            && members.contains(">Design</span>"),
        "teams in the row"
    );

    assert_eq!(
        owner
            .post_form(
                &format!("{base}/{design}/rename"),
                &[("team_name", "Product Design")]
            )
            .await
            .status(),
        303
    );
    owner
        .post_form(&format!("{base}/{design}/members/{m_id}/remove"), &[])
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM team_members").await, 1);
    owner
        .post_form(&format!("{base}/{research}/delete"), &[])
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM teams").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM team_members").await,
        0,
        "a deleted team's memberships go with it"
    );

    assert_eq!(member.get(&base).await.status(), 403);
    assert_eq!(
        member
            .post_form(&base, &[("team_name", "Rogue")])
            .await
            .status(),
        403
    );
    for action in [
        "team.created",
        "team.renamed",
        "team.deleted",
        "team.member_added",
        "team.member_removed",
        "team.primary_set",
    ] {
        assert!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = '{action}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }
}

async fn team_ids_from_another_workspace_are_not_found(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Mine").await;
    let (other_owner, other) = app.owner_of("x@example.com", "Theirs").await;
    other_owner
        .post_form(&format!("/w/{other}/teams"), &[("team_name", "Secret")])
        .await;
    let secret = team_id(&app, "Secret").await;
    for action in ["rename", "delete"] {
        let res = owner
            .post_form(
                &format!("/w/{slug}/teams/{secret}/{action}"),
                &[("team_name", "Stolen")],
            )
            .await;
        assert_eq!(res.status(), 404, "{action}");
    }
    let add = owner
        .post_form(
            &format!("/w/{slug}/teams/{secret}/members"),
            &[("email", "o@example.com")],
        )
        .await;
    assert_eq!(add.status(), 404);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM teams WHERE name = 'Secret'")
            .await,
        1
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM team_members").await, 0);
}
