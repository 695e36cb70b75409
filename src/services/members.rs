//! Managing members: roles, seats, suspension, removal and the Assign seats button.
//! Every rule that counts (free seats, the last Owner) is checked inside the write
//! transaction that changes the data, after locking the workspace row, so concurrent
//! requests cannot break it on either database.

use crate::domain::{MembershipStatus, Role};
use crate::services::Tx;
use crate::store::members::{self, MembershipRow};
use crate::store::{invitations, links, outbox, workspaces};

use super::{
    Actor, FieldErrors, ServiceError, ServiceResult, Services, record_event, webhook_events,
};

/// An Owner or Admin acting on their workspace.
#[derive(Debug, Clone)]
pub struct Manager {
    pub workspace_id: String,
    pub role: Role,
    pub actor: Actor,
}

impl Manager {
    /// Owners and Admins pass; anyone else is refused (403).
    pub fn require_admin(&self) -> ServiceResult<()> {
        if self.role.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }
}

/// A refusal shown beside the member's row; nothing changed.
fn refuse(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single("member", message))
}

pub const NO_SEAT: &str =
    "No free seat: every seat is in use. Free one, or raise the seat count on Plan & seats.";
const LAST_OWNER: &str = "This is the workspace's last Owner. Transfer ownership first.";

/// Opens the write transaction, locks the workspace and loads the target membership,
/// refusing when an Admin targets an Owner.
async fn begin(
    svc: &Services,
    by: &Manager,
    account_id: &str,
) -> ServiceResult<(Tx, MembershipRow, Role)> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let target = members::find(&mut *tx, &by.workspace_id, account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let role =
        Role::parse(&target.role).ok_or_else(|| anyhow::anyhow!("unknown role {}", target.role))?;
    if role == Role::Owner && by.role != Role::Owner {
        return Err(refuse("Admins cannot change Owners."));
    }
    Ok((tx, target, role))
}

async fn is_last_owner(tx: &mut Tx, target: &MembershipRow, role: Role) -> ServiceResult<bool> {
    Ok(role == Role::Owner
        && target.status == "active"
        && members::count_active_owners(&mut **tx, &target.workspace_id).await? <= 1)
}

