//! Approved email domains of workspaces, the workspaces an address's domain may join, and
//! the emailed proofs of control an approval may wait for.

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

/// A request to prove control of a domain by an emailed link.
pub struct NewProof<'a> {
    pub token_hash: &'a str,
    pub workspace_id: &'a str,
    pub domain: &'a str,
    pub email: &'a str,
    pub requested_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_proof<'e, E: Executor<'e, Database = Any>>(
    e: E,
    p: NewProof<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO domain_proofs (token_hash, workspace_id, domain, email, requested_by, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.token_hash)
    .bind(p.workspace_id)
    .bind(p.domain)
    .bind(p.email)
    .bind(p.requested_by)
    .bind(p.now)
    .bind(p.expires_at)
    .execute(e)
    .await
    .map(|_| ())
}

/// A live proof link: what it approves, where, and who asked.
#[derive(Debug, Clone, FromRow)]
pub struct ProofRow {
    pub workspace_id: String,
    pub workspace_name: String,
    pub domain: String,
    pub email: String,
    pub requested_by: String,
    pub expires_at: i64,
}

/// The live (unused, unexpired) proof a token stands for, without using it up.
pub async fn peek_proof<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<ProofRow>> {
    sqlx::query_as(
        "SELECT p.workspace_id, w.name AS workspace_name, p.domain, p.email, p.requested_by, \
         p.expires_at FROM domain_proofs p JOIN workspaces w ON w.id = p.workspace_id \
         WHERE p.token_hash = $1 AND p.used_at IS NULL AND p.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(e)
    .await
}

/// Uses a proof up: only one caller ever gets `true`, and only before it expires.
pub async fn consume_proof<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE domain_proofs SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
         AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retires every other outstanding proof of a workspace's domain once it is approved.
pub async fn retire_proofs<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    domain: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE domain_proofs SET used_at = $3 WHERE workspace_id = $1 AND domain = $2 \
         AND used_at IS NULL",
    )
    .bind(workspace_id)
    .bind(domain)
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// How many proof emails went to an address, and how many one person asked for, since
/// `since` (the limits on proof emails).
pub async fn proofs_sent_since<'e, E: Executor<'e, Database = Any>>(
    e: E,
    email: &str,
    requested_by: &str,
    since: i64,
) -> StoreResult<(i64, i64)> {
    sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN requested_by = $2 THEN 1 ELSE 0 END), 0) \
         FROM domain_proofs WHERE (email = $1 OR requested_by = $2) AND created_at >= $3",
    )
    .bind(email)
    .bind(requested_by)
    .bind(since)
    .fetch_one(e)
    .await
}

/// A proof still waiting to be followed, as the Security page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct PendingProof {
    pub domain: String,
    pub email: String,
    pub expires_at: i64,
}

/// A workspace's outstanding proofs for domains it has not approved, newest first.
pub async fn pending_proofs<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    now: i64,
) -> StoreResult<Vec<PendingProof>> {
    sqlx::query_as(
        "SELECT p.domain, p.email, p.expires_at FROM domain_proofs p \
         WHERE p.workspace_id = $1 AND p.used_at IS NULL AND p.expires_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM approved_domains d \
         WHERE d.workspace_id = p.workspace_id AND d.domain = p.domain) \
         ORDER BY p.created_at DESC LIMIT 20",
    )
    .bind(workspace_id)
    .bind(now)
    .fetch_all(e)
    .await
}
