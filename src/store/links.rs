//! Invite links: found by the hash of their code, used up by one conditional UPDATE that
//! checks revocation, expiry and max uses in the statement that counts the use, and their
//! visits and joins per day for the link list's chart.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

const DAY: i64 = 86_400;

/// A link as stored, with its creator's name and current role in the link's workspace.
#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    pub id: String,
    pub workspace_id: String,
    pub role: String,
    pub primary_team_id: Option<String>,
    pub code_nonce: String,
    pub created_by: Option<String>,
    pub creator_name: Option<String>,
    /// The creator's role while they are an active member; `None` once they are not.
    pub creator_role: Option<String>,
    pub created_at: i64,
    pub lifetime_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub visits: i64,
    pub notify_creator: i64,
    pub revoked_at: Option<i64>,
}

impl LinkRow {
    /// Not revoked, not expired, not used up (the workspace's switch aside).
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.is_none_or(|t| t > now)
            && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

const SELECT: &str = "SELECT l.id, l.workspace_id, l.role, l.primary_team_id, l.code_nonce, \
     l.created_by, a.display_name AS creator_name, \
     (SELECT m.role FROM memberships m WHERE m.workspace_id = l.workspace_id \
      AND m.account_id = l.created_by AND m.status = 'active') AS creator_role, \
     l.created_at, l.lifetime_secs, l.expires_at, l.max_uses, l.uses, l.visits, l.notify_creator, \
     l.revoked_at FROM invite_links l LEFT JOIN accounts a ON a.id = l.created_by";

/// What a new link is made of.
pub struct NewLink<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub role: &'a str,
    pub primary_team_id: Option<&'a str>,
    pub code_nonce: &'a str,
    pub code_hash: &'a str,
    pub created_by: &'a str,
    pub lifetime_secs: Option<i64>,
    pub max_uses: Option<i64>,
    pub notify_creator: bool,
    pub now: i64,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(e: E, n: NewLink<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invite_links (id, workspace_id, role, primary_team_id, code_nonce, code_hash, \
         created_by, created_at, lifetime_secs, expires_at, max_uses, notify_creator) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(n.id)
    .bind(n.workspace_id)
    .bind(n.role)
    .bind(n.primary_team_id)
    .bind(n.code_nonce)
    .bind(n.code_hash)
    .bind(n.created_by)
    .bind(n.now)
    .bind(n.lifetime_secs)
    .bind(n.lifetime_secs.map(|s| n.now + s))
    .bind(n.max_uses)
    .bind(super::flag(n.notify_creator))
    .execute(e)
    .await
    .map(|_| ())
}

pub async fn add_team<'e, E: Executor<'e, Database = Any>>(
    e: E,
    link_id: &str,
    team_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invite_link_teams (link_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(link_id)
    .bind(team_id)
    .execute(e)
    .await
    .map(|_| ())
}

pub async fn extra_teams<'e, E: Executor<'e, Database = Any>>(
    e: E,
    link_id: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT team_id FROM invite_link_teams WHERE link_id = $1")
        .bind(link_id)
        .fetch_all(e)
        .await
}

/// (link id, team name) of the additional teams of a workspace's links, for the list.
pub async fn extra_team_names<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT lt.link_id, t.name FROM invite_link_teams lt JOIN teams t ON t.id = lt.team_id \
         JOIN invite_links l ON l.id = lt.link_id WHERE l.workspace_id = $1 ORDER BY t.name",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

pub async fn by_code_hash<'e, E: Executor<'e, Database = Any>>(
    e: E,
    code_hash: &str,
) -> StoreResult<Option<LinkRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE l.code_hash = $1"))
        .bind(code_hash)
        .fetch_optional(e)
        .await
}

/// A link of this workspace (a link id of another workspace is not found).
pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<Option<LinkRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE l.id = $1 AND l.workspace_id = $2"))
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(e)
        .await
}

/// A workspace's links, newest first; only one creator's when `created_by` is given.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    created_by: Option<&str>,
) -> StoreResult<Vec<LinkRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE l.workspace_id = $1 AND ($2 IS NULL OR l.created_by = $2) \
         ORDER BY l.created_at DESC, l.id LIMIT 500"
    ))
    .bind(workspace_id)
    .bind(created_by)
    .fetch_all(e)
    .await
}

/// Whether the creator already has a live link of this role here (the default links).
pub async fn has_live<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    created_by: &str,
    role: &str,
    now: i64,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invite_links WHERE workspace_id = $1 AND created_by = $2 \
         AND role = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $4) \
         AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(workspace_id)
    .bind(created_by)
    .bind(role)
    .bind(now)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// Counts one use if the link is still live, in the statement that checks it.
