//! Account avatars: validated image bytes with their real content type.

use std::collections::HashMap;

use sqlx::{Any, Executor};

use super::fast_reads::{self, FromFastRow, Param};
use super::{Store, StoreResult};

pub async fn put<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    content_type: &str,
    bytes: &[u8],
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO avatars (account_id, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id) DO UPDATE SET content_type = $2, bytes = $3, updated_at = $4",
    )
    .bind(account_id)
    .bind(content_type)
    .bind(bytes)
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// The avatar of `account_id`, only when `viewer_id` is them, shares a workspace with them,
/// or is an active Owner or Admin of a workspace they asked to join (the join-request popover).
pub async fn visible_to<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    viewer_id: &str,
) -> StoreResult<Option<(String, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT v.content_type, v.bytes FROM avatars v WHERE v.account_id = $1 AND ($1 = $2 OR EXISTS ( \
           SELECT 1 FROM memberships mine JOIN memberships theirs ON theirs.workspace_id = mine.workspace_id \
           WHERE mine.account_id = $2 AND mine.status = 'active' AND theirs.account_id = $1) \
         OR EXISTS (SELECT 1 FROM memberships mine JOIN join_requests r ON r.workspace_id = mine.workspace_id \
           WHERE mine.account_id = $2 AND mine.status = 'active' AND mine.role IN ('owner', 'admin') \
           AND r.account_id = $1 AND r.status = 'pending'))",
    )
    .bind(account_id)
    .bind(viewer_id)
    .fetch_optional(e)
    .await
}

/// Removes an account's avatar; `false` when there was none.
pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM avatars WHERE account_id = $1")
        .bind(account_id)
        .execute(e)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// When each of these accounts last set an avatar (accounts without one are left out):
/// pages link `/avatars/{id}?v={when}`, so a changed picture is fetched anew.
pub async fn versions(store: &Store, account_ids: &[String]) -> StoreResult<HashMap<String, i64>> {
    if account_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks: Vec<String> = (1..=account_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT account_id, updated_at FROM avatars WHERE account_id IN ({})",
        marks.join(", ")
    );
    let params: Vec<Param<'_>> = account_ids.iter().map(|id| Param::Text(id)).collect();
    let rows: Vec<Version> = fast_reads::or_sqlx(store.fast_reads(), &sql, &params, async {
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for id in account_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(store.pool()).await?;
        Ok(rows.into_iter().map(|(id, at)| Version(id, at)).collect())
    })
    .await?;
    Ok(rows.into_iter().map(|Version(id, at)| (id, at)).collect())
}

/// One account's avatar version.
struct Version(String, i64);

impl FromFastRow for Version {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self(row.get(0)?, row.get(1)?))
    }
}

/// The path of an account's avatar, when it has one (`versions` says when it changed).
pub fn path(account_id: &str, versions: &HashMap<String, i64>) -> Option<String> {
    versions
        .get(account_id)
        .map(|at| format!("/avatars/{account_id}?v={at}"))
}
