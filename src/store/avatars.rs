//! Account avatars: validated image bytes with their real content type.

use sqlx::{Any, Executor};

use super::StoreResult;

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

/// The avatar of `account_id`, only when `viewer_id` shares a workspace with them (or is them).
pub async fn visible_to<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    viewer_id: &str,
) -> StoreResult<Option<(String, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT v.content_type, v.bytes FROM avatars v WHERE v.account_id = $1 AND ($1 = $2 OR EXISTS ( \
           SELECT 1 FROM memberships mine JOIN memberships theirs ON theirs.workspace_id = mine.workspace_id \
           WHERE mine.account_id = $2 AND mine.status = 'active' AND theirs.account_id = $1))",
    )
    .bind(account_id)
    .bind(viewer_id)
    .fetch_optional(e)
    .await
}
