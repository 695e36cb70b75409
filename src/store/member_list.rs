//! The Members page's query: search, seat and status filters, sort and pagination, and
//! the same selection streamed for the CSV export. Each page reads one index in order and
//! stops after the page, however large the list (the SQL is in `member_pages`):
//!
//! - no search: the list's index; a numbered page deep in it starts from its bucket
//!   (`member_list_buckets`), Next and Previous from the row they follow (keyset);
//! - a search of one or two characters: the range of display names starting with it;
//! - a search of three or more: first how many match, counted from the substring index
//!   no further than `COUNT_CAP`. Up to that many, the matches come from that index and
//!   are sorted, and their count is exact. Beyond it the count shows as "more than
//!   1,000", and the page still comes from that index while the matches are spread thin
//!   over the list; when they crowd (most of the entries from the first match's sort-key
//!   bucket match, so a page of them is near) the list's index is walked in order, each
//!   entry tested. On SQLite a walk starts at that bucket, the first match found from the
//!   substring index, not at the top of the list (PostgreSQL walks from the top whenever
//!   more than 1,000 match). A long search is first counted from the top when most of
//!   the list's first entries match it (an email domain); otherwise it looks for that match
//!   first, in one statement that also counts by walking when most entries from there
//!   match (a thousand entries tested cost less than a thousand matches of a long search
//!   in the index); a short one is counted first (`SHORT_SEARCH`). On SQLite that count
//!   reads the first matches' rowids, and a numbered page among them is read by rowid
//!   (`Position::Among`) instead of from the substring index again.

use std::cmp::Ordering;
use std::collections::HashMap;

use sqlx::{Any, Executor, FromRow, Row};
use tokio::sync::mpsc;

use super::fast_reads::{self, FromFastRow};
use super::listing::{Columns, Listing, WriteRow, write_rows};
use super::member_fts;
use super::member_pages::{self, CountRow, EdgeRow, IdRow, Position, Source, Statement};
use super::member_search::{self, Kind};
use super::teams::TeamTagRow;
use super::{Store, StoreResult};
use crate::config::Backend;

/// Matches counted before a search says "more than" instead.
pub const COUNT_CAP: i64 = 1000;

/// Searches of this many characters or fewer are counted from the substring index first
/// (each match costs a check of a few trigrams there, so a thousand count quickly), and
/// their first match is looked up only when a walk needs it (most match too few). Longer
/// ones look first for a crowd of matches from their first one (`edge_and_walked`): an
/// email domain's fifteen trigrams make a thousand matches costly to count in the index.
const SHORT_SEARCH: usize = 6;

/// From this offset on, a numbered page starts from its bucket rather than skipping.
const DEEP_OFFSET: i64 = 1000;

/// Which seat-holders to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeatFilter {
    #[default]
    All,
    With,
    Without,
}

/// Which statuses to show (Pending lists invitations, which live elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    Active,
    Suspended,
}

/// A members query, already validated.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    /// The search, normalized (`member_search::normalize`).
    pub search: String,
    pub seat: SeatFilter,
    pub status: StatusFilter,
    pub descending: bool,
}

impl MemberQuery {
    pub(super) fn status_str(&self) -> &'static str {
        match self.status {
            StatusFilter::Active => "active",
            StatusFilter::Suspended => "suspended",
        }
    }

    /// The seat filter on `alias` (memberships, member_counts or member_list_buckets).
    pub(super) fn seat_sql(&self, alias: &str) -> String {
        match self.seat {
            SeatFilter::All => String::new(),
            SeatFilter::With => format!(" AND {alias}.has_seat = 1"),
            SeatFilter::Without => format!(" AND {alias}.has_seat = 0"),
        }
    }
}

/// One member as listed and exported.
#[derive(Debug, Clone, FromRow)]
pub struct ListedMember {
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub role: String,
    pub has_seat: i64,
    pub status: String,
    pub joined_at: i64,
    pub joined_via: String,
}

/// The listed columns, from memberships `m` joined to accounts `a`.
pub(super) const COLUMNS: &str = "a.id AS account_id, a.email, a.first_name, a.last_name, a.display_name, m.role, \
                       m.has_seat, m.status, m.joined_at, m.joined_via";

