//! Workspace API tokens: rows keyed by the SHA-256 of the secret, listed on the API
//! tokens page and looked up on every API request together with the creator's current
//! membership (so a demoted, suspended or removed creator's tokens stop at once).

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// A token about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct NewApiToken<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    t: NewApiToken<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, workspace_id, name, scope, token_hash, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(t.id)
    .bind(t.workspace_id)
    .bind(t.name)
    .bind(t.scope)
    .bind(t.token_hash)
    .bind(t.created_by)
    .bind(t.now)
    .bind(t.expires_at)
    .execute(e)
    .await
    .map(|_| ())
}

/// A token as the page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub creator_name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// The workspace's tokens not revoked, newest first (expired ones stay listed, marked).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<ApiTokenRow>> {
    sqlx::query_as(
        "SELECT t.id, t.name, t.scope, a.display_name AS creator_name, t.created_at, \
         t.last_used_at, t.expires_at FROM api_tokens t JOIN accounts a ON a.id = t.created_by \
         WHERE t.workspace_id = $1 AND t.revoked_at IS NULL ORDER BY t.created_at DESC, t.id",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// Revokes a live token of the workspace; its name when it was revoked now.
pub async fn revoke<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
    now: i64,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 \
         AND revoked_at IS NULL RETURNING name",
    )
    .bind(workspace_id)
    .bind(id)
    .bind(now)
    .fetch_optional(e)
    .await
}

/// What a bearer token resolves to: the token and its creator's membership right now
/// (`role`/`status` are `None` when the creator is no longer a member).
#[derive(Debug, Clone, FromRow)]
pub struct Bearer {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub workspace_id: String,
    pub workspace_slug: String,
    pub created_by: String,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub role: Option<String>,
    pub status: Option<String>,
}

/// One read per API request: the token by its hash, with the creator's membership.
pub async fn bearer<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
) -> StoreResult<Option<Bearer>> {
    sqlx::query_as(
        "SELECT t.id, t.name, t.scope, t.workspace_id, w.slug AS workspace_slug, t.created_by, \
         t.last_used_at, t.expires_at, t.revoked_at, m.role, m.status \
         FROM api_tokens t JOIN workspaces w ON w.id = t.workspace_id \
         LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.account_id = t.created_by \
         WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(e)
    .await
}

/// Marks the token used, at most once a minute (the WHERE keeps writes rare).
pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 \
         AND (last_used_at IS NULL OR last_used_at <= $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - 60)
    .execute(e)
    .await
    .map(|_| ())
}
