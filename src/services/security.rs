//! The Security page's joining settings: who may invite (Owner only), and the default
//! invitation expiry and auto-approval of join requests (Owners and Admins).

use crate::domain::Role;
use crate::store::workspace_settings;

use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services, record_event};

/// The longest default invitation expiry, in days.
pub const MAX_EXPIRY_DAYS: i64 = 90;

/// Owners and admins (`admins`) or everyone (`everyone`) may invite.
pub async fn set_who_may_invite(svc: &Services, by: &Manager, who: &str) -> ServiceResult<()> {
    if by.role != Role::Owner {
        return Err(ServiceError::Forbidden);
    }
    if who != "admins" && who != "everyone" {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "who_may_invite",
            "Choose Owners and admins, or Everyone.",
        )));
    }
    let mut tx = svc.store.begin_write().await?;
    workspace_settings::set_who_may_invite(&mut *tx, &by.workspace_id, who).await?;
    let details = serde_json::json!({ "setting": "who_may_invite", "to": who });
    record_event(svc, &mut tx, by, "settings.changed", None, details).await?;
    tx.commit().await?;
    Ok(())
}

/// The default expiry of new invitations (1 to 90 days) and Auto-approve join requests.
pub async fn set_invitation_defaults(
    svc: &Services,
    by: &Manager,
    expiry_days: &str,
    auto_approve: bool,
) -> ServiceResult<()> {
    by.require_admin()?;
    let days = match expiry_days.trim().parse::<i64>() {
        Ok(d) if (1..=MAX_EXPIRY_DAYS).contains(&d) => d,
        _ => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "invitation_expiry_days",
                format!("Enter a whole number of days from 1 to {MAX_EXPIRY_DAYS}."),
            )));
        }
    };
    let mut tx = svc.store.begin_write().await?;
    workspace_settings::set_invitation_defaults(&mut *tx, &by.workspace_id, days, auto_approve)
        .await?;
    let details = serde_json::json!({
        "setting": "invitation_defaults",
        "invitation_expiry_days": days,
        "auto_approve_join_requests": auto_approve,
    });
    record_event(svc, &mut tx, by, "settings.changed", None, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Discoverable (Owners and Admins): on, signed-in people find the workspace on Browse
/// workspaces and may ask to join; off (incognito), it is never listed. Invitations and
/// links work either way.
pub async fn set_discoverable(svc: &Services, by: &Manager, on: bool) -> ServiceResult<()> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspace_settings::set_discoverable(&mut *tx, &by.workspace_id, on).await?;
    let details = serde_json::json!({ "setting": "discoverable", "discoverable": on });
    record_event(svc, &mut tx, by, "settings.changed", None, details).await?;
    tx.commit().await?;
    Ok(())
}