/// How many members match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(i64),
    /// More than this many (not counted further).
    MoreThan(i64),
}

/// Where a page starts, besides its number: after or before a listed member (the Next
/// and Previous links), which reads from that member's place in the index rather than
/// skipping every entry before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Cursor {
    #[default]
    None,
    After(String),
    Before(String),
}

/// One page of members with their teams.
#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<ListedMember>,
    /// The listed members' teams, each member's primary first, then by name.
    pub teams: Vec<TeamTagRow>,
    /// When each listed member who has a picture last changed it, by account id.
    pub avatars: HashMap<String, i64>,
    pub total: Total,
    pub has_prev: bool,
    pub has_next: bool,
}

#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    member: ListedMember,
    total: Option<i64>,
    team_name: Option<String>,
    team_primary: Option<i64>,
    sort_name: String,
    avatar_at: Option<i64>,
}

/// Read by the positions of `COLUMNS`, as the CSV export reads them (by name, each
/// value would be looked up column by column, for each of the page's rows).
impl FromFastRow for ListedMember {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            account_id: row.get(0)?,
            email: row.get(1)?,
            first_name: row.get(2)?,
            last_name: row.get(3)?,
            display_name: row.get(4)?,
            role: row.get(5)?,
            has_seat: row.get(6)?,
            status: row.get(7)?,
            joined_at: row.get(8)?,
            joined_via: row.get(9)?,
        })
    }
}

/// `COLUMNS`, then the page statement's total, team, sort key and picture version
/// (`member_pages::page`).
impl FromFastRow for PageRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            member: ListedMember::from_fast_row(row)?,
            total: row.get(10)?,
            team_name: row.get(11)?,
            team_primary: row.get(12)?,
            sort_name: row.get(13)?,
            avatar_at: row.get(14)?,
        })
    }
}

/// The page of `limit` members at `offset`, or from `cursor` when it names a member who
/// is still listed (after them: when any follow; before them: the first page when fewer
/// than a page come before them).
pub async fn page(
    store: &Store,
    workspace_id: &str,
    q: &MemberQuery,
    offset: i64,
    cursor: &Cursor,
    limit: i64,
) -> StoreResult<Page> {
    let plan = plan(store, workspace_id, q).await?;
    let (source, total) = (plan.source, plan.total);
    let at = |position| read(store, workspace_id, q, source, total, position, limit);
    let numbered = |offset| plan.numbered(offset, limit + 1);
    match cursor {
        Cursor::After(id) => {
            let page = at(Position::Cursor {
                account_id: id.clone(),
                after: true,
            })
            .await?;
            if !page.rows.is_empty() {
                return Ok(Page {
                    has_prev: true,
                    ..page
                });
            }
        }
        Cursor::Before(id) => {
            let page = at(Position::Cursor {
                account_id: id.clone(),
                after: false,
            })
            .await?;
            if page.rows.len() as i64 == limit {
                return Ok(Page {
                    has_next: true,
                    ..page
                });
            }
            // Fewer than a page before them: the first page.
            return first_page(at(numbered(0)).await?);
        }
        Cursor::None => {}
    }
    if offset >= DEEP_OFFSET && source == Source::List {
        let st = member_pages::buckets(workspace_id, q);
        let buckets: Vec<(String, i64)> = all_rows(store, &st).await?;
        let Some((bucket, skip)) = anchor(buckets, offset) else {
            // Past the last page.
            let total = match total {
                Some(total) => total,
                None => Total::Exact(list_count(store, workspace_id, q).await?),
            };
            return Ok(Page {
                rows: Vec::new(),
                teams: Vec::new(),
                avatars: HashMap::new(),
                total,
                has_prev: true,
                has_next: false,
            });
        };
        let page = at(Position::Anchor { bucket, skip }).await?;
        return Ok(Page {
            has_prev: true,
            ..page
        });
    }
    let page = at(numbered(offset)).await?;
    if offset == 0 {
        return first_page(page);
    }
    Ok(Page {
        has_prev: true,
        ..page
    })
}