/// `false`: revoked, expired or used up meanwhile.
pub async fn use_once<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE invite_links SET uses = uses + 1 WHERE id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A new code for the same link, its lifetime restarted; `false` if it was revoked.
pub async fn regenerate<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    code_nonce: &str,
    code_hash: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE invite_links SET code_nonce = $2, code_hash = $3, regenerated_at = $4, \
         expires_at = CASE WHEN lifetime_secs IS NULL THEN NULL ELSE $4 + lifetime_secs END \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(code_nonce)
    .bind(code_hash)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes one link; `false` if it already was.
pub async fn revoke<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<bool> {
    let done =
        sqlx::query("UPDATE invite_links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(e)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Passes every live link someone created in a workspace to `heir` (their creator was
/// removed, keeping what they made); returns how many.
pub async fn pass_all_created_by<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    created_by: &str,
    heir: &str,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE invite_links SET created_by = $3 WHERE workspace_id = $1 AND created_by = $2 \
         AND revoked_at IS NULL",
    )
    .bind(workspace_id)
    .bind(created_by)
    .bind(heir)
    .execute(e)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live link someone created in a workspace (when they are removed).
pub async fn revoke_all_created_by<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    created_by: &str,
    now: i64,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE invite_links SET revoked_at = $3 WHERE workspace_id = $1 AND created_by = $2 \
         AND revoked_at IS NULL",
    )
    .bind(workspace_id)
    .bind(created_by)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live link of a workspace (Allow invite links turned off); returns how
/// many. A revoked link is never revived.
pub async fn revoke_all<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    now: i64,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE invite_links SET revoked_at = $2 WHERE workspace_id = $1 AND revoked_at IS NULL",
    )
    .bind(workspace_id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes every link of a workspace (Security page); returns how many.
pub async fn delete_all<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM invite_links WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute(e)
        .await?;
    Ok(done.rows_affected())
}

pub async fn set_notify<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    notify: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE invite_links SET notify_creator = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(notify))
        .execute(e)
        .await
        .map(|_| ())
}

/// Counts a view of the link's page (analytics: total and today's).
pub async fn count_visit<'e, E: Executor<'e, Database = Any> + Copy>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE invite_links SET visits = visits + 1 WHERE id = $1")
        .bind(id)
        .execute(e)
        .await?;
    bump_day(e, id, now, "visits").await
}

/// Counts a join on today's bar of the chart.
pub async fn count_join<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    bump_day(e, id, now, "joins").await
}

async fn bump_day<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
    column: &'static str,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO invite_link_days (link_id, day, {column}) VALUES ($1, $2, 1) \
         ON CONFLICT (link_id, day) DO UPDATE SET {column} = invite_link_days.{column} + 1"
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(now.div_euclid(DAY))
        .execute(e)
        .await
        .map(|_| ())
}

/// One day of a link's chart.
#[derive(Debug, Clone, FromRow)]
pub struct LinkDay {
    pub day: i64,
    pub visits: i64,
    pub joins: i64,
}

/// A link's days from `since` (a Unix day number) on.
pub async fn days<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    since: i64,
) -> StoreResult<Vec<LinkDay>> {
    sqlx::query_as(
        "SELECT day, visits, joins FROM invite_link_days WHERE link_id = $1 AND day >= $2 ORDER BY day",
    )
    .bind(id)
    .bind(since)
    .fetch_all(e)
    .await
}

/// Someone who joined through a link.
#[derive(Debug, Clone, FromRow)]
pub struct LinkJoiner {
    pub display_name: String,
    pub email: String,
    pub joined_at: i64,
}

pub async fn joiners<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    link_id: &str,
) -> StoreResult<Vec<LinkJoiner>> {
    sqlx::query_as(
        "SELECT a.display_name, a.email, m.joined_at FROM memberships m \
         JOIN accounts a ON a.id = m.account_id WHERE m.workspace_id = $1 \
         AND m.joined_via = 'link' AND m.joined_via_ref = $2 ORDER BY m.joined_at DESC LIMIT 500",
    )
    .bind(workspace_id)
    .bind(link_id)
    .fetch_all(e)
    .await
}

/// How many joined through each of a workspace's links (link id, joins).
pub async fn join_counts<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT joined_via_ref, COUNT(*) FROM memberships WHERE workspace_id = $1 \
         AND joined_via = 'link' AND joined_via_ref IS NOT NULL GROUP BY joined_via_ref",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// A sign-up through a link, waiting for the address to be verified.
pub async fn add_signup<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    link_id: &str,
    code_hash: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO link_signups (account_id, link_id, code_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, link_id) DO UPDATE SET code_hash = $3, created_at = $4",
    )
    .bind(account_id)
    .bind(link_id)
    .bind(code_hash)
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// Takes an account's waiting link sign-ups (code hashes), oldest first, deleting them.
pub async fn take_signups<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("DELETE FROM link_signups WHERE account_id = $1 RETURNING code_hash")
        .bind(account_id)
        .fetch_all(e)
        .await
}
