//! The Members list past a thousand members: numbered pages deep in the list (read from
//! the bucket counts), Next and Previous (read from the row they follow), the last page,
//! and searches that stop counting at 1,000 (walking the list) or count exactly (from the
//! substring index). Each page is checked against what OFFSET over the whole ordered
//! list gives.

use gatehouse::store::member_fts;
use gatehouse::store::member_list::{self, MemberQuery};
use gatehouse::store::member_pages::{self, EdgeRow};

use crate::both_databases;
use crate::support::bulk::NAMES;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    numbered_pages_hold_what_offset_gives_deep_in_the_list,
    next_and_previous_walk_the_whole_list,
    searches_count_to_a_thousand_then_say_more_than,
    a_search_most_of_a_late_bucket_matches_is_walked_from_there,
);

/// The member ids a page lists, in order.
fn ids(html: &str) -> Vec<String> {
    html.split("<tr id=\"member-")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The href of the page's link `rel` ("next" or "prev"), unescaped.
fn link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + 6;
    let href = html[start..].split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

/// A workspace of 1,601 members: the owner and 1,600 in bulk (1,200 active), their names
/// starting in 48 ways.
async fn setup(db: Db) -> (TestApp, TestClient, String, String) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Deep").await;
    let workspace_id = app.workspace_id(&slug).await;
    app.add_bulk(&workspace_id, "Deep", 1600, &NAMES).await;
    (app, owner, slug, workspace_id)
}

/// Every member id the list holds for these filters, in its order (by OFFSET's lights:
/// the whole list, sorted), optionally only those whose search text contains `part`.
async fn expected(
    app: &TestApp,
    workspace_id: &str,
    status: &str,
    seat: Option<i64>,
    descending: bool,
    part: Option<&str>,
) -> Vec<String> {
    let sql = format!(
        "SELECT m.account_id FROM memberships m WHERE m.workspace_id = $1 AND m.status = $2 \
         AND ($3 < 0 OR m.has_seat = $3) AND ($4 = '' OR m.search_text LIKE '%' || $4 || '%') \
         ORDER BY m.sort_name{}",
        if descending { " DESC" } else { "" }
    );
    sqlx::query_scalar(&sql)
        .bind(workspace_id)
        .bind(status)
        .bind(seat.unwrap_or(-1))
        .bind(part.unwrap_or(""))
        .fetch_all(app.services.store.pool())
        .await
        .expect("ordered ids")
}

/// Page `n` (from 1) of `all`, as OFFSET would cut it.
fn offset_page(all: &[String], n: usize) -> Vec<String> {
    all.iter().skip((n - 1) * 50).take(50).cloned().collect()
}

async fn numbered_pages_hold_what_offset_gives_deep_in_the_list(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    for (query, status, seat, descending) in [
        ("", "active", None, false),
        ("sort=desc", "active", None, true),
        ("seat=without", "active", Some(0), false),
        ("seat=with&sort=desc", "active", Some(1), true),
        ("status=suspended", "suspended", None, false),
    ] {
        let all = expected(&app, &workspace_id, status, seat, descending, None).await;
        let last = all.len().div_ceil(50);
        let (_, first) = owner.page(&format!("/w/{slug}/members?{query}")).await;
        assert!(
            first.contains(&format!("{} members", all.len())),
            "{query}: the count"
        );
        assert!(first.contains(&format!("Page 1 of {last}")), "{query}");
        for n in [1, 2, 20, 21, 22, last - 1, last, last + 1] {
            let (_, html) = owner
                .page(&format!("/w/{slug}/members?{query}&page={n}"))
                .await;
            assert_eq!(
                ids(&html),
                offset_page(&all, n),
                "{query}, page {n} of {last}"
            );
            assert_eq!(
                link(&html, "next").is_some(),
                n < last,
                "{query}, page {n} of {last}: Next"
            );
        }
    }
}