/// The bucket holding the entry at `offset` and how many of its members come before
/// that entry, from every bucket's count in the list's order (one bucket may come on
/// consecutive rows: with and without a seat); None past the end.
fn anchor(buckets: Vec<(String, i64)>, offset: i64) -> Option<(String, i64)> {
    let mut before = 0;
    let mut rows = buckets.into_iter().peekable();
    while let Some((bucket, mut members)) = rows.next() {
        while let Some((_, more)) = rows.next_if(|(next, _)| *next == bucket) {
            members += more;
        }
        if before + members > offset {
            return Some((bucket, offset - before));
        }
        before += members;
    }
    None
}

fn first_page(page: Page) -> StoreResult<Page> {
    Ok(Page {
        has_prev: false,
        ..page
    })
}

/// Where a query's matches come from, how many there are when that is not read with the
/// page (the whole list's count is), and, on SQLite, the first matches from the substring
/// index in the list's order.
struct Plan {
    source: Source,
    total: Option<Total>,
    known: Option<Vec<i64>>,
}

impl Plan {
    /// Where the numbered page `offset` entries in starts (`want` entries): among the
    /// known matches when they hold every match it needs.
    fn numbered(&self, offset: i64, want: i64) -> Position {
        let among = match (&self.known, self.source, self.total) {
            (Some(known), Source::Index, Some(total)) => member_fts::bucket_run(
                known,
                usize::try_from(offset).unwrap_or(usize::MAX),
                usize::try_from(want).unwrap_or(1),
                matches!(total, Total::Exact(_)),
            ),
            _ => None,
        };
        match among {
            Some((matches, skip)) => Position::Among { matches, skip },
            None => Position::Offset(offset),
        }
    }
}

/// How `q`'s pages are read (`Plan`).
async fn plan(store: &Store, workspace_id: &str, q: &MemberQuery) -> StoreResult<Plan> {
    let kind = member_search::kind(&q.search);
    let decided = |source, total| Plan {
        source,
        total,
        known: None,
    };
    if kind == Kind::None {
        return Ok(decided(Source::List, None));
    }
    let walks_from_edge = kind == Kind::Part && store.backend() == Backend::Sqlite;
    let long = q.search.chars().count() > SHORT_SEARCH;
    let mut looked = None;
    if walks_from_edge && long {
        match look_long(store, workspace_id, q).await? {
            Look::Decided(source, total) => return Ok(decided(source, Some(total))),
            Look::Seen(row) => looked = Some(row),
        }
    }
    let (n, known) = if walks_from_edge {
        let known = fts_matches(store, workspace_id, q).await?;
        (known.len() as i64, Some(known))
    } else {
        let st = member_pages::capped_count(store.backend(), workspace_id, q, COUNT_CAP);
        (one_row::<CountRow>(store, &st).await?.n, None)
    };
    let total = if n > COUNT_CAP {
        Total::MoreThan(COUNT_CAP)
    } else {
        Total::Exact(n)
    };
    let source = match (kind, total) {
        (Kind::Part, Total::Exact(_)) => Source::Index,
        (Kind::Part, Total::MoreThan(_)) if walks_from_edge => {
            let row = match looked {
                Some(row) => row,
                None => one_row(store, &member_pages::edge(workspace_id, q)).await?,
            };
            if row.is_crowded() {
                Source::Walk { edge: row.edge }
            } else {
                Source::Index
            }
        }
        (Kind::Part, Total::MoreThan(_)) => Source::Walk { edge: None },
        _ => Source::List,
    };
    Ok(Plan {
        source,
        total: Some(total),
        known,
    })
}

