//! Workspaces: tenants with a plan, a seat count and the settings that govern joining.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// A workspace row as stored.
#[derive(Debug, Clone, FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub plan: String,
    pub seat_count: i64,
    pub seats_used: i64,
    pub auto_assign_seats: i64,
    pub created_at: i64,
    /// Bumped by the database with every change to what the Members page lists
    /// (migrations/*/0008_member_list_version.sql).
    pub list_version: i64,
}

const COLUMNS: &str =
    "id, slug, name, plan, seat_count, seats_used, auto_assign_seats, created_at, list_version";

/// What a new workspace is made of.
pub struct NewWorkspace<'a> {
    pub id: &'a str,
    pub slug: &'a str,
    pub name: &'a str,
    pub plan: &'a str,
    pub seat_count: i64,
    pub created_by: &'a str,
    pub now: i64,
}

/// Inserts a workspace; `None` when the slug is taken.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    w: NewWorkspace<'_>,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "INSERT INTO workspaces (id, slug, name, plan, seat_count, seats_used, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(w.id)
    .bind(w.slug)
    .bind(w.name)
    .bind(w.plan)
    .bind(w.seat_count)
    .bind(w.created_by)
    .bind(w.now)
    .fetch_optional(e)
    .await
}

pub async fn by_slug<'e, E: Executor<'e, Database = Any>>(
    e: E,
    slug: &str,
) -> StoreResult<Option<WorkspaceRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM workspaces WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(e)
        .await
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
) -> StoreResult<Option<WorkspaceRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await
}

/// Takes one seat if one is free, in the statement that checks it. `false`: no seat left.
pub async fn take_seat<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<bool> {
    let taken: Option<i64> = sqlx::query_scalar(
        "UPDATE workspaces SET seats_used = seats_used + 1 \
         WHERE id = $1 AND seats_used < seat_count RETURNING seats_used",
    )
    .bind(workspace_id)
    .fetch_optional(e)
    .await?;
    Ok(taken.is_some())
}

/// Gives one seat back.
pub async fn release_seat<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE workspaces SET seats_used = seats_used - 1 WHERE id = $1 AND seats_used > 0",
    )
    .bind(workspace_id)
    .execute(e)
    .await
    .map(|_| ())
}

/// A workspace the account belongs to, for the switcher and the account page.
#[derive(Debug, Clone)]
pub struct MyWorkspace {
    pub slug: String,
    pub name: String,
    pub role: String,
    pub status: String,
}

/// One of an account's memberships with its workspace (read by `who`).
#[derive(Debug, Clone)]
pub struct MembershipIn {
    pub workspace: WorkspaceRow,
    pub membership: super::members::MembershipRow,
}

impl MembershipIn {
    /// The switcher's entry for it.
    pub fn entry(&self) -> MyWorkspace {
        MyWorkspace {
            slug: self.workspace.slug.clone(),
            name: self.workspace.name.clone(),
            role: self.membership.role.clone(),
            status: self.membership.status.clone(),
        }
    }
}

/// Locks the workspace row until the transaction ends (a no-op write: a row lock on
/// PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers). Rules that count
/// rows, such as "the last Owner", take this first.
pub async fn lock<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<bool> {
    let locked = sqlx::query("UPDATE workspaces SET seats_used = seats_used WHERE id = $1")
        .bind(workspace_id)
        .execute(e)
        .await?;
    Ok(locked.rows_affected() == 1)
}

/// Turns the Auto-assign seats setting on or off.
pub async fn set_auto_assign<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    on: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE workspaces SET auto_assign_seats = $2 WHERE id = $1")
        .bind(workspace_id)
        .bind(super::flag(on))
        .execute(e)
        .await
        .map(|_| ())
}

pub async fn rename<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    name: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE workspaces SET name = $2 WHERE id = $1")
        .bind(workspace_id)
        .bind(name)
        .execute(e)
        .await
        .map(|_| ())
}

/// Sets plan and seat count unless fewer seats than are in use; `false` when refused.
pub async fn set_plan<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    plan: &str,
    seat_count: i64,
) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE workspaces SET plan = $2, seat_count = $3 WHERE id = $1 AND seats_used <= $3",
    )
    .bind(workspace_id)
    .bind(plan)
    .bind(seat_count)
    .execute(e)
    .await?;
    Ok(changed.rows_affected() == 1)
}

pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM workspaces WHERE id = $1")
        .bind(workspace_id)
        .execute(e)
        .await
        .map(|_| ())
}

/// The workspace's help contact.
#[derive(Debug, Clone, Default, FromRow, serde::Deserialize)]
pub struct Coordinator {
    #[serde(default)]
    pub coordinator_name: String,
    #[serde(default)]
    pub coordinator_email: String,
    #[serde(default)]
    pub coordinator_phone: String,
    #[serde(default)]
    pub coordinator_notes: String,
}

pub async fn coordinator<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Coordinator> {
    sqlx::query_as(
        "SELECT coordinator_name, coordinator_email, coordinator_phone, coordinator_notes FROM workspaces WHERE id = $1",
    )
    .bind(workspace_id)
    .fetch_one(e)
    .await
}

pub async fn set_coordinator<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    c: &Coordinator,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE workspaces SET coordinator_name = $2, coordinator_email = $3, coordinator_phone = $4, \
         coordinator_notes = $5 WHERE id = $1",
    )
    .bind(workspace_id)
    .bind(&c.coordinator_name)
    .bind(&c.coordinator_email)
    .bind(&c.coordinator_phone)
    .bind(&c.coordinator_notes)
    .execute(e)
    .await
    .map(|_| ())
}
