//! The Members page's query: search, seat and status filters, sort and pagination, and
//! the same selection streamed for the CSV export. Each answers from an index (see
//! migrations/*/0003_member_search.sql and `member_search`).

use sqlx::{Any, Executor, FromRow, Row};
use tokio::sync::mpsc;

use super::listing::{Columns, Listing, WriteRow, bind_all, write_rows};
use super::teams::TeamTagRow;
use super::{Store, StoreResult, member_search};
use crate::config::Backend;

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
    /// Lower-cased search text; matches the start of any word of the names, of the
    /// email or of its local part.
    pub search: String,
    pub seat: SeatFilter,
    pub status: StatusFilter,
    pub descending: bool,
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

impl MemberQuery {
    /// The seat filter on memberships `alias`.
    fn seat_filter(&self, alias: &str) -> String {
        match self.seat {
            SeatFilter::All => String::new(),
            SeatFilter::With => format!(" AND {alias}.has_seat = 1"),
            SeatFilter::Without => format!(" AND {alias}.has_seat = 0"),
        }
    }

    /// The search as a range over the index of terms: $3 <= term < $4. A range, not LIKE,
    /// so both databases answer it from the index and wildcards stay literal.
    const TERM_RANGE: &str = "t.workspace_id = $1 AND t.term >= $3 AND t.term < $4";

    /// Which memberships `alias` match; parameters are $1 workspace, $2 status, and when
    /// searching $3 and $4 (see `TERM_RANGE`).
    fn filter(&self, alias: &str) -> String {
        let mut sql = format!(" WHERE {alias}.workspace_id = $1 AND {alias}.status = $2");
        sql.push_str(&self.seat_filter(alias));
        if !self.search.is_empty() {
            sql.push_str(&format!(
                " AND {alias}.account_id IN (SELECT t.account_id FROM member_search_terms t WHERE {})",
                Self::TERM_RANGE
            ));
        }
        sql
    }

    /// FROM and WHERE for the matches as memberships `p`: with a search, driven from the
    /// matching terms (the range of the index, each account once however many of its
    /// words match, then its membership by primary key) rather than from the whole list.
    fn matches(&self) -> String {
        if self.search.is_empty() {
            return format!(" FROM memberships p{}", self.filter("p"));
        }
        format!(
            " FROM (SELECT DISTINCT t.account_id FROM member_search_terms t WHERE {}) s \
             CROSS JOIN memberships p WHERE p.workspace_id = $1 AND p.account_id = s.account_id \
             AND p.status = $2{}",
            Self::TERM_RANGE,
            self.seat_filter("p")
        )
    }

    fn order(&self, alias: &str) -> String {
        let direction = if self.descending { " DESC" } else { "" };
        format!(" ORDER BY {alias}.sort_name{direction}")
    }

