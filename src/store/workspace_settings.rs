//! The settings that govern who may join a workspace and how: who may invite, invitation
//! expiry, auto-approval, invite links, discoverability.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// A workspace's joining settings, with the facts invitations need beside them.
#[derive(Debug, Clone, FromRow)]
pub struct JoinSettings {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub plan: String,
    pub auto_assign_seats: i64,
    pub allow_invite_links: i64,
    pub auto_approve_join_requests: i64,
    pub discoverable: i64,
    pub who_may_invite: String,
    pub invitation_expiry_days: i64,
}

impl JoinSettings {
    pub fn everyone_may_invite(&self) -> bool {
        self.who_may_invite == "everyone"
    }

    /// When an invitation made or renewed at `now` expires.
    pub fn invitation_expires_at(&self, now: i64) -> i64 {
        now + self.invitation_expiry_days * 86_400
    }
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Option<JoinSettings>> {
    sqlx::query_as(
        "SELECT id, slug, name, plan, auto_assign_seats, allow_invite_links, auto_approve_join_requests, \
         discoverable, who_may_invite, invitation_expiry_days FROM workspaces WHERE id = $1",
    )
    .bind(workspace_id)
    .fetch_optional(e)
    .await
}

/// Who may invite: `admins` (Owners and admins) or `everyone`.
pub async fn set_who_may_invite<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    who: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE workspaces SET who_may_invite = $2 WHERE id = $1")
        .bind(workspace_id)
        .bind(who)
        .execute(e)
        .await
        .map(|_| ())
}

/// The default invitation expiry and whether join requests are approved automatically.
pub async fn set_invitation_defaults<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    expiry_days: i64,
    auto_approve: bool,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE workspaces SET invitation_expiry_days = $2, auto_approve_join_requests = $3 WHERE id = $1",
    )
    .bind(workspace_id)
    .bind(expiry_days)
    .bind(super::flag(auto_approve))
    .execute(e)
    .await
    .map(|_| ())
}

/// Allow invite links: off, no link can be created or used.
pub async fn set_allow_invite_links<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    on: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE workspaces SET allow_invite_links = $2 WHERE id = $1")
        .bind(workspace_id)
        .bind(super::flag(on))
        .execute(e)
        .await
        .map(|_| ())
}

/// Discoverable: on, the workspace is listed on Browse workspaces; off, it is incognito.
pub async fn set_discoverable<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    on: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE workspaces SET discoverable = $2 WHERE id = $1")
        .bind(workspace_id)
        .bind(super::flag(on))
        .execute(e)
        .await
        .map(|_| ())
}