/// On SQLite, the rowids of the first `COUNT_CAP + 1` matches of `q` in the list's order
/// from the substring index: how many match, and the matches the first pages are among.
async fn fts_matches(store: &Store, workspace_id: &str, q: &MemberQuery) -> StoreResult<Vec<i64>> {
    let scopes: Vec<IdRow> = all_rows(store, &member_fts::scope(workspace_id)).await?;
    let Some(scope) = scopes.first() else {
        // No member has ever been listed here.
        return Ok(Vec::new());
    };
    let range = member_fts::rowid_range(scope.id, q);
    let rows: Vec<IdRow> = all_rows(store, &member_fts::matches(q, range, COUNT_CAP)).await?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// What a first look at a long search found.
enum Look {
    /// Where its page comes from, and how many match.
    Decided(Source, Total),
    /// Its first match and crowd, to be counted from the substring index.
    Seen(EdgeRow),
}

/// On SQLite, a long search counted by walking the list where most entries match: from
/// the top when most of its first entries do, else from its first match's bucket.
async fn look_long(store: &Store, workspace_id: &str, q: &MemberQuery) -> StoreResult<Look> {
    let more = Total::MoreThan(COUNT_CAP);
    let st = member_pages::top_walked(workspace_id, q, COUNT_CAP);
    let top: EdgeRow = one_row(store, &st).await?;
    if top.walked.is_some_and(|n| n > COUNT_CAP) {
        return Ok(Look::Decided(Source::Walk { edge: None }, more));
    }
    if top.is_crowded() {
        // Its first match is among the first entries: a walk from it starts at the top.
        return Ok(Look::Seen(top));
    }
    let st = member_pages::edge_and_walked(workspace_id, q, COUNT_CAP);
    let row: EdgeRow = one_row(store, &st).await?;
    if row.edge.is_none() {
        return Ok(Look::Decided(Source::Index, Total::Exact(0)));
    }
    if row.walked.is_some_and(|n| n > COUNT_CAP) {
        return Ok(Look::Decided(Source::Walk { edge: row.edge }, more));
    }
    Ok(Look::Seen(row))
}

/// The one row `st` reads (a count: it always has one), through the fast path when the
/// store has it.
async fn one_row<T>(store: &Store, st: &Statement) -> StoreResult<T>
where
    T: FromFastRow + for<'r> FromRow<'r, sqlx::any::AnyRow> + Default + Copy + Send + Unpin,
{
    let rows: Vec<T> = all_rows(store, st).await?;
    Ok(rows.first().copied().unwrap_or_default())
}

/// Every row `st` reads, through the fast path when the store has it.
async fn all_rows<T>(store: &Store, st: &Statement) -> StoreResult<Vec<T>>
where
    T: FromFastRow + for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    fast_reads::or_sqlx(store.fast_reads(), &st.sql, &st.fast_params(), async {
        st.bind(sqlx::query_as(&st.sql))
            .fetch_all(store.pool())
            .await
    })
    .await
}

/// Reads one page from `position`, in the list's order; `has_next` (or, before a cursor,
/// `has_prev`) says whether more lie beyond it.
async fn read(
    store: &Store,
    workspace_id: &str,
    q: &MemberQuery,
    source: Source,
    total: Option<Total>,
    position: Position,
    limit: i64,
) -> StoreResult<Page> {
    let backwards = matches!(position, Position::Cursor { after: false, .. });
    let st = member_pages::page(
        store.backend(),
        workspace_id,
        q,
        source,
        &position,
        limit + 1,
    );
    let rows: Vec<PageRow> = all_rows(store, &st).await?;
    let mut total = total.or_else(|| rows.first().and_then(|r| r.total).map(Total::Exact));
    let mut page = group(rows, limit, q.descending != backwards);
    let more = page.rows.len() as i64 > limit;
    if more {
        let extra = page.rows.pop().map(|m| m.account_id);
        page.teams.retain(|t| Some(&t.account_id) != extra.as_ref());
    }
    if backwards {
        page.rows.reverse();
        page.has_prev = more;
    } else {
        page.has_next = more;
    }
    if total.is_none() {
        total = Some(Total::Exact(list_count(store, workspace_id, q).await?));
    }
    page.total = total.unwrap_or(Total::Exact(0));
    Ok(page)
}

/// Rows (one per member and team, in no order) put in the list's order (`descending`:
/// Z→A) and grouped into members, their teams and pictures.
fn group(mut rows: Vec<PageRow>, limit: i64, descending: bool) -> Page {
    put_in_order(&mut rows, descending);
    let mut page = Page {
        rows: Vec::with_capacity(limit as usize + 1),
        teams: Vec::new(),
        avatars: HashMap::new(),
        total: Total::Exact(0),
        has_prev: false,
        has_next: false,
    };
    for row in rows {
        if let Some(at) = row.avatar_at {
            page.avatars.insert(row.member.account_id.clone(), at);
        }
        if let Some(team_name) = row.team_name {
            page.teams.push(TeamTagRow {
                account_id: row.member.account_id.clone(),
                team_name,
                is_primary: row.team_primary.unwrap_or(0),
            });
        }
        // A member with several teams comes on consecutive rows.
        if page.rows.last().map(|m| &m.account_id) != Some(&row.member.account_id) {
            page.rows.push(row.member);
        }
    }
    page
}

