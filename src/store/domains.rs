//! Approved email domains of workspaces, and the workspaces an address's domain may join.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// Adds a domain; `false` when the workspace already has it.
pub async fn add<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    domain: &str,
    added_by: &str,
    now: i64,
) -> StoreResult<bool> {
    let added: Option<String> = sqlx::query_scalar(
        "INSERT INTO approved_domains (workspace_id, domain, added_by, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING domain",
    )
    .bind(workspace_id)
    .bind(domain)
    .bind(added_by)
    .bind(now)
    .fetch_optional(e)
    .await?;
    Ok(added.is_some())
}

/// Removes a domain; `false` when the workspace did not have it.
pub async fn remove<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    domain: &str,
) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM approved_domains WHERE workspace_id = $1 AND domain = $2")
        .bind(workspace_id)
        .bind(domain)
        .execute(e)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A workspace's domains, alphabetical.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT domain FROM approved_domains WHERE workspace_id = $1 ORDER BY domain",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

pub async fn is_approved<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    domain: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM approved_domains WHERE workspace_id = $1 AND domain = $2",
    )
    .bind(workspace_id)
    .bind(domain)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// A workspace someone may join through their address's domain.
#[derive(Debug, Clone, FromRow)]
pub struct Joinable {
    pub slug: String,
    pub name: String,
    pub domain: String,
}

/// Workspaces that approved `domain` and that the account does not belong to.
pub async fn joinable<'e, E: Executor<'e, Database = Any>>(
    e: E,
    domain: &str,
    account_id: &str,
) -> StoreResult<Vec<Joinable>> {
    sqlx::query_as(
        "SELECT w.slug, w.name, d.domain FROM approved_domains d JOIN workspaces w ON w.id = d.workspace_id \
         WHERE d.domain = $1 AND NOT EXISTS (SELECT 1 FROM memberships m \
         WHERE m.workspace_id = w.id AND m.account_id = $2) ORDER BY w.name LIMIT 50",
    )
    .bind(domain)
    .bind(account_id)
    .fetch_all(e)
    .await
}