/// Follows Next from the first page (`path`) to the last, then Previous back to the
/// first, checking every page against `all` cut by OFFSET, and that each page says its
/// number (of `pages`, when the count is exact).
async fn next_then_previous(owner: &TestClient, path: &str, all: &[String], pages: Option<usize>) {
    let last = all.len().div_ceil(50).max(1);
    let mut path = path.to_string();
    let mut html;
    let mut n = 1;
    loop {
        (_, html) = owner.page(&path).await;
        assert_eq!(
            ids(&html),
            offset_page(all, n),
            "{path}: page {n} of {last}"
        );
        if let Some(pages) = pages {
            assert!(
                html.contains(&format!("Page {n} of {pages}")),
                "{path}: page {n}"
            );
        }
        let Some(next) = link(&html, "next") else {
            break;
        };
        assert!(next.contains("after="), "Next reads from a row: {next}");
        assert!(next.contains(&format!("page={}", n + 1)), "{next}");
        path = next;
        n += 1;
    }
    assert_eq!(n, last, "{path}: Next after Next reaches the last page");
    while let Some(prev) = link(&html, "prev") {
        n -= 1;
        (_, html) = owner.page(&prev).await;
        assert_eq!(ids(&html), offset_page(all, n), "{prev}: back to page {n}");
    }
    assert_eq!(n, 1, "Previous after Previous reaches the first page");
}

async fn next_and_previous_walk_the_whole_list(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    for (query, descending) in [("", false), ("sort=desc", true), ("seat=with", false)] {
        let seat = query.contains("seat=with").then_some(1);
        let all = expected(&app, &workspace_id, "active", seat, descending, None).await;
        let path = format!("/w/{slug}/members?{query}");
        next_then_previous(&owner, &path, &all, Some(all.len().div_ceil(50))).await;
    }
}

async fn searches_count_to_a_thousand_then_say_more_than(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    // 1,400 more, all named Zed: 1,050 active, crowded in one sort-key bucket; and 1,400
    // named as the others, each after a Deep of the same name: spread thin.
    app.add_bulk(&workspace_id, "Wide", 1400, &["Zed"]).await;
    app.add_bulk(&workspace_id, "Spread", 1400, &NAMES).await;
    if db == Db::Sqlite {
        let crowded = |search: &str| {
            let q = MemberQuery {
                search: search.into(),
                ..MemberQuery::default()
            };
            let st = member_pages::edge(&workspace_id, &q);
            let pool = app.services.store.pool();
            async move {
                let row: EdgeRow = st
                    .bind(sqlx::query_as(&st.sql))
                    .fetch_one(pool)
                    .await
                    .expect(&st.sql);
                row.is_crowded()
            }
        };
        assert!(crowded("wide").await, "Zed Wide after Zed Wide");
        assert!(!crowded("spread").await, "Abe Deep before Abe Spread");
    }
    let list = |q: &str, more: &str| format!("/w/{slug}/members?q={q}{more}");
    for (q, part, why) in [
        ("WIDE", "wide", "1,050 crowded matches: the list walked"),
        (
            "SPREAD",
            "spread",
            "1,050 matches spread thin: paged from the substring index",
        ),
        (
            "ulk.ex",
            "ulk.ex",
            "3,300 matches, most of the list: counted and paged by walking it",
        ),
    ] {
        for (sort, descending) in [("", false), ("&sort=desc", true)] {
            let all = expected(&app, &workspace_id, "active", None, descending, Some(part)).await;
            assert!(all.len() > 1000, "{why}");
            let (_, html) = owner.page(&list(q, sort)).await;
            assert!(
                html.contains("More than 1,000 members"),
                "{why}: a capped count"
            );
            assert!(html.contains("Page 1 of more than 20"), "{why}");
            let (_, html) = owner.page(&list(q, &format!("{sort}&page=21"))).await;
            assert_eq!(ids(&html), offset_page(&all, 21), "{why}: a numbered page");
            assert!(html.contains("Page 21 of more than 20"), "{why}");
            next_then_previous(&owner, &list(q, sort), &all, None).await;
        }
    }

    // "deep 1" matches Deep 1000–1599 (600, 450 active): few, from the substring index,
    // counted exactly.
    for (sort, descending) in [("", false), ("&sort=desc", true)] {
        let few = expected(
            &app,
            &workspace_id,
            "active",
            None,
            descending,
            Some("deep 1"),
        )
        .await;
        assert_eq!(few.len(), 450);
        let (_, html) = owner.page(&list("deep%201", sort)).await;
        assert!(html.contains("450 members"), "an exact count");
        next_then_previous(&owner, &list("deep%201", sort), &few, Some(9)).await;
        let (_, html) = owner
            .page(&list("deep%201", &format!("{sort}&page=7")))
            .await;
        assert_eq!(ids(&html), offset_page(&few, 7));
    }

    // Suspended members match in the Suspended list only, counted there; a seat filter
    // counts only its own.
    let suspended = expected(&app, &workspace_id, "suspended", None, false, Some("deep")).await;
    let (_, html) = owner.page(&list("deep", "&status=suspended")).await;
    assert!(html.contains(&format!("{} members", suspended.len())));
    assert_eq!(ids(&html), offset_page(&suspended, 1));
    let seated = expected(
        &app,
        &workspace_id,
        "active",
        Some(1),
        false,
        Some("deep 1"),
    )
    .await;
    let (_, html) = owner.page(&list("deep%201", "&seat=with")).await;
    assert!(html.contains(&format!("{} members", seated.len())));
    next_then_previous(&owner, &list("deep%201", "&seat=with"), &seated, None).await;
}