/// The list's order (sort keys compared byte by byte, as SQLite's BINARY and
/// PostgreSQL's `COLLATE "C"` on `sort_name` do), each member's teams together, the
/// primary first, then by name whatever its case.
fn put_in_order(rows: &mut [PageRow], descending: bool) {
    rows.sort_unstable_by(|a, b| {
        let by_key = a.sort_name.cmp(&b.sort_name);
        let by_key = if descending { by_key.reverse() } else { by_key };
        by_key
            .then_with(|| b.team_primary.cmp(&a.team_primary))
            .then_with(|| compare_team_names(a.team_name.as_deref(), b.team_name.as_deref()))
    });
}

/// Team names in alphabetical order, whatever their case.
fn compare_team_names(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a
            .chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase)),
        _ => a.cmp(&b),
    }
}

/// How many members the whole list holds (as the database keeps count: `member_counts`).
async fn list_count(store: &Store, workspace_id: &str, q: &MemberQuery) -> StoreResult<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(c.members), 0) AS BIGINT) FROM member_counts c \
         WHERE c.workspace_id = $1 AND c.status = $2{}",
        q.seat_sql("c")
    );
    sqlx::query_scalar(&sql)
        .bind(workspace_id)
        .bind(q.status_str())
        .fetch_one(store.pool())
        .await
}

/// One member as the CSV export reads them, borrowing the row's text.
#[derive(Debug, Clone, Copy)]
pub struct ExportedMember<'r> {
    pub account_id: &'r str,
    pub email: &'r str,
    pub first_name: &'r str,
    pub last_name: &'r str,
    pub role: &'r str,
    pub has_seat: bool,
    pub status: &'r str,
    pub joined_at: i64,
    pub joined_via: &'r str,
}

/// The rows of `all_sql`, read by the positions of `COLUMNS`.
pub struct Exported;

impl Listing for Exported {
    type Row<'r> = ExportedMember<'r>;

    fn read<C: Columns>(row: &C) -> StoreResult<ExportedMember<'_>> {
        Ok(ExportedMember {
            account_id: row.text(0)?,
            email: row.text(1)?,
            first_name: row.text(2)?,
            last_name: row.text(3)?,
            role: row.text(5)?,
            has_seat: row.int(6)? == 1,
            status: row.text(7)?,
            joined_at: row.int(8)?,
            joined_via: row.text(9)?,
        })
    }
}

/// Writes every matching member, in the list's order, with `write` into chunks of about
/// 64 kB sent to `chunks` (see `listing::write_rows`). Stops early when the receiver goes
/// away.
pub async fn write_all(
    store: &Store,
    workspace_id: &str,
    q: &MemberQuery,
    write: WriteRow<Exported>,
    chunks: mpsc::Sender<String>,
) -> StoreResult<()> {
    let st = member_pages::all(store.backend(), workspace_id, q);
    write_rows::<Exported>(store, st, write, chunks).await
}

/// One member of a workspace as listed (after a change, to redraw their row).
pub async fn one<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<ListedMember>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.workspace_id = $1 AND m.account_id = $2"
    );
    sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(account_id)
        .fetch_optional(e)
        .await
}

