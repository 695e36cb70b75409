//! The Members page's query: search, seat and status filters, sort and pagination, and
//! the same selection streamed for the CSV export.

use futures_util::TryStreamExt;
use sqlx::{Any, AnyPool, Executor, FromRow};
use tokio::sync::mpsc;

use super::StoreResult;

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
    /// Lower-cased search text; matches within the name or the email.
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

const SELECT: &str = "SELECT a.id AS account_id, a.email, a.first_name, a.last_name, a.display_name, m.role, \
                      m.has_seat, m.status, m.joined_at, m.joined_via \
                      FROM memberships m JOIN accounts a ON a.id = m.account_id";

/// Escapes LIKE wildcards so the search is literal.
fn like_pattern(search: &str) -> String {
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl MemberQuery {
    /// The WHERE clause; parameters are $1 workspace, $2 status, $3 pattern (when searching).
    fn filter(&self) -> String {
        let mut sql = String::from(" WHERE m.workspace_id = $1 AND m.status = $2");
        match self.seat {
            SeatFilter::All => {}
            SeatFilter::With => sql.push_str(" AND m.has_seat = 1"),
            SeatFilter::Without => sql.push_str(" AND m.has_seat = 0"),
        }
        if !self.search.is_empty() {
            sql.push_str(
                " AND (lower(a.display_name) LIKE $3 ESCAPE '\\' OR a.email LIKE $3 ESCAPE '\\')",
            );
        }
        sql
    }

    fn order(&self) -> &'static str {
        if self.descending {
            " ORDER BY lower(a.display_name) DESC, a.email DESC"
        } else {
            " ORDER BY lower(a.display_name), a.email"
        }
    }

    fn status(&self) -> &'static str {
        match self.status {
            StatusFilter::Active => "active",
            StatusFilter::Suspended => "suspended",
        }
    }

    fn bind<'q>(
        &'q self,
        query: sqlx::query::QueryAs<'q, Any, ListedMember, sqlx::any::AnyArguments<'q>>,
        workspace_id: &'q str,
    ) -> sqlx::query::QueryAs<'q, Any, ListedMember, sqlx::any::AnyArguments<'q>> {
        let query = query.bind(workspace_id).bind(self.status());
        if self.search.is_empty() {
            query
        } else {
            query.bind(like_pattern(&self.search))
        }
    }
}

/// One page of members.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    q: &MemberQuery,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<ListedMember>> {
    let n = if q.search.is_empty() { 3 } else { 4 };
    let sql = format!(
        "{SELECT}{}{} LIMIT ${n} OFFSET ${}",
        q.filter(),
        q.order(),
        n + 1
    );
    q.bind(sqlx::query_as(&sql), workspace_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(e)
        .await
}

/// How many members match (for pagination).
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    q: &MemberQuery,
) -> StoreResult<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id{}",
        q.filter()
    );
    let query = sqlx::query_scalar(&sql).bind(workspace_id).bind(q.status());
    let query = if q.search.is_empty() {
        query
    } else {
        query.bind(like_pattern(&q.search))
    };
    query.fetch_one(e).await
}

/// Sends every matching member into `rows`, one at a time: the bounded channel keeps
/// memory flat however many there are. Stops early when the receiver goes away.
pub async fn send_all(
    pool: &AnyPool,
    workspace_id: &str,
    q: &MemberQuery,
    rows: mpsc::Sender<ListedMember>,
) -> StoreResult<()> {
    let sql = format!("{SELECT}{}{}", q.filter(), q.order());
    let mut stream = q.bind(sqlx::query_as(&sql), workspace_id).fetch(pool);
    while let Some(row) = stream.try_next().await? {
        if rows.send(row).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// One member of a workspace as listed (after a change, to redraw their row).
pub async fn one<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<ListedMember>> {
    let sql = format!("{SELECT} WHERE m.workspace_id = $1 AND m.account_id = $2");
    sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(account_id)
        .fetch_optional(e)
        .await
}
