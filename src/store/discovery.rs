//! Browse workspaces: the discoverable workspaces a signed-in person may ask to join, each
//! with its active member count and where the visitor stands with it. Incognito
//! workspaces (`discoverable = 0`) are filtered out here, in the SQL, so no caller can
//! list one by mistake.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// One discoverable workspace as the list shows it, seen by one visitor.
#[derive(Debug, Clone, FromRow)]
pub struct DiscoverableRow {
    pub slug: String,
    pub name: String,
    /// Active members (from `member_counts`, kept by triggers).
    pub members: i64,
    /// The visitor's membership status here (`None`: not a member).
    pub my_status: Option<String>,
    /// The visitor's pending requests here (0 or 1).
    pub pending: i64,
    /// The visitor's declined requests here.
    pub declined: i64,
}

/// A LIKE pattern matching names that contain `search` (already lower-cased), with `%`,
/// `_` and the escape character itself taken literally.
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The WHERE clause: discoverable, and the name matching `$n` when searching.
fn filter(searching: bool, n: usize) -> String {
    if searching {
        format!("w.discoverable = 1 AND lower(w.name) LIKE ${n} ESCAPE '\\'")
    } else {
        "w.discoverable = 1".to_string()
    }
}

/// One page of discoverable workspaces, by name (case-insensitive), for `account_id`.
/// `search` is a lower-cased substring of the name, empty for all.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    search: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<DiscoverableRow>> {
    let sql = format!(
        "SELECT w.slug, w.name, \
         (SELECT CAST(COALESCE(SUM(c.members), 0) AS BIGINT) FROM member_counts c \
          WHERE c.workspace_id = w.id AND c.status = 'active') AS members, \
         (SELECT m.status FROM memberships m WHERE m.workspace_id = w.id AND m.account_id = $1) AS my_status, \
         (SELECT COUNT(*) FROM join_requests r WHERE r.workspace_id = w.id AND r.account_id = $1 \
          AND r.status = 'pending') AS pending, \
         (SELECT COUNT(*) FROM join_requests r WHERE r.workspace_id = w.id AND r.account_id = $1 \
          AND r.status = 'declined') AS declined \
         FROM workspaces w WHERE {} ORDER BY lower(w.name), w.slug LIMIT $2 OFFSET $3",
        filter(!search.is_empty(), 4)
    );
    let mut query = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(limit)
        .bind(offset);
    if !search.is_empty() {
        query = query.bind(contains_pattern(search));
    }
    query.fetch_all(e).await
}

/// How many discoverable workspaces match `search` (lower-cased; empty for all).
pub async fn count<'e, E: Executor<'e, Database = Any>>(e: E, search: &str) -> StoreResult<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM workspaces w WHERE {}",
        filter(!search.is_empty(), 1)
    );
    let mut query = sqlx::query_scalar(&sql);
    if !search.is_empty() {
        query = query.bind(contains_pattern(search));
    }
    query.fetch_one(e).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(contains_pattern("acme"), "%acme%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
