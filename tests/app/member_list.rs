//! Search, filters, sort, pagination and CSV on the Members page.

use crate::both_databases;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    search_filters_sort_and_pages_combine,
    htmx_search_answers_with_the_results_only,
    csv_has_exactly_the_filtered_rows_escaped,
    search_matches_any_part_and_follows_renames_and_removals,
    search_finds_everyone_at_an_email_domain,
    rows_keep_the_list_order_and_teams_show_primary_first_then_by_name,
);

fn rows(html: &str) -> usize {
    html.matches("<tr id=\"member-").count()
}

async fn setup(db: Db) -> (TestApp, TestClient, String) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Big").await;
    app.set_seat_count(&slug, 100).await;
    app.add_members(&slug, "Alpha", 55, "member").await;
    app.add_members(&slug, "Beta", 10, "viewer").await;
    (app, owner, slug)
}

async fn search_filters_sort_and_pages_combine(db: Db) {
    let (_app, owner, slug) = setup(db).await;
    let list = |query: &str| format!("/w/{slug}/members?{query}");
    let (_, page1) = owner.page(&list("")).await;
    assert_eq!(rows(&page1), 50, "50 per page");
    assert!(page1.contains("66 members") && page1.contains("Page 1 of 2"));
    let (_, page2) = owner.page(&list("page=2")).await;
    assert_eq!(rows(&page2), 16);

    let (_, beta) = owner.page(&list("q=BETA")).await;
    assert_eq!(rows(&beta), 10, "search ignores case");
    let (_, by_email) = owner.page(&list("q=alpha054%40")).await;
    assert_eq!(rows(&by_email), 1, "search by email");
    let (_, alphas) = owner.page(&list("q=alpha")).await;
    assert_eq!(rows(&alphas), 50);
    assert!(
        alphas.contains("55 members") && alphas.contains("Page 1 of 2"),
        "a search counts all its matches"
    );
    let (_, alphas2) = owner.page(&list("q=alpha&page=2")).await;
    assert_eq!(rows(&alphas2), 5);
    assert!(alphas2.contains("55 members") && alphas2.contains("Page 2 of 2"));
    let (_, beyond) = owner.page(&list("q=alpha&page=3")).await;
    assert!(
        beyond.contains("55 members"),
        "counted even past the last page"
    );
    let (_, literal) = owner.page(&list("q=%25")).await;
    assert_eq!(rows(&literal), 0, "wildcards are literal");

    let (_, with_seat) = owner.page(&list("seat=with")).await;
    assert!(with_seat.contains("56 members"), "55 Alphas and the owner");
    let (_, without) = owner.page(&list("seat=without&q=beta&sort=desc")).await;
    assert_eq!(rows(&without), 10);
    let first = without.find("Beta 009").expect("Beta 009");
    let last = without.find("Beta 000").expect("Beta 000");
    assert!(first < last, "Z→A");
    let (_, suspended) = owner.page(&list("status=suspended")).await;
    assert!(suspended.contains("0 members") && suspended.contains("No members match."));
    let (_, pending) = owner.page(&list("status=pending")).await;
    assert!(pending.contains("No pending invitations."));
    let next = page1
        .find("rel=\"next\"")
        .map(|i| &page1[..i])
        .and_then(|s| s.rfind("href=\""))
        .map(|i| &page1[i + 6..]);
    assert!(
        next.is_some_and(|n| n.starts_with(&format!("/w/{slug}/members?page=2"))),
        "next link keeps the query"
    );
}

async fn htmx_search_answers_with_the_results_only(db: Db) {
    let (_app, owner, slug) = setup(db).await;
    let res = owner
        .get_htmx(&format!("/w/{slug}/members?q=beta"), "member-results")
        .await;
    let html = res.text().await.expect("body");
    assert!(
        !html.contains("<html") && !html.contains("<h1>"),
        "a fragment"
    );
    assert_eq!(rows(&html), 10);
    assert!(
        html.contains("members.csv?q=beta"),
        "the CSV link follows the filters"
    );
}

