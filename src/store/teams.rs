//! Teams: named groups inside a workspace; each member has at most one primary team.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// A team with its member count.
#[derive(Debug, Clone, FromRow)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub members: i64,
}

/// Inserts a team; `false` when the workspace already has one of that name.
pub async fn create<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    workspace_id: &str,
    name: &str,
    now: i64,
) -> StoreResult<bool> {
    let inserted: Option<String> = sqlx::query_scalar(
        "INSERT INTO teams (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(workspace_id)
    .bind(name)
    .bind(now)
    .fetch_optional(e)
    .await?;
    Ok(inserted.is_some())
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<TeamRow>> {
    sqlx::query_as(
        "SELECT t.id, t.name, (SELECT COUNT(*) FROM team_members tm WHERE tm.team_id = t.id) AS members \
         FROM teams t WHERE t.workspace_id = $1 ORDER BY lower(t.name)",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// The team's name, if it belongs to the workspace (ids from forms are checked here).
pub async fn name_of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    team_id: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT name FROM teams WHERE id = $1 AND workspace_id = $2")
        .bind(team_id)
        .bind(workspace_id)
        .fetch_optional(e)
        .await
}

pub async fn rename<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    team_id: &str,
    name: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE teams SET name = $3 WHERE id = $1 AND workspace_id = $2")
        .bind(team_id)
        .bind(workspace_id)
        .bind(name)
        .execute(e)
        .await
        .map(|_| ())
}

pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    team_id: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM teams WHERE id = $1 AND workspace_id = $2")
        .bind(team_id)
        .bind(workspace_id)
        .execute(e)
        .await
        .map(|_| ())
}

/// Adds a member; `false` when already in the team.
pub async fn add_member<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    team_id: &str,
    account_id: &str,
    now: i64,
) -> StoreResult<bool> {
    let added = sqlx::query(
        "INSERT INTO team_members (team_id, workspace_id, account_id, is_primary, added_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (team_id, account_id) DO NOTHING",
    )
    .bind(team_id)
    .bind(workspace_id)
    .bind(account_id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(added.rows_affected() == 1)
}

pub async fn remove_member<'e, E: Executor<'e, Database = Any>>(
    e: E,
    team_id: &str,
    account_id: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND account_id = $2")
        .bind(team_id)
        .bind(account_id)
        .execute(e)
        .await
        .map(|_| ())
}

/// Clears the member's primary team in the workspace (before setting a new one).
pub async fn clear_primary<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE team_members SET is_primary = 0 WHERE workspace_id = $1 AND account_id = $2 AND is_primary = 1")
        .bind(workspace_id)
        .bind(account_id)
        .execute(e)
        .await
        .map(|_| ())
}

pub async fn set_primary<'e, E: Executor<'e, Database = Any>>(
    e: E,
    team_id: &str,
    account_id: &str,
) -> StoreResult<bool> {
    let set = sqlx::query(
        "UPDATE team_members SET is_primary = 1 WHERE team_id = $1 AND account_id = $2",
    )
    .bind(team_id)
    .bind(account_id)
    .execute(e)
    .await?;
    Ok(set.rows_affected() == 1)
}

/// A team membership as listed.
#[derive(Debug, Clone, FromRow)]
pub struct TeamMember {
    pub team_id: String,
    pub team_name: String,
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    pub is_primary: i64,
    /// Their role in the workspace (an Admin cannot change an Owner's teams).
    pub role: String,
}

const MEMBER_SELECT: &str = "SELECT tm.team_id, t.name AS team_name, tm.account_id, a.display_name, a.email, tm.is_primary, \
                             COALESCE(m.role, '') AS role \
                             FROM team_members tm JOIN teams t ON t.id = tm.team_id JOIN accounts a ON a.id = tm.account_id \
                             LEFT JOIN memberships m ON m.workspace_id = tm.workspace_id AND m.account_id = tm.account_id";

/// Every team membership of a workspace (for the Teams page).
pub async fn members_of_workspace<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<TeamMember>> {
    sqlx::query_as(&format!(
        "{MEMBER_SELECT} WHERE tm.workspace_id = $1 ORDER BY lower(t.name), lower(a.display_name)"
    ))
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// A team shown in a member's row.
#[derive(Debug, Clone, FromRow)]
pub struct TeamTagRow {
    pub account_id: String,
    pub team_name: String,
    pub is_primary: i64,
}

/// The teams of the given members (one page of the Members list), primary first. Reads
/// only the covering index `team_members_tags` and `teams_names` (no table rows).
pub async fn of_accounts<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_ids: &[String],
) -> StoreResult<Vec<TeamTagRow>> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..account_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT tm.account_id, t.name AS team_name, tm.is_primary \
         FROM team_members tm JOIN teams t ON t.id = tm.team_id \
         WHERE tm.workspace_id = $1 AND tm.account_id IN ({}) ORDER BY tm.is_primary DESC, lower(t.name)",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(workspace_id);
    for id in account_ids {
        query = query.bind(id);
    }
    query.fetch_all(e).await
}
