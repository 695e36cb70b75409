//! The Members list past a thousand members: numbered pages deep in the list (read from
//! the bucket counts), Next and Previous (read from the row they follow), the last page,
//! and searches that stop counting at 1,000 (walking the list) or count exactly (from the
//! substring index). Each page is checked against what OFFSET over the whole ordered
//! list gives.

use crate::both_databases;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    numbered_pages_hold_what_offset_gives_deep_in_the_list,
    next_and_previous_walk_the_whole_list,
    searches_count_to_a_thousand_then_say_more_than,
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

/// A workspace of 1,601 members: the owner and 1,600 in bulk (1,200 active).
async fn setup(db: Db) -> (TestApp, TestClient, String, String) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Deep").await;
    let workspace_id = app.workspace_id(&slug).await;
    app.add_bulk(&workspace_id, "Deep", 1600).await;
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

async fn next_and_previous_walk_the_whole_list(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    for (query, descending) in [("", false), ("sort=desc", true)] {
        let all = expected(&app, &workspace_id, "active", None, descending, None).await;
        let last = all.len().div_ceil(50);
        let mut path = format!("/w/{slug}/members?{query}");
        let mut seen = Vec::new();
        let mut pages = 0;
        let html = loop {
            let (_, html) = owner.page(&path).await;
            pages += 1;
            assert!(
                html.contains(&format!("Page {pages} of {last}")),
                "{query}: page {pages} says its number"
            );
            seen.extend(ids(&html));
            match link(&html, "next") {
                Some(next) => {
                    assert!(next.contains("after="), "Next reads from a row: {next}");
                    assert!(next.contains(&format!("page={}", pages + 1)), "{next}");
                    path = next;
                }
                None => break html,
            }
        };
        assert_eq!(pages, last);
        assert_eq!(
            seen, all,
            "{query}: Next after Next lists everyone once, in order"
        );

        let mut html = html;
        let mut back = vec![ids(&html)];
        while let Some(prev) = link(&html, "prev") {
            (_, html) = owner.page(&prev).await;
            back.push(ids(&html));
        }
        back.reverse();
        assert_eq!(back.len(), last);
        for (i, page) in back.iter().enumerate() {
            assert_eq!(
                page,
                &offset_page(&all, i + 1),
                "{query}: Previous to page {}",
                i + 1
            );
        }
        assert!(html.contains(&format!("Page 1 of {last}")));
    }
}

async fn searches_count_to_a_thousand_then_say_more_than(db: Db) {
    let (app, owner, slug, workspace_id) = setup(db).await;
    // Every bulk member matches "ulk.ex" (1,200 active): counted to 1,000, then walked.
    let broad = expected(&app, &workspace_id, "active", None, false, Some("ulk.ex")).await;
    assert_eq!(broad.len(), 1200);
    let list = |q: &str| format!("/w/{slug}/members?q={q}");
    let (_, html) = owner.page(&list("ULK.EX")).await;
    assert!(html.contains("More than 1,000 members"), "a capped count");
    assert!(html.contains("Page 1 of more than 20"));
    assert_eq!(ids(&html), offset_page(&broad, 1));
    let next = link(&html, "next").expect("Next");
    let (_, html) = owner.page(&next).await;
    assert_eq!(ids(&html), offset_page(&broad, 2));
    assert!(html.contains("Page 2 of more than 20"));
    let (_, html) = owner.page(&format!("{}&page=23", list("ulk.ex"))).await;
    assert_eq!(
        ids(&html),
        offset_page(&broad, 23),
        "a numbered page of a walk"
    );
    let prev = link(&html, "prev").expect("Previous");
    let (_, html) = owner.page(&prev).await;
    assert_eq!(ids(&html), offset_page(&broad, 22));

    // "bo deep 0" matches the Bos 0000–0999 (one in twelve, 84 of them, all active): few,
    // from the substring index, counted exactly.
    let few = expected(
        &app,
        &workspace_id,
        "active",
        None,
        false,
        Some("bo deep 0"),
    )
    .await;
    assert_eq!(few.len(), 84);
    let (_, html) = owner.page(&list("bo%20deep%200")).await;
    assert!(
        html.contains(&format!("{} members", few.len())),
        "an exact count"
    );
    assert_eq!(ids(&html), offset_page(&few, 1));
    let (_, html) = owner.page(&link(&html, "next").expect("Next")).await;
    assert_eq!(ids(&html), offset_page(&few, 2));
    assert!(link(&html, "next").is_none(), "two pages");
    let (_, html) = owner.page(&link(&html, "prev").expect("Previous")).await;
    assert_eq!(ids(&html), offset_page(&few, 1));

    // Suspended members match in the Suspended list only, counted there.
    let suspended = expected(&app, &workspace_id, "suspended", None, false, Some("deep")).await;
    let (_, html) = owner
        .page(&format!("{}&status=suspended", list("deep")))
        .await;
    assert!(html.contains(&format!("{} members", suspended.len())));
    assert_eq!(ids(&html), offset_page(&suspended, 1));
}