async fn csv_has_exactly_the_filtered_rows_escaped(db: Db) {
    let (app, owner, slug) = setup(db).await;
    sqlx::query("UPDATE accounts SET first_name = '=HYPERLINK(\"http://x\")', last_name = 'O''Neil, Jr' WHERE email = 'beta000@example.com'")
        .execute(app.services.store.pool())
        .await
        .expect("update");
    let res = owner.get(&format!("/w/{slug}/members.csv?q=beta")).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let body = res.text().await.expect("body");
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,email,firstName,lastName,isAdmin,hasSeat,role,status,joinedAt,joinedVia"
    );
    assert_eq!(lines.len(), 11, "header and the 10 Betas");
    let escaped = lines
        .iter()
        .find(|l| l.contains("beta000@example.com"))
        .expect("beta000");
    assert!(
        escaped.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",\"O'Neil, Jr\",no,no,viewer,active,"),
        "{escaped}"
    );
    let all = owner
        .get(&format!("/w/{slug}/members.csv"))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(
        all.split("\r\n").filter(|l| !l.is_empty()).count(),
        67,
        "every page: 66 members and the header"
    );
    assert!(all.contains(",owner@example.com,Owner,Tester,yes,yes,owner,active,"));
}

/// Renames `client` (first, last and display name) on the Account page.
async fn rename(client: &TestClient, first: &str, last: &str, display: &str) {
    let res = client
        .post_form(
            "/account/profile",
            &[
                ("first_name", first),
                ("last_name", last),
                ("display_name", display),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "profile saved");
}

/// Search finds any part of a name or an email, in any case, wildcards literal; one or
/// two characters find the display names that start with them. The index follows
/// renames, suspensions and removals at once.
async fn search_matches_any_part_and_follows_renames_and_removals(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Big").await;
    app.set_seat_count(&slug, 100).await;
    app.add_members(&slug, "Beta", 3, "member").await;
    let anna = app
        .member_as(&slug, "anna.smith@example.com", "member")
        .await;
    rename(&anna, "Anna", "Smith", "Anna Smith").await;
    let percy = app.member_as(&slug, "ur_sa@example.com", "member").await;
    rename(&percy, "Percy", "Ågren", "Percy 100%").await;
    let list = |q: &str| format!("/w/{slug}/members?q={q}");
    for (q, found) in [
        ("nna", 1),
        ("MITH", 1),
        ("anna%20smi", 1),
        ("smith%40", 1),
        ("a.smith%40example.com", 1),
        // The domain: the Owner, the three Betas, Anna and Percy.
        ("xample.com", 6),
        ("ta%2000", 3),
        ("eta", 3),
        ("%C3%A5gr", 1),
        ("%C3%85GREN", 1),
        // Wildcards are plain characters: "n%a" would find Anna, "a_s" "anna smith".
        ("n%25a", 0),
        ("a_s", 0),
        ("00%25", 1),
        ("r_s", 1),
        // One or two characters: display names that start with them.
        ("an", 1),
        ("B", 3),
        ("nn", 0),
        ("_", 0),
    ] {
        let (_, html) = owner.page(&list(q)).await;
        assert_eq!(rows(&html), found, "q={q}");
    }

    rename(&anna, "Hanna", "Jones", "Aardvark").await;
    let (_, html) = owner.page(&list("anna%20smi")).await;
    assert_eq!(
        rows(&html),
        0,
        "the old name no longer matches (the email still does)"
    );
    let (_, html) = owner.page(&list("ones")).await;
    assert_eq!(rows(&html), 1, "the new name does");
    let (_, html) = owner.page(&list("aa")).await;
    assert_eq!(rows(&html), 1, "and the new display name's start");
    let (_, all) = owner.page(&format!("/w/{slug}/members")).await;
    let first_row = all.find("<tr id=\"member-").expect("a row");
    assert!(
        all[first_row..].find("Aardvark") < all[first_row..].find("Beta 000"),
        "the new display name sorts first"
    );
    assert!(
        all.contains("6 members"),
        "owner, three Betas, Aardvark and Percy"
    );

    let anna_id: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'anna.smith@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .expect("anna");
    owner
        .post_form(&format!("/w/{slug}/members/{anna_id}/suspend"), &[])
        .await;
    let (_, active) = owner.page(&list("ones")).await;
    assert_eq!(rows(&active), 0, "suspended members leave the Active list");
    let (_, suspended) = owner
        .page(&format!("/w/{slug}/members?status=suspended&q=ones"))
        .await;
    assert_eq!(rows(&suspended), 1);
    assert!(suspended.contains("1 member"));
    owner
        .post_form(&format!("/w/{slug}/members/{anna_id}/remove"), &[])
        .await;
    for status in ["active", "suspended"] {
        let (_, html) = owner
            .page(&format!("/w/{slug}/members?status={status}&q=hanna"))
            .await;
        assert_eq!(rows(&html), 0, "the removed member is not found ({status})");
        assert!(html.contains("0 members"), "the count follows the removal");
    }
    if db == Db::Sqlite {
        let indexed = app
            .scalar("SELECT COUNT(*) FROM member_search WHERE member_search MATCH '\"hanna\"'")
            .await;
        assert_eq!(indexed, 0, "the removed member's entry left the index");
    }
}

async fn search_finds_everyone_at_an_email_domain(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Domains").await;
    for email in [
        "ann@acme-corp.example",
        "bo@acme-corp.example",
        "cy@acme.example",
    ] {
        app.member_as(&slug, email, "member").await;
    }
    let (_, corp) = owner.page(&format!("/w/{slug}/members?q=acme-corp")).await;
    assert_eq!(rows(&corp), 2, "both @acme-corp.example");
    assert!(corp.contains("ann@acme-corp.example") && corp.contains("bo@acme-corp.example"));
    assert!(!corp.contains("cy@acme.example"));
    let (_, acme) = owner.page(&format!("/w/{slug}/members?q=ACME")).await;
    assert_eq!(rows(&acme), 3, "a part of each domain, any case");
    let (_, corp) = owner.page(&format!("/w/{slug}/members?q=e-cor")).await;
    assert_eq!(rows(&corp), 2, "any part of it");
}

/// The database returns a page's rows unordered (one per member and team); the store puts
/// them in the list's order, each member's teams together with the primary first and the
/// rest by name whatever its case.
async fn rows_keep_the_list_order_and_teams_show_primary_first_then_by_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Order").await;
    let ids = app.add_members(&slug, "Gamma", 60, "member").await;
    let pool = app.services.store.pool();
    for (team, name) in [("t-beta", "beta"), ("t-alpha", "Alpha"), ("t-zed", "Zed")] {
        sqlx::query(
            "INSERT INTO teams (id, workspace_id, name, created_at) \
             SELECT $1, id, $2, 0 FROM workspaces WHERE slug = $3",
        )
        .bind(team)
        .bind(name)
        .bind(&slug)
        .execute(pool)
        .await
        .expect("team");
    }
    for (member, team, primary) in [
        (&ids[1], "t-beta", 0),
        (&ids[1], "t-zed", 1),
        (&ids[1], "t-alpha", 0),
        (&ids[3], "t-beta", 0),
        (&ids[58], "t-alpha", 1),
        (&ids[58], "t-zed", 0),
    ] {
        sqlx::query(
            "INSERT INTO team_members (team_id, workspace_id, account_id, is_primary, added_at) \
             SELECT $1, workspace_id, account_id, $2, 0 FROM memberships WHERE account_id = $3",
        )
        .bind(team)
        .bind(primary)
        .bind(member)
        .execute(pool)
        .await
        .expect("team member");
    }
    let order = |html: &str| -> Vec<String> {
        html.match_indices("<tr id=\"member-")
            .map(|(at, _)| html[at + 15..at + 51].to_string())
            .collect()
    };
    let teams_of = |html: &str, id: &str| -> Vec<String> {
        let row = &html[html.find(&format!("member-{id}")).expect("row")..];
        let row = &row[..row.find("</tr>").expect("row end")];
        row.split("<span class=\"badge")
            .skip(1)
            .filter_map(|tag| Some(tag.split_once('>')?.1.split('<').next()?.to_string()))
            .collect()
    };
    let page = |query: String| {
        let owner = &owner;
        let slug = &slug;
        async move { owner.page(&format!("/w/{slug}/members?{query}")).await.1 }
    };
    let first = page(String::new()).await;
    let mut full = order(&first);
    full.extend(order(&page("page=2".into()).await));
    assert_eq!(full.len(), 61);
    let gammas: Vec<&String> = full.iter().filter(|id| ids.contains(id)).collect();
    assert_eq!(
        gammas,
        ids.iter().collect::<Vec<_>>(),
        "Gamma 000 … 059 in order"
    );
    assert_eq!(teams_of(&first, &ids[1]), ["Zed", "Alpha", "beta"]);
    assert_eq!(teams_of(&first, &ids[3]), ["beta"]);
    assert!(first.contains("title=\"Primary team\">Zed</span>"));

    let reversed: Vec<String> = full.iter().rev().cloned().collect();
    let descending = page("sort=desc".into()).await;
    assert_eq!(order(&descending), reversed[..50], "Z→A");
    assert_eq!(teams_of(&descending, &ids[58]), ["Alpha", "Zed"]);

    let before = page(format!("before={}", full[55])).await;
    assert_eq!(order(&before), full[5..55], "the 50 before the cursor");
    let before = page(format!("before={}&sort=desc", reversed[55])).await;
    assert_eq!(
        order(&before),
        reversed[5..55],
        "Z→A: the 50 before the cursor"
    );
}