/// Every statement a page of `q` may run, named: the count of a search, the first page
/// from each source the search may use, a deep page's anchor and the page from it, and
/// the pages after and before the member `cursor_id`; then the CSV's.
pub fn statements(
    backend: Backend,
    workspace_id: &str,
    q: &MemberQuery,
    cursor_id: &str,
) -> Vec<(String, Statement)> {
    let kind = member_search::kind(&q.search);
    let mut all = Vec::new();
    let sources = match kind {
        Kind::Part => {
            let mut edge = None;
            if backend == Backend::Sqlite {
                all.push((
                    "crowd and walked count from the top".to_string(),
                    member_pages::top_walked(workspace_id, q, COUNT_CAP),
                ));
                all.push((
                    "first match, crowd and walked count".to_string(),
                    member_pages::edge_and_walked(workspace_id, q, COUNT_CAP),
                ));
                all.push((
                    "first match and crowd".to_string(),
                    member_pages::edge(workspace_id, q),
                ));
                edge = Some(0);
                all.push(("scope".to_string(), member_fts::scope(workspace_id)));
                let range = member_fts::rowid_range(1, q);
                all.push((
                    "matches".to_string(),
                    member_fts::matches(q, range, COUNT_CAP),
                ));
            } else {
                all.push((
                    "count".to_string(),
                    member_pages::capped_count(backend, workspace_id, q, COUNT_CAP),
                ));
            }
            vec![Source::Index, Source::Walk { edge }]
        }
        Kind::NameStart => {
            all.push((
                "count".to_string(),
                member_pages::capped_count(backend, workspace_id, q, COUNT_CAP),
            ));
            vec![Source::List]
        }
        Kind::None => vec![Source::List],
    };
    for source in sources {
        let mut positions = vec![
            Position::Offset(0),
            Position::Cursor {
                account_id: cursor_id.to_string(),
                after: true,
            },
            Position::Cursor {
                account_id: cursor_id.to_string(),
                after: false,
            },
        ];
        if source == Source::Index && backend == Backend::Sqlite {
            // The whole page (no sorting to choose it), and a page inside the run.
            for skip in [0, 1] {
                positions.push(Position::Among {
                    matches: vec![
                        1 << member_fts::SCOPE_SHIFT,
                        (1 << member_fts::SCOPE_SHIFT) + 1,
                    ],
                    skip,
                });
            }
        }
        if source == Source::List {
            all.push((
                "deep page's bucket".to_string(),
                member_pages::buckets(workspace_id, q),
            ));
            positions.push(Position::Anchor {
                bucket: "mar".to_string(),
                skip: 100,
            });
        }
        for position in positions {
            let st = member_pages::page(backend, workspace_id, q, source, &position, 51);
            all.push((format!("{source:?} page from {position:?}"), st));
        }
    }
    all.push((
        "CSV".to_string(),
        member_pages::all(backend, workspace_id, q),
    ));
    all
}

/// The query plans of `q`'s statements, as the database words them: EXPLAIN QUERY PLAN on
/// SQLite, EXPLAIN ANALYZE on PostgreSQL (for `gatehouse plans`).
pub async fn explain(
    store: &Store,
    workspace_id: &str,
    q: &MemberQuery,
    cursor_id: &str,
) -> StoreResult<Vec<String>> {
    let mut lines = Vec::new();
    for (name, st) in statements(store.backend(), workspace_id, q, cursor_id) {
        let explain = match store.backend() {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {}", st.sql),
            Backend::Postgres => format!("EXPLAIN ANALYZE {}", st.sql),
        };
        lines.push(format!("-- {name}"));
        for row in st
            .bind_query(sqlx::query(&explain))
            .fetch_all(store.pool())
            .await?
        {
            lines.push(match store.backend() {
                Backend::Sqlite => row.try_get::<String, _>("detail")?,
                Backend::Postgres => row.try_get::<String, _>(0)?,
            });
        }
        lines.push(String::new());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::anchor;

    fn buckets(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
        rows.iter().map(|(b, n)| (b.to_string(), *n)).collect()
    }

    #[test]
    fn a_deep_page_starts_in_the_bucket_holding_its_first_entry() {
        let rows = buckets(&[("ada", 3), ("ada", 2), ("bob", 4), ("cy", 1), ("cy", 1)]);
        assert_eq!(anchor(rows.clone(), 0), Some(("ada".into(), 0)));
        // The seat holders' row of a bucket counts with the others': 5 in "ada".
        assert_eq!(anchor(rows.clone(), 4), Some(("ada".into(), 4)));
        assert_eq!(anchor(rows.clone(), 5), Some(("bob".into(), 0)));
        assert_eq!(anchor(rows.clone(), 8), Some(("bob".into(), 3)));
        assert_eq!(anchor(rows.clone(), 10), Some(("cy".into(), 1)));
        assert_eq!(anchor(rows.clone(), 11), None);
        assert_eq!(anchor(Vec::new(), 0), None);
    }
}
