//! An Invite submission of a thousand addresses: every invitation, its extra team, its
//! email in the outbox and its audit event are written together (a few multi-row
//! statements in one transaction), and every per-address rule still holds when members,
//! pending invitations, repeats and bad addresses are among them.

use gatehouse::store::invitations::{live_for_emails_sql, member_emails_sql};
use sqlx::Row;

use crate::both_databases;
use crate::support::invites::invite;
use crate::support::{Db, TestApp, link_in};

both_databases!(
    a_thousand_addresses_in_one_submission,
    a_thousand_addresses_with_members_invitations_repeats_and_typos_among_them,
    a_large_submissions_lookups_find_each_address_by_index,
);

/// Creates the named teams through the Teams page; their ids, in the same order.
async fn teams(app: &TestApp, owner: &crate::support::TestClient, slug: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for name in ["Ops", "Design"] {
        owner
            .post_form(&format!("/w/{slug}/teams"), &[("team_name", name)])
            .await;
        let id = sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
            .bind(name)
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

async fn a_thousand_addresses_in_one_submission(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "plan = 'enterprise'").await;
    let team = teams(&app, &owner, &slug).await;
    let many: Vec<String> = (0..1000)
        .map(|i| format!("person{i}@example.com"))
        .collect();
    let res = owner
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", many.join("\n").as_str()),
                ("role", "member"),
                ("primary_team", team[0].as_str()),
                ("teams", team[1].as_str()),
                ("send_email", "on"),
                ("message", "Welcome aboard"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let count = |sql: &'static str| app.scalar(sql);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM invitations WHERE status = 'pending' AND role = 'member' \
             AND message = 'Welcome aboard' AND primary_team_id IS NOT NULL"
        )
        .await,
        1000
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT code_hash) FROM invitations").await,
        1000,
        "every invitation has a code of its own"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM invitation_teams").await,
        1000,
        "each has the extra team"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM mail_outbox o JOIN invitations i \
             ON i.id = o.ref_id AND i.email = o.recipient WHERE o.kind = 'invitation'"
        )
        .await,
        1000,
        "every email queued in the outbox, tied to its invitation, sent later by the worker"
    );
    assert_eq!(
        count(
            "SELECT COUNT(DISTINCT target) FROM audit_events WHERE action = 'invitation.created'"
        )
        .await,
        1000,
        "an audit event per address"
    );
    let mail = app
        .mail
        .wait_for("person0@example.com", "invited you")
        .await;
    assert!(mail.text.contains("Welcome aboard"), "{}", mail.text);
    assert_eq!(app.client().page(&link_in(&mail)).await.0, 200);
}