    fn status(&self) -> &'static str {
        match self.status {
            StatusFilter::Active => "active",
            StatusFilter::Suspended => "suspended",
        }
    }

    /// Parameters of the filter, in order ($1, $2, then $3 and $4 when searching).
    pub fn params(&self, workspace_id: &str) -> Vec<String> {
        let mut params = vec![workspace_id.to_string(), self.status().to_string()];
        if !self.search.is_empty() {
            params.push(self.search.clone());
            params.push(format!("{}{}", self.search, member_search::PREFIX_END));
        }
        params
    }

    /// The number of the first parameter after the filter's.
    fn next_param(&self) -> usize {
        if self.search.is_empty() { 3 } else { 5 }
    }

    /// One page: the page's memberships, with every column a row shows, come from one of
    /// the covering indexes alone (`memberships_list*` in order, or `memberships_match`
    /// for the matching terms), then each is joined to its account and its teams (one
    /// row per team, primary first). The same query answers how many match, column
    /// `total`: a search counts its matches in passing (a window over them), as it finds
    /// them all anyway to sort them; the whole list reads the kept counts (`count_sql`).
    /// Its last two parameters are LIMIT and OFFSET.
    pub fn page_sql(&self) -> String {
        let n = self.next_param();
        let (inner_total, total) = if self.search.is_empty() {
            ("CAST(NULL AS BIGINT)", format!("({})", self.count_sql()))
        } else {
            ("COUNT(*) OVER ()", "page.total".to_string())
        };
        format!(
            "SELECT {}, {total} AS total, t.name AS team_name, tm.is_primary AS team_primary \
             FROM (SELECT p.account_id, p.sort_name, p.role, p.has_seat, p.status, p.joined_at, \
             p.joined_via, {inner_total} AS total{}{} LIMIT ${n} OFFSET ${}) page \
             JOIN accounts a ON a.id = page.account_id \
             LEFT JOIN team_members tm ON tm.workspace_id = $1 AND tm.account_id = page.account_id \
             LEFT JOIN teams t ON t.id = tm.team_id\
             {}, page.account_id, tm.is_primary DESC, lower(t.name)",
            COLUMNS.replace("m.", "page."),
            self.matches(),
            self.order("p"),
            n + 1,
            self.order("page"),
        )
    }

    /// How many members match (for pagination): without a search, the counts the
    /// database keeps per status and seat (table `member_counts`); with one, a count of
    /// the members the matching terms name.
    pub fn count_sql(&self) -> String {
        if self.search.is_empty() {
            return format!(
                "SELECT CAST(COALESCE(SUM(c.members), 0) AS BIGINT) FROM member_counts c \
                 WHERE c.workspace_id = $1 AND c.status = $2{}",
                self.seat_filter("c")
            );
        }
        format!("SELECT COUNT(*){}", self.matches())
    }

    /// Every match, in order (for the CSV export): the list's index in order, each row
    /// joined to its account as it streams.
    pub fn all_sql(&self) -> String {
        format!(
            "SELECT {COLUMNS} FROM memberships m JOIN accounts a ON a.id = m.account_id{}{}",
            self.filter("m"),
            self.order("m")
        )
    }
}

/// One page of members with their teams, and how many match in all when the page's
/// query could tell (it cannot when the page is past the last).
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub rows: Vec<ListedMember>,
    /// The listed members' teams, each member's primary first.
    pub teams: Vec<TeamTagRow>,
    pub total: Option<i64>,
}

#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    member: ListedMember,
    total: Option<i64>,
    team_name: Option<String>,
    team_primary: Option<i64>,
}

/// One page of members.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    q: &MemberQuery,
    limit: i64,
    offset: i64,
) -> StoreResult<Page> {
    let sql = q.page_sql();
    let rows: Vec<PageRow> = bind_all(sqlx::query_as(&sql), q.params(workspace_id))
        .bind(limit)
        .bind(offset)
        .fetch_all(e)
        .await?;
    let mut page = Page {
        total: rows.first().and_then(|r| r.total),
        ..Page::default()
    };
    for row in rows {
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
    Ok(page)
}

/// How many members match (for pagination).
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    q: &MemberQuery,
) -> StoreResult<i64> {
    let sql = q.count_sql();
    let (n,): (i64,) = bind_all(sqlx::query_as(&sql), q.params(workspace_id))
        .fetch_one(e)
        .await?;
    Ok(n)
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
    write_rows::<Exported>(store, q.all_sql(), q.params(workspace_id), write, chunks).await
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

/// The query plans of `q`'s first page and count, as the database words them: EXPLAIN
/// QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL (for the benchmark script).
pub async fn explain(
    store: &Store,
    workspace_id: &str,
    q: &MemberQuery,
) -> StoreResult<Vec<String>> {
    let mut lines = Vec::new();
    for sql in [q.page_sql(), q.count_sql()] {
        let explain = match store.backend() {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => format!("EXPLAIN ANALYZE {sql}"),
        };
        let mut query = sqlx::query(&explain);
        for param in q.params(workspace_id) {
            query = query.bind(param);
        }
        if sql.contains(" LIMIT ") {
            query = query.bind(50_i64).bind(0_i64);
        }
        for row in query.fetch_all(store.pool()).await? {
            lines.push(match store.backend() {
                Backend::Sqlite => row.try_get::<String, _>("detail")?,
                Backend::Postgres => row.try_get::<String, _>(0)?,
            });
        }
        lines.push(String::new());
    }
    Ok(lines)
}
