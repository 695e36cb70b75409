//! The Audit log page and its CSV: newest first, each event in words with its IP;
//! filters by action and by person (as actor or as target), combined; keyset pages;
//! the CSV of exactly the filtered events, escaped; and the log stays append-only.

use sqlx::Row;

use crate::both_databases;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    events_show_newest_first_with_who_what_and_where,
    filters_by_action_and_by_person_combine,
    pages_go_forward_and_back_fifty_at_a_time,
    csv_has_exactly_the_filtered_events_escaped,
    the_log_answers_from_indexes,
);

fn rows(html: &str) -> usize {
    html.matches("<tr class=\"audit-event\">").count()
}

/// Each event's sentence as read: tags dropped, entities unescaped.
fn sentences(html: &str) -> Vec<String> {
    html.split("<td class=\"audit-what\">")
        .skip(1)
        .map(|cell| {
            let cell = cell.split("</td>").next().unwrap_or_default();
            let mut text = String::new();
            let mut in_tag = false;
            for c in cell.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.replace("&#39;", "'")
                .replace("&#x27;", "'")
                .replace("&quot;", "\"")
                .replace("&#34;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The `href` of the link marked `rel`, unescaped.
fn link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..at].rfind("<a href=\"")? + "<a href=\"".len();
    let href: String = html[start..].chars().take_while(|c| *c != '"').collect();
    Some(href.replace("&amp;", "&").replace("&#38;", "&"))
}

async fn account_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(app.services.store.pool())
        .await
        .expect("account")
}

async fn set_role(client: &TestClient, slug: &str, id: &str, role: &str) {
    let res = client
        .post_form(&format!("/w/{slug}/members/{id}/role"), &[("role", role)])
        .await;
    assert_eq!(res.status(), 303, "role changed to {role}");
}

async fn new_team(client: &TestClient, slug: &str, name: &str) {
    let res = client
        .post_form(&format!("/w/{slug}/teams"), &[("team_name", name)])
        .await;
    assert_eq!(res.status(), 303, "team {name} created");
}

/// A workspace where the Owner promoted Target 000, the Admin made a team and demoted
/// Target 000 again, and the Owner invited someone without an account.
async fn history(db: Db) -> (TestApp, TestClient, String) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Logged").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let target = app
        .add_members(&slug, "Target", 1, "viewer")
        .await
        .remove(0);
    set_role(&owner, &slug, &target, "member").await;
    new_team(&admin, &slug, "Ops").await;
    set_role(&admin, &slug, &target, "viewer").await;
    let res = crate::support::invites::invite(&owner, &slug, "invitee@example.com", "member").await;
    assert_eq!(res.status(), 303, "invited");
    app.owner_of("outsider@example.com", "Elsewhere").await;
    (app, owner, slug)
}