async fn a_thousand_addresses_with_members_invitations_repeats_and_typos_among_them(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "plan = 'enterprise'").await;
    app.add_members(&slug, "Member", 3, "member").await;
    let pending: Vec<String> = (0..5).map(|i| format!("pending{i}@example.com")).collect();
    invite(&owner, &slug, &pending.join(" "), "viewer").await;
    let pending_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM invitations ORDER BY id")
        .fetch_all(app.services.store.pool())
        .await
        .unwrap();
    // One of them waits for an admin's approval (a Member invited the address).
    sqlx::query("UPDATE invitations SET status = 'awaiting_approval' WHERE email = $1")
        .bind("pending4@example.com")
        .execute(app.services.store.pool())
        .await
        .unwrap();
    let mut lines: Vec<String> = (0..3)
        .map(|i| format!("Member{i:03}@Example.com"))
        .collect();
    lines.extend(pending.iter().cloned());
    lines.extend(["twice@example.com".into(), "TWICE@example.com".into()]);
    lines.extend(["not-an-address".into(), "a@b@c".into()]);
    let fresh = 1000 - lines.len();
    lines.extend((1..=fresh).map(|i| format!("new{i}@example.com")));
    assert_eq!(lines.len(), 1000);
    let res = invite(&owner, &slug, &lines.join("\n"), "member").await;
    assert_eq!(res.status(), 303);

    let (_, html) = owner.page(&format!("/w/{slug}/invitations")).await;
    let last = format!("new{fresh}@example.com — invited");
    for expected in [
        "Member000@Example.com — already a member",
        "pending0@example.com — already invited (resent)",
        "pending4@example.com — already invited (waiting for approval)",
        "TWICE@example.com — invalid: listed twice",
        "not-an-address — invalid:",
        "new1@example.com — invited",
        last.as_str(),
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    let count = |sql: &'static str| app.scalar(sql);
    // The new addresses and "twice", beside the five invitations from before.
    let created = i64::try_from(fresh).unwrap() + 1;
    assert_eq!(count("SELECT COUNT(*) FROM invitations").await, 5 + created);
    assert_eq!(
        count("SELECT COUNT(*) FROM invitations WHERE email LIKE 'member%'").await,
        0,
        "members are not invited"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation' AND recipient LIKE 'new%'"
        )
        .await,
        created - 1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'twice@example.com'").await,
        1,
        "the address listed twice gets one email"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation_resent'").await,
        4,
        "the pending invitations are sent again, not the one awaiting approval"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.created'").await,
        5 + created
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE action = 'invitation.resent'").await,
        4
    );
    let still: Vec<String> =
        sqlx::query_scalar("SELECT id FROM invitations WHERE email LIKE 'pending%' ORDER BY id")
            .fetch_all(app.services.store.pool())
            .await
            .unwrap();
    assert_eq!(still, pending_ids, "renewed in place, not replaced");
}

/// The two lookups of a submission (who is a member already, who has a live invitation)
/// find each address by an index, on both databases: never a walk of the workspace's
/// members or invitations, which SQLite chose for an `IN (…)` of 500 addresses.
async fn a_large_submissions_lookups_find_each_address_by_index(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.add_members(&slug, "Alpha", 30, "member").await;
    invite(&owner, &slug, "ann@example.com bo@example.com", "member").await;
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let n = 500;
    for (sql, index) in [
        (member_emails_sql(n), "accounts"),
        (live_for_emails_sql(n), "invitations_one_live_per_address"),
    ] {
        let mut tx = app.services.store.pool().begin().await.unwrap();
        let explain = match db {
            Db::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Db::Postgres => {
                // Tiny tables: forbid what only costs at scale would rule out.
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                format!("EXPLAIN {sql}")
            }
        };
        let mut query = sqlx::query(&explain);
        for i in 0..n {
            query = query.bind(format!("person{i}@example.com"));
        }
        let rows = query.bind(&workspace_id).fetch_all(&mut *tx).await.unwrap();
        let plan: Vec<String> = rows
            .iter()
            .map(|r| match db {
                Db::Sqlite => r.get::<String, _>("detail"),
                Db::Postgres => r.get::<String, _>(0),
            })
            .collect();
        let text = plan.join("\n");
        let walks = plan.iter().any(|line| {
            let line = line.trim_start_matches([' ', '-', '>', '|', '`']);
            match db {
                Db::Sqlite => ["SCAN a", "SCAN m", "SCAN i"]
                    .iter()
                    .any(|scan| line == *scan || line.starts_with(&format!("{scan} "))),
                Db::Postgres => line.contains("Seq Scan"),
            }
        });
        assert!(!walks, "a table walked on {db:?}:\n{sql}\n{text}");
        // PostgreSQL orders the joins by its statistics: on thirty members it rightly
        // starts from them (scripts/bench prints its plans at 100,000).
        if db == Db::Sqlite {
            let by_address = match index {
                "accounts" => "sqlite_autoindex_accounts_2 (email=?)".to_string(),
                index => format!("{index} (workspace_id=? AND email=?)"),
            };
            assert!(text.contains(&by_address), "{by_address}:\n{text}");
        }
    }
}
