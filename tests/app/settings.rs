//! Owner-only workspace settings: rename, Plan & seats, transfer ownership, delete.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp};

both_databases!(
    plan_and_seats_refuse_a_count_below_seats_in_use,
    rename_validates_the_name,
    ownership_transfers_to_another_member,
    deleting_needs_the_typed_name,
    only_the_owner_reaches_settings,
    admins_edit_the_coordinator_card_everyone_sees_it,
);

async fn plan_and_seats_refuse_a_count_below_seats_in_use(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Plans").await;
    app.add_members(&slug, "Member", 3, "member").await;
    let path = format!("/w/{slug}/settings/plan");
    let res = owner
        .post_form(&path, &[("plan", "business"), ("seat_count", "3")])
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("id=\"seat_count-error\"") && html.contains("4 seats are in use"),
        "message beside the field"
    );
    assert_eq!(
        app.scalar("SELECT seat_count FROM workspaces").await,
        10,
        "nothing changed"
    );
    for bad in ["0", "-1", "ten", "2000000"] {
        assert_eq!(
            owner
                .post_form(&path, &[("plan", "business"), ("seat_count", bad)])
                .await
                .status(),
            422,
            "{bad}"
        );
    }
    assert_eq!(
        owner
            .post_form(&path, &[("plan", "gold"), ("seat_count", "5")])
            .await
            .status(),
        422
    );
    assert_eq!(
        owner
            .post_form(&path, &[("plan", "business"), ("seat_count", "4")])
            .await
            .status(),
        303
    );
    assert_eq!(app.scalar("SELECT seat_count FROM workspaces").await, 4);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM workspaces WHERE plan = 'business'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'workspace.plan_changed'")
            .await,
        1
    );
}

async fn rename_validates_the_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Old Name").await;
    let res = owner
        .post_form(&format!("/w/{slug}/settings/name"), &[("name", "  ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Give the workspace a name.")
    );
    owner
        .post_form(&format!("/w/{slug}/settings/name"), &[("name", "New Name")])
        .await;
    let (_, page) = owner.page(&format!("/w/{slug}")).await;
    assert!(page.contains("New Name"), "renamed; the slug stays");
}

async fn ownership_transfers_to_another_member(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Handover").await;
    let heir = app.member_as(&slug, "heir@example.com", "viewer").await;
    let path = format!("/w/{slug}/settings/transfer");
    for bad in ["nobody@example.com", "o@example.com", ""] {
        let res = owner.post_form(&path, &[("transfer_to", bad)]).await;
        assert_eq!(res.status(), 422, "{bad}");
    }
    assert_eq!(
        owner
            .post_form(&path, &[("transfer_to", "HEIR@example.com")])
            .await
            .status(),
        303
    );
    let roles: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT a.email, m.role, m.has_seat FROM memberships m JOIN accounts a ON a.id = m.account_id ORDER BY a.email")
            .fetch_all(app.services.store.pool())
            .await
            .expect("roles");
    assert_eq!(
        roles,
        vec![
            ("heir@example.com".into(), "owner".into(), 1),
            ("o@example.com".into(), "admin".into(), 1)
        ]
    );
    assert_eq!(
        app.scalar("SELECT seats_used FROM workspaces").await,
        2,
        "the new Owner took a seat"
    );
    assert_eq!(
        owner.get(&format!("/w/{slug}/settings")).await.status(),
        403,
        "no longer Owner"
    );
    assert_eq!(heir.get(&format!("/w/{slug}/settings")).await.status(), 200);
}

async fn deleting_needs_the_typed_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Doomed").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let path = format!("/w/{slug}/settings/delete");
    let res = owner.post_form(&path, &[("confirm_name", "doomed")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Type the name of the workspace exactly")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM workspaces").await, 1);
    let res = owner.post_form(&path, &[("confirm_name", "Doomed")]).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM workspaces").await, 0);
    assert_eq!(member.get(&format!("/w/{slug}")).await.status(), 404);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts").await,
        2,
        "accounts stay"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'workspace.deleted'")
            .await,
        1
    );
}

async fn only_the_owner_reaches_settings(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("o@example.com", "Private").await;
    let admin = app.member_as(&slug, "a@example.com", "admin").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let (outsider, _) = app.owner_of("x@example.com", "Other").await;
    let anonymous = app.client();
    let posts: [(&str, &[(&str, &str)]); 4] = [
        ("name", &[("name", "Hijacked")]),
        ("plan", &[("plan", "enterprise"), ("seat_count", "999")]),
        ("transfer", &[("transfer_to", "a@example.com")]),
        ("delete", &[("confirm_name", "Private")]),
    ];
    assert_eq!(
        admin.get(&format!("/w/{slug}/settings")).await.status(),
        403
    );
    assert_eq!(
        outsider.get(&format!("/w/{slug}/settings")).await.status(),
        404
    );
    assert!(location(&anonymous.get(&format!("/w/{slug}/settings")).await).starts_with("/sign-in"));
    for (action, form) in posts {
        let path = format!("/w/{slug}/settings/{action}");
        for (who, client) in [("admin", &admin), ("member", &member)] {
            assert_eq!(
                client.post_form(&path, form).await.status(),
                403,
                "{who} {path}"
            );
        }
        let res = anonymous.post_form(&path, form).await;
        assert!(location(&res).starts_with("/sign-in"), "anonymous {path}");
        assert_eq!(
            outsider.post_form(&path, form).await.status(),
            404,
            "outsider {path}"
        );
    }
    assert_eq!(
        owner.get(&format!("/w/{slug}/settings")).await.status(),
        200
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM workspaces WHERE name = 'Private' AND seat_count = 10")
            .await,
        1,
        "nothing changed"
    );
}

async fn admins_edit_the_coordinator_card_everyone_sees_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("o@example.com", "Helpdesk").await;
    let admin = app.member_as(&slug, "a@example.com", "admin").await;
    let member = app.member_as(&slug, "m@example.com", "member").await;
    let path = format!("/w/{slug}/coordinator");
    let res = admin
        .post_form(
            &path,
            &[
                ("coordinator_name", "Cora"),
                ("coordinator_email", "not an email"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("id=\"coordinator_email-error\"")
    );
    let card = [
        ("coordinator_name", "Cora Ordinator"),
        ("coordinator_email", "Cora@Example.com"),
        ("coordinator_phone", "+44 20 7946 0000"),
        ("coordinator_notes", "Ask me about seats."),
    ];
    assert_eq!(admin.post_form(&path, &card).await.status(), 303);
    let (_, home) = member.page(&format!("/w/{slug}")).await;
    assert!(
        home.contains("Cora Ordinator")
            && home.contains("cora@example.com")
            && home.contains("Ask me about seats.")
    );
    assert!(
        !home.contains("Edit coordinator"),
        "members see the card, not the form"
    );
    assert_eq!(member.post_form(&path, &card).await.status(), 403);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'coordinator.updated'")
            .await,
        1
    );
}