async fn finish(
    svc: &Services,
    mut tx: Tx,
    by: &Manager,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    webhook_events::member(
        &mut tx,
        &by.workspace_id,
        target,
        action,
        details.clone(),
        now,
    )
    .await?;
    record_event(svc, &mut tx, by, action, Some(target), details).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a member's role. Promoting into a seat needs a free one; demoting to Viewer
/// releases it. Nobody grants above their own role; Owner is only given by transfer.
pub async fn change_role(
    svc: &Services,
    by: &Manager,
    account_id: &str,
    new_role: Role,
) -> ServiceResult<()> {
    if !by.role.can_grant(new_role) {
        return Err(refuse(format!(
            "You cannot make someone {}.",
            new_role.label()
        )));
    }
    let (mut tx, target, old_role) = begin(svc, by, account_id).await?;
    if old_role == new_role {
        return Ok(());
    }
    if is_last_owner(&mut tx, &target, old_role).await? {
        return Err(refuse(LAST_OWNER));
    }
    let active = target.status == "active";
    let had_seat = target.has_seat == 1;
    let needs_seat = active && new_role.holds_seat();
    if needs_seat && !had_seat && !workspaces::take_seat(&mut *tx, &by.workspace_id).await? {
        return Err(refuse(NO_SEAT));
    }
    if had_seat && !needs_seat {
        workspaces::release_seat(&mut *tx, &by.workspace_id).await?;
    }
    members::set_role(
        &mut *tx,
        &by.workspace_id,
        account_id,
        new_role.as_str(),
        needs_seat,
    )
    .await?;
    let details = serde_json::json!({ "from": old_role.as_str(), "to": new_role.as_str(), "seat": needs_seat });
    finish(svc, tx, by, "member.role_changed", account_id, details).await
}

/// Suspends a member: access ends on their next request; the seat is released.
pub async fn suspend(svc: &Services, by: &Manager, account_id: &str) -> ServiceResult<()> {
    let (mut tx, target, role) = begin(svc, by, account_id).await?;
    if target.status != "active" {
        return Ok(());
    }
    if is_last_owner(&mut tx, &target, role).await? {
        return Err(refuse(LAST_OWNER));
    }
    if target.has_seat == 1 {
        workspaces::release_seat(&mut *tx, &by.workspace_id).await?;
    }
    members::set_status(&mut *tx, &by.workspace_id, account_id, "suspended", false).await?;
    finish(
        svc,
        tx,
        by,
        "member.suspended",
        account_id,
        serde_json::json!({ "role": role.as_str() }),
    )
    .await
}

/// Reactivates a suspended member; a seat-holding role needs a free seat again.
pub async fn reactivate(svc: &Services, by: &Manager, account_id: &str) -> ServiceResult<()> {
    let (mut tx, target, role) = begin(svc, by, account_id).await?;
    if MembershipStatus::parse(&target.status) != Some(MembershipStatus::Suspended) {
        return Ok(());
    }
    let seat = role.holds_seat();
    if seat && !workspaces::take_seat(&mut *tx, &by.workspace_id).await? {
        return Err(refuse(NO_SEAT));
    }
    members::set_status(&mut *tx, &by.workspace_id, account_id, "active", seat).await?;
    finish(
        svc,
        tx,
        by,
        "member.reactivated",
        account_id,
        serde_json::json!({ "role": role.as_str(), "seat": seat }),
    )
    .await
}

/// Removes someone from the workspace (their account stays) and releases the seat. With
/// `revoke_created`, the open invitations they sent (their unsent emails cancelled) and
/// the invite links they created are revoked in the same transaction; without it they
/// pass to the remover and keep working (SPEC, "creator leaves").
pub async fn remove(
    svc: &Services,
    by: &Manager,
    account_id: &str,
    revoke_created: bool,
) -> ServiceResult<()> {
    let (mut tx, target, role) = begin(svc, by, account_id).await?;
    if is_last_owner(&mut tx, &target, role).await? {
        return Err(refuse(LAST_OWNER));
    }
    let removed = members::delete_unless_last_owner(&mut *tx, &by.workspace_id, account_id)
        .await?
        .ok_or_else(|| refuse(LAST_OWNER))?;
    if removed.has_seat == 1 {
        workspaces::release_seat(&mut *tx, &by.workspace_id).await?;
    }
    let mut details = serde_json::json!({ "role": role.as_str() });
    let made = match revoke_created {
        true => revoke_made_by(svc, &mut tx, by, account_id).await?,
        false => pass_made_by(&mut tx, by, account_id).await?,
    };
    if let (Some(map), serde_json::Value::Object(made)) = (details.as_object_mut(), made) {
        map.extend(made);
    }
    finish(svc, tx, by, "member.removed", account_id, details).await
}

/// Revokes the open invitations and live links `account_id` made; the counts for the
/// audit event.
async fn revoke_made_by(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    account_id: &str,
) -> ServiceResult<serde_json::Value> {
    let now = svc.clock.now();
    let ids = invitations::revoke_all_sent_by(&mut **tx, &by.workspace_id, account_id, now).await?;
    for id in &ids {
        outbox::cancel_by_ref(&mut **tx, id, now).await?;
    }
    let links = links::revoke_all_created_by(&mut **tx, &by.workspace_id, account_id, now).await?;
    Ok(serde_json::json!({ "invitations_revoked": ids.len(), "links_revoked": links }))
}

/// Passes the open invitations and live links `account_id` made to the remover, so they
/// keep working; the counts for the audit event.
async fn pass_made_by(
    tx: &mut Tx,
    by: &Manager,
    account_id: &str,
) -> ServiceResult<serde_json::Value> {
    let Some(heir) = by.actor.account_id.as_deref() else {
        return Ok(serde_json::json!({}));
    };
    let ws = &by.workspace_id;
    let invitations = invitations::pass_all_sent_by(&mut **tx, ws, account_id, heir).await?;
    let links = links::pass_all_created_by(&mut **tx, ws, account_id, heir).await?;
    Ok(serde_json::json!({ "invitations_passed": invitations, "links_passed": links }))
}

/// What the Assign seats button did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatAssignment {
    pub promoted: i64,
    pub waiting: i64,
}

/// Promotes active Viewers to Member, oldest join first, until the seats are full.
pub async fn assign_seats(svc: &Services, by: &Manager) -> ServiceResult<SeatAssignment> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let workspace = workspaces::by_id(&mut *tx, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let free = (workspace.seat_count - workspace.seats_used).max(0);
    let mut promoted = 0;
    for account_id in members::waiting_viewers(&mut *tx, &by.workspace_id, free).await? {
        if !workspaces::take_seat(&mut *tx, &by.workspace_id).await? {
            break;
        }
        members::set_role(
            &mut *tx,
            &by.workspace_id,
            &account_id,
            Role::Member.as_str(),
            true,
        )
        .await?;
        let details = serde_json::json!({ "from": "viewer", "to": "member", "seat": true, "by": "assign_seats" });
        let (ws, now) = (&by.workspace_id, svc.clock.now());
        let event = "member.role_changed";
        webhook_events::member(&mut tx, ws, &account_id, event, details.clone(), now).await?;
        record_event(
            svc,
            &mut tx,
            by,
            "member.role_changed",
            Some(&account_id),
            details,
        )
        .await?;
        promoted += 1;
    }
    let waiting = members::count_waiting_viewers(&mut *tx, &by.workspace_id).await?;
    let result = SeatAssignment { promoted, waiting };
    let details = serde_json::json!({ "promoted": promoted, "waiting": waiting });
    record_event(svc, &mut tx, by, "seats.assigned", None, details).await?;
    tx.commit().await?;
    Ok(result)
}

/// Turns Auto-assign seats on or off.
pub async fn set_auto_assign(svc: &Services, by: &Manager, on: bool) -> ServiceResult<()> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::set_auto_assign(&mut *tx, &by.workspace_id, on).await?;
    let details = serde_json::json!({ "setting": "auto_assign_seats", "to": on });
    record_event(svc, &mut tx, by, "settings.changed", None, details).await?;
    tx.commit().await?;
    Ok(())
}