async fn events_show_newest_first_with_who_what_and_where(db: Db) {
    let (app, owner, slug) = history(db).await;
    let (status, html) = owner.page(&format!("/w/{slug}/audit")).await;
    assert_eq!(status, 200);
    assert!(html.contains(">Audit log</a>"), "in the workspace nav");
    let table = &html[html.find("id=\"audit-events\"").expect("table")..];
    assert_eq!(
        sentences(table),
        [
            "Owner Tester invited invitee@example.com as Member.",
            "Someone Tester changed Target 000's role from Member to Viewer.",
            "Someone Tester created the team Ops.",
            "Owner Tester changed Target 000's role from Viewer to Member.",
            "Owner Tester created the workspace Logged.",
        ],
        "this workspace's events in words, newest first"
    );
    assert!(!html.contains("outsider@example.com"), "no other workspace");
    assert!(!table.contains("member.role_changed"), "no action keys");
    let events: Vec<&str> = table.split("<tr class=\"audit-event\">").skip(1).collect();
    let demotion = events[1];
    let target = account_id(&app, "target000@example.com").await;
    let admin = account_id(&app, "admin@example.com").await;
    for cell in [
        format!("<a href=\"/w/{slug}/members/{admin}\">Someone Tester</a>"),
        format!("<a href=\"/w/{slug}/members/{target}\">Target 000</a>"),
        "127.0.0.1".to_string(),
        " UTC</time>".to_string(),
    ] {
        assert!(demotion.contains(&cell), "{cell} in {demotion}");
    }
    assert!(
        !demotion.contains(&target[..8]) || demotion.contains("/members/"),
        "ids only in links"
    );
    // A former member is named, not linked.
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{target}/remove"),
            &[("revoke_created", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = owner.page(&format!("/w/{slug}/audit")).await;
    assert_eq!(
        sentences(&html)[0],
        "Owner Tester removed Target 000 from the workspace."
    );
    assert!(
        !html.contains(&format!("/members/{target}\"")),
        "not linked once gone"
    );
}

async fn filters_by_action_and_by_person_combine(db: Db) {
    let (_app, owner, slug) = history(db).await;
    let list = |query: &str| format!("/w/{slug}/audit?{query}");
    let (_, by_action) = owner.page(&list("action=member.role_changed")).await;
    assert_eq!(rows(&by_action), 2);
    assert!(!by_action.contains("created the team Ops"));
    for action in ["invitation.created", "member.role_changed", "team.created"] {
        assert!(
            by_action.contains(&format!("<option value=\"{action}\"")),
            "{action} offered"
        );
    }
    assert!(
        by_action.contains("<option value=\"member.role_changed\" selected>Role changed</option>")
    );
    assert!(by_action.contains("<option value=\"team.created\">Team created</option>"));

    let (_, as_actor) = owner.page(&list("person=ADMIN%40")).await;
    assert_eq!(rows(&as_actor), 2, "the Admin's team and demotion");
    let (_, as_target) = owner.page(&list("person=target")).await;
    assert_eq!(rows(&as_target), 2, "both role changes, by name");
    let (_, owner_events) = owner.page(&list("person=owner%40example.com")).await;
    assert_eq!(rows(&owner_events), 3, "created, promoted, invited");
    let (_, invitee) = owner.page(&list("person=invitee")).await;
    assert_eq!(rows(&invitee), 1, "a target stored as text");
    let (_, both) = owner
        .page(&list("action=member.role_changed&person=admin"))
        .await;
    assert_eq!(rows(&both), 1, "filters combine");
    assert!(both.contains("role from Member to Viewer."));
    let (_, none) = owner.page(&list("person=%25")).await;
    assert_eq!(rows(&none), 0, "wildcards are literal");
    assert!(none.contains("No events match."));

    let htmx = owner
        .http
        .get(owner.url(&list("action=team.created")))
        .header("HX-Request", "true")
        .header("HX-Target", "audit-results")
        .send()
        .await
        .expect("htmx");
    let fragment = htmx.text().await.expect("body");
    assert_eq!(rows(&fragment), 1);
    assert!(!fragment.contains("<html"), "just the results");
}

/// Records `n` events straight in the store, numbered in `details`.
async fn many_events(app: &TestApp, slug: &str, n: usize) {
    let workspace_id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    for i in 0..n {
        let event = gatehouse::store::audit::NewEvent {
            workspace_id: Some(&workspace_id),
            action: "test.event",
            details: Some(format!("{{\"n\":{i}}}")),
            now: app.clock().now(),
            ..Default::default()
        };
        gatehouse::store::audit::record(app.services.store.pool(), event)
            .await
            .expect("event");
    }
}

async fn pages_go_forward_and_back_fifty_at_a_time(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Busy").await;
    many_events(&app, &slug, 120).await;
    let (_, page1) = owner.page(&format!("/w/{slug}/audit")).await;
    assert_eq!(rows(&page1), 50, "50 per page");
    assert!(page1.contains("n: 119") && page1.contains("n: 70") && !page1.contains("n: 69"));
    assert!(
        page1.contains("The system: test event (n: 119)."),
        "no actor, an action without words of its own: the system, the key in words"
    );
    assert_eq!(link(&page1, "prev"), None, "the first page");
    let next = link(&page1, "next").expect("a next page");
    let (_, page2) = owner.page(&next).await;
    assert_eq!(rows(&page2), 50);
    assert!(page2.contains("n: 69") && page2.contains("n: 20"));
    let (_, page3) = owner.page(&link(&page2, "next").expect("third")).await;
    assert_eq!(rows(&page3), 21, "20 events and the workspace's creation");
    assert_eq!(link(&page3, "next"), None, "the last page");
    let (_, back) = owner.page(&link(&page3, "prev").expect("back")).await;
    assert!(back.contains("n: 69") && back.contains("n: 20") && rows(&back) == 50);
    let (_, first) = owner.page(&link(&back, "prev").expect("back again")).await;
    assert!(first.contains("n: 119") && rows(&first) == 50);
    assert_eq!(link(&first, "prev"), None, "back on the first page");

    let filtered = format!("/w/{slug}/audit?action=test.event");
    let (_, f1) = owner.page(&filtered).await;
    let f2_link = link(&f1, "next").expect("filtered next");
    assert!(
        f2_link.contains("action=test.event"),
        "pages keep the filter"
    );
    let (_, f2) = owner.page(&f2_link).await;
    let (_, f3) = owner
        .page(&link(&f2, "next").expect("filtered third"))
        .await;
    assert_eq!(rows(&f3), 20, "only the filtered events");

    let csv = owner.get(&format!("/w/{slug}/audit.csv")).await;
    let body = csv.text().await.expect("csv");
    assert_eq!(body.lines().count(), 1 + 121, "every page in the CSV");
}

async fn csv_has_exactly_the_filtered_events_escaped(db: Db) {
    let (app, owner, slug) = history(db).await;
    let target = account_id(&app, "target000@example.com").await;
    sqlx::query("UPDATE accounts SET display_name = '=HYPERLINK(\"x\")' WHERE id = $1")
        .bind(&target)
        .execute(app.services.store.pool())
        .await
        .expect("rename");
    let res = owner
        .get(&format!("/w/{slug}/audit.csv?action=member.role_changed"))
        .await;
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().expect("type");
    assert!(kind.starts_with("text/csv"));
    let body = res.text().await.expect("csv");
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "time,actor,actorEmail,action,target,targetEmail,details,ip,summary,apiToken"
    );
    assert_eq!(lines.len(), 3, "the two role changes only");
    let demotion = lines[1];
    assert!(demotion.contains(",Someone Tester,admin@example.com,member.role_changed,"));
    assert!(
        demotion.contains(",\"'=HYPERLINK(\"\"x\"\")\",target000@example.com,"),
        "formula defused: {demotion}"
    );
    assert!(
        demotion.contains(r#""{""from"":""member"","#),
        "details quoted: {demotion}"
    );
    assert!(demotion.contains(",127.0.0.1,"), "{demotion}");
    assert!(
        demotion.ends_with("'s role from Member to Viewer.\","),
        "the event in words, then no API token: {demotion}"
    );
    assert!(demotion.starts_with("20") && demotion[..20].ends_with('Z'));
    assert!(lines[2].contains(",Owner Tester,owner@example.com,"));

    let by_person = owner
        .get(&format!("/w/{slug}/audit.csv?person=invitee"))
        .await
        .text()
        .await
        .expect("csv");
    assert_eq!(by_person.lines().count(), 2, "header and the invitation");
    assert!(by_person.contains(",invitation.created,invitee@example.com,,"));
}

/// The query plan of `sql` with its parameters bound (PostgreSQL forbidden to scan or sort
/// where an index would serve, as costs at scale would; see query_plans.rs).
async fn plan(app: &TestApp, db: Db, sql: &str, params: &[Param<'_>]) -> String {
    let mut tx = app.services.store.pool().begin().await.expect("begin");
    let explain = match db {
        Db::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Db::Postgres => {
            for set in [
                "SET LOCAL enable_seqscan = off",
                "SET LOCAL enable_sort = off",
            ] {
                sqlx::query(set).execute(&mut *tx).await.expect(set);
            }
            format!("EXPLAIN {sql}")
        }
    };
    let mut query = sqlx::query(&explain);
    for p in params {
        query = match p {
            Param::Text(t) => query.bind(*t),
            Param::Int(i) => query.bind(*i),
        };
    }
    let rows = query.fetch_all(&mut *tx).await.expect(sql);
    tx.rollback().await.expect("rollback");
    rows.iter()
        .map(|r| match db {
            Db::Sqlite => r.get::<String, _>("detail"),
            Db::Postgres => r.get::<String, _>(0),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

enum Param<'a> {
    Text(&'a str),
    Int(i64),
}

async fn the_log_answers_from_indexes(db: Db) {
    use Param::{Int, Text};
    use gatehouse::store::audit_log::{ACTIONS_SQL, AuditQuery, Cursor};
    let app = TestApp::spawn(db).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Indexed").await;
    many_events(&app, &slug, 30).await;
    let ws: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.services.store.pool())
        .await
        .expect("workspace");
    let all = AuditQuery::default();
    let action = AuditQuery {
        action: Some("test.event".into()),
        ..AuditQuery::default()
    };
    let person = AuditQuery {
        person: "owner".into(),
        ..AuditQuery::default()
    };
    let member = AuditQuery {
        member: Some("someone".into()),
        ..AuditQuery::default()
    };
    let statements = [
        (
            "page",
            all.page_sql(Cursor::Newest),
            vec![Text(&ws), Int(51)],
        ),
        (
            "next page",
            all.page_sql(Cursor::Before(9)),
            vec![Text(&ws), Int(9), Int(51)],
        ),
        (
            "previous page",
            all.page_sql(Cursor::After(9)),
            vec![Text(&ws), Int(9), Int(51)],
        ),
        (
            "by action",
            action.page_sql(Cursor::Before(9)),
            vec![Text(&ws), Text("test.event"), Int(9), Int(51)],
        ),
        (
            "by person",
            person.page_sql(Cursor::Newest),
            vec![Text(&ws), Text("owner"), Int(51)],
        ),
        (
            "one member's trail",
            member.page_sql(Cursor::Newest),
            vec![Text(&ws), Text("someone"), Int(21)],
        ),
        ("CSV", all.all_sql(), vec![Text(&ws)]),
        (
            "CSV by action",
            action.all_sql(),
            vec![Text(&ws), Text("test.event")],
        ),
        ("actions", ACTIONS_SQL.to_string(), vec![Text(&ws)]),
    ];
    for (name, sql, params) in statements {
        let plan = plan(&app, db, &sql, &params).await;
        // A member's trail is found by index and then put in order: the sort is of that
        // member's events only, never of the log.
        let trail = name == "one member's trail";
        let scans = match db {
            Db::Sqlite => plan.lines().any(|l| {
                let l = l.trim();
                l.starts_with("SCAN e")
                    || l.starts_with("SCAN audit_events")
                    || (l.contains("TEMP B-TREE") && !trail)
            }),
            Db::Postgres => plan.contains("Seq Scan") || (plan.contains("Sort") && !trail),
        };
        assert!(!scans, "{name} scans or sorts on {db:?}:\n{sql}\n{plan}");
        let index = if trail {
            "audit_events_by_target"
        } else {
            "audit_events_by_workspace"
        };
        assert!(plan.contains(index), "{name} on {db:?}:\n{plan}");
    }
}

/// Nothing in the application changes or removes an audit event.
#[test]
fn no_code_updates_or_deletes_audit_events() {
    fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let upper = flat.to_uppercase();
                for bad in ["UPDATE AUDIT_EVENTS", "DELETE FROM AUDIT_EVENTS"] {
                    if upper.contains(bad) {
                        found.push(format!("{}: {bad}", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.is_empty(), "audit events are append-only: {found:?}");
}
