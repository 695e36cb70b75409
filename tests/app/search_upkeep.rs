//! The substring index of the Members list stays in one segment on SQLite: changes made
//! one transaction at a time split it (every search then looks each trigram up in every
//! piece), and the store merges it back, a slice at a time, by itself at start and on
//! demand, with searches answering the same before and after. On PostgreSQL there is
//! nothing to merge.

use std::time::Duration;

use gatehouse::store::search_upkeep::{self, Tidying};

use crate::both_databases;
use crate::support::{Db, TestApp, eventually};

both_databases!(
    changes_split_the_search_index_and_tidying_merges_it,
    a_server_merges_the_search_index_when_it_starts,
    writes_leave_merging_to_the_tidying,
);

/// A workspace of 40 members, each renamed in a transaction of its own afterwards.
async fn workspace_renamed_one_at_a_time(app: &TestApp) -> String {
    let (_owner, slug) = app.owner_of("owner@example.com", "Tidy").await;
    let workspace_id = app.workspace_id(&slug).await;
    app.add_members(&slug, "Alpha", 40, "viewer").await;
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT account_id FROM memberships WHERE workspace_id = $1 AND role = 'viewer' ORDER BY account_id",
    )
    .bind(&workspace_id)
    .fetch_all(app.services.store.pool())
    .await
    .expect("members");
    for (i, id) in members.iter().enumerate() {
        sqlx::query(
            "UPDATE memberships SET search_text = search_text || $1 \
             WHERE workspace_id = $2 AND account_id = $3",
        )
        .bind(format!(" renamed{i:02}"))
        .bind(&workspace_id)
        .bind(id)
        .execute(app.services.store.pool())
        .await
        .expect("rename");
    }
    workspace_id
}

/// How many members a search for `q` lists on the Members page.
async fn listed(app: &TestApp, workspace_id: &str, q: &str) -> usize {
    let query = gatehouse::store::member_list::MemberQuery {
        search: q.into(),
        ..Default::default()
    };
    let page = gatehouse::store::member_list::page(
        &app.services.store,
        workspace_id,
        &query,
        0,
        &Default::default(),
        50,
    )
    .await
    .expect("page");
    page.rows.len()
}

async fn changes_split_the_search_index_and_tidying_merges_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let workspace_id = workspace_renamed_one_at_a_time(&app).await;
    let store = &app.services.store;
    let before = (
        listed(&app, &workspace_id, "renamed").await,
        listed(&app, &workspace_id, "renamed0").await,
        listed(&app, &workspace_id, "med07").await,
    );
    assert_eq!(before, (40, 10, 1), "searches before merging");
    let split = search_upkeep::segments(store).await.expect("segments");
    let few_enough = Tidying {
        most_segments: 1000,
        max_slices: 5,
        pause: Duration::ZERO,
    };
    let spared = search_upkeep::tidy(store, few_enough).await.expect("tidy");
    let one_slice = Tidying {
        max_slices: 1,
        ..Tidying::ALL_AT_ONCE
    };
    let sliced = search_upkeep::tidy(store, one_slice).await.expect("tidy");
    let tidied = search_upkeep::tidy(store, Tidying::ALL_AT_ONCE)
        .await
        .expect("tidy");
    let after = search_upkeep::segments(store).await.expect("segments");
    match db {
        Db::Sqlite => {
            assert!(split.is_some_and(|n| n > 1), "split: {split:?}");
            assert_eq!(spared, Some(0), "no more segments than allowed: left alone");
            assert_eq!(sliced, Some(1), "one slice at most");
            assert!(tidied.is_some(), "slices: {tidied:?}");
            assert_eq!(after, Some(1));
            let again = search_upkeep::tidy(store, Tidying::ALL_AT_ONCE)
                .await
                .expect("tidy");
            assert_eq!(again, Some(0), "nothing left to merge");
        }
        Db::Postgres => assert_eq!((split, spared, tidied, after), (None, None, None, None)),
    }
    let after = (
        listed(&app, &workspace_id, "renamed").await,
        listed(&app, &workspace_id, "renamed0").await,
        listed(&app, &workspace_id, "med07").await,
    );
    assert_eq!(after, before, "the same searches after merging");
}

async fn a_server_merges_the_search_index_when_it_starts(db: Db) {
    let app = TestApp::spawn(db).await;
    workspace_renamed_one_at_a_time(&app).await;
    let store = &app.services.store;
    if db == Db::Postgres {
        assert_eq!(
            search_upkeep::segments(store).await.expect("segments"),
            None
        );
        return;
    }
    assert!(search_upkeep::segments(store).await.expect("segments") > Some(1));
    let mail = crate::support::MailServer::reserve();
    let _second = app.spawn_beside(&mail, |_| {}).await;
    eventually(
        "the second instance merges the index when it starts",
        || async { search_upkeep::segments(store).await.expect("segments") == Some(1) },
    )
    .await;
}

/// FTS5's own merging inside writes is off (migrations/sqlite/0021): with it on, a write
/// went on with the tidying's merge in progress and could rewrite the whole index.
async fn writes_leave_merging_to_the_tidying(db: Db) {
    let app = TestApp::spawn(db).await;
    if db == Db::Postgres {
        let segments = search_upkeep::segments(&app.services.store).await;
        assert_eq!(segments.expect("segments"), None, "nothing to merge");
        return;
    }
    let automerge: i64 =
        sqlx::query_scalar("SELECT v FROM member_search_config WHERE k = 'automerge'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("automerge setting");
    assert_eq!(automerge, 0);
}