/// A statement made by `make` from the workspace and a search.
type Looking = fn(&str, &MemberQuery, i64) -> member_pages::Statement;

/// What a first look at a long search (`make`: `member_pages::top_walked` or
/// `edge_and_walked`) finds for `search` (SQLite only).
async fn look(
    app: &TestApp,
    workspace_id: &str,
    make: Looking,
    search: &str,
    descending: bool,
) -> EdgeRow {
    let q = MemberQuery {
        search: search.into(),
        descending,
        ..MemberQuery::default()
    };
    let st = make(workspace_id, &q, member_list::COUNT_CAP);
    st.bind(sqlx::query_as(&st.sql))
        .fetch_one(app.services.store.pool())
        .await
        .expect(&st.sql)
}

/// 1,050 active members whose names start with a character past 'z' (Ωmar) and 1,050
/// whose second character is (Aωa), after the 1,200 others: each search is counted and
/// paged by walking the list from the first match's bucket (such characters bound it
/// loosely), A→Z and Z→A, and every page is what OFFSET gives.
async fn a_search_most_of_a_late_bucket_matches_is_walked_from_there(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    app.add_bulk(&workspace_id, "Omega", 1400, &["Ωmar"]).await;
    app.add_bulk(&workspace_id, "Alpha", 1400, &["Aωa"]).await;
    if db == Db::Sqlite {
        let edge_and_walked: Looking = member_pages::edge_and_walked;
        let dense = look(&app, &workspace_id, edge_and_walked, "omega", false).await;
        assert!(
            dense.edge.is_some() && dense.walked > Some(1000),
            "{dense:?}"
        );
        let dense = look(&app, &workspace_id, edge_and_walked, "alpha", true).await;
        assert!(dense.walked > Some(1000), "Z→A: {dense:?}");
        let sparse = look(&app, &workspace_id, edge_and_walked, "deep 1", false).await;
        assert!(
            sparse.edge.is_some() && sparse.walked.is_none(),
            "{sparse:?}"
        );
        let none = look(&app, &workspace_id, edge_and_walked, "nobody", false).await;
        assert!(none.edge.is_none() && none.walked.is_none(), "{none:?}");
        // Everyone's domain crowds the top of the list; Ωmar Omega only its end (Z→A).
        let top_walked: Looking = member_pages::top_walked;
        for (search, descending, crowded) in [
            ("bulk.example", false, true),
            ("ωmar.omega", true, true),
            ("ωmar.omega", false, false),
        ] {
            let top = look(&app, &workspace_id, top_walked, search, descending).await;
            assert_eq!(top.is_crowded(), crowded, "{search} (Z→A: {descending})");
            assert_eq!(top.walked > Some(1000), crowded, "{search}: {top:?}");
        }
    }
    // Short searches are counted first; long ones look at the top of the list, then for
    // their first match.
    for q in [
        "omega",
        "alpha",
        "aωa",
        "ωmar",
        "ωmar.omega",
        "aωa.alpha",
        "bulk.example",
    ] {
        for (sort, descending) in [("", false), ("&sort=desc", true)] {
            let all = expected(&app, &workspace_id, "active", None, descending, Some(q)).await;
            assert!(all.len() > 1000, "{q}: {}", all.len());
            let path = format!("/w/{slug}/members?q={}{sort}", percent_encoded(q));
            let (_, html) = owner.page(&path).await;
            let count = html
                .split("id=\"member-count\">")
                .nth(1)
                .and_then(|s| s.split('<').next());
            assert_eq!(count, Some("More than 1,000 members"), "{q}{sort}");
            assert_eq!(ids(&html), offset_page(&all, 1), "{q}{sort}: page 1");
            let (_, html) = owner.page(&format!("{path}&page=21")).await;
            assert_eq!(ids(&html), offset_page(&all, 21), "{q}{sort}: page 21");
            next_then_previous(&owner, &path, &all, None).await;
        }
    }
}

/// `q` percent-encoded for a query string.
fn percent_encoded(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Names whose first three characters try each class of the substring index's sort-key
/// buckets (migrations/sqlite/0022): letters, characters below 'a' and above 'z', keys
/// that end (or reach a space) before three.
const BUCKET_EDGES: [&str; 24] = [
    "A", "A b", "A.a", "Ab", "Ab.c", "An", "Ann", "Anna", "Andrea", "Anñ", "Añe", "Aωa", "Äsa",
    "Ωmar", "Z", "Zo", "Zoë", "Zz", "9lives", "_x", "{x", "~y", "Émile", "Ḿa",
];

/// On SQLite, the substring index's buckets never go against the list's order, and the
/// bound a walk starts from, for any member's bucket, lets through every member whose
/// bucket is at or after it (before it, Z→A), while it still skips the entries of
/// earlier buckets ("andrea" is not walked for a search that first matches in "ann").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_buckets_follow_the_list_order_and_bound_each_walk() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Edges").await;
    let workspace_id = app.workspace_id(&slug).await;
    app.add_bulk(&workspace_id, "Edge", BUCKET_EDGES.len() * 2, &BUCKET_EDGES)
        .await;
    let pool = app.services.store.pool();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT sort_name, id FROM member_search_rows WHERE workspace_id = $1 ORDER BY sort_name",
    )
    .bind(&workspace_id)
    .fetch_all(pool)
    .await
    .expect("index rows");
    assert_eq!(rows.len(), BUCKET_EDGES.len() * 2 + 1);
    let bucket = |id: i64| (id >> 25) & 0xffff;
    for pair in rows.windows(2) {
        assert!(
            bucket(pair[0].1) <= bucket(pair[1].1),
            "{:?} sorts before {:?} but its bucket after",
            pair[0].0,
            pair[1].0
        );
    }
    for (edge_name, edge) in &rows {
        for descending in [false, true] {
            let sql = format!(
                "SELECT p.sort_name FROM memberships p WHERE p.workspace_id = $1{}",
                member_fts::walk_bound("$2", descending)
            );
            let walked: Vec<String> = sqlx::query_scalar(&sql)
                .bind(&workspace_id)
                .bind(edge)
                .fetch_all(pool)
                .await
                .expect(&sql);
            for (name, id) in &rows {
                let due = if descending {
                    bucket(*id) <= bucket(*edge)
                } else {
                    bucket(*id) >= bucket(*edge)
                };
                assert!(
                    !due || walked.contains(name),
                    "from {edge_name:?} (Z→A: {descending}), {name:?} is skipped"
                );
            }
        }
    }
    let ann = rows
        .iter()
        .find(|(name, _)| name.starts_with("ann edge"))
        .expect("Ann");
    let sql = format!(
        "SELECT COUNT(*) FROM memberships p WHERE p.workspace_id = $1 \
         AND p.sort_name LIKE 'andrea%'{}",
        member_fts::walk_bound("$2", false)
    );
    let andreas: i64 = sqlx::query_scalar(&sql)
        .bind(&workspace_id)
        .bind(ann.1)
        .fetch_one(pool)
        .await
        .expect(&sql);
    assert_eq!(andreas, 0, "a walk from Ann's bucket starts after Andrea");
}
