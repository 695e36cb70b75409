//! Owner-only workspace settings: name, plan and seat count, transferring ownership, and
//! deleting the workspace.

use crate::domain::{Plan, Role};
use crate::store::workspaces::Coordinator;
use crate::store::{members, workspaces};

use super::members::Manager;
use super::workspaces::parse_name;
use super::{FieldErrors, ServiceError, ServiceResult, Services, record_event};

pub const MAX_SEATS: i64 = 1_000_000;

fn require_owner(by: &Manager) -> ServiceResult<()> {
    if by.role == Role::Owner {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

pub async fn rename(svc: &Services, by: &Manager, name: &str) -> ServiceResult<()> {
    require_owner(by)?;
    let name = parse_name(name).map_err(ServiceError::Invalid)?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::rename(&mut *tx, &by.workspace_id, &name).await?;
    record_event(
        svc,
        &mut tx,
        by,
        "workspace.renamed",
        None,
        serde_json::json!({ "to": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes plan and seat count; a count below the seats in use is refused, nothing changes.
pub async fn set_plan(
    svc: &Services,
    by: &Manager,
    plan: &str,
    seat_count: &str,
) -> ServiceResult<()> {
    require_owner(by)?;
    let mut errors = FieldErrors::default();
    let plan = Plan::parse(plan)
        .ok_or(())
        .map_err(|()| errors.add("plan", "Choose Trial, Business or Enterprise."))
        .ok();
    let seats = seat_count
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_SEATS).contains(n));
    if seats.is_none() {
        errors.add(
            "seat_count",
            "Enter a whole number of seats from 1 to 1,000,000.",
        );
    }
    let (Some(plan), Some(seats)) = (plan, seats) else {
        return Err(ServiceError::Invalid(errors));
    };
    let mut tx = svc.store.begin_write().await?;
    if !workspaces::set_plan(&mut *tx, &by.workspace_id, plan.as_str(), seats).await? {
        let used = workspaces::by_id(&mut *tx, &by.workspace_id)
            .await?
            .map_or(0, |w| w.seats_used);
        return Err(ServiceError::Invalid(FieldErrors::single(
            "seat_count",
            format!(
                "{} in use. Free seats before lowering the count below {used}.",
                match used {
                    1 => "1 seat is".to_string(),
                    n => format!("{n} seats are"),
                }
            ),
        )));
    }
    record_event(
        svc,
        &mut tx,
        by,
        "workspace.plan_changed",
        None,
        serde_json::json!({ "plan": plan.as_str(), "seat_count": seats }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes another active member an Owner (taking a seat if they hold none) and the current
/// Owner an Admin.
pub async fn transfer_ownership(
    svc: &Services,
    by: &Manager,
    me: &str,
    to_email: &str,
) -> ServiceResult<()> {
    require_owner(by)?;
    let refuse = |m: &str| ServiceError::Invalid(FieldErrors::single("transfer_to", m));
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let email = to_email.trim().to_lowercase();
    let target = crate::store::accounts::by_email(&mut *tx, &email).await?;
    let membership = match &target {
        Some(a) if a.id != me => members::find(&mut *tx, &by.workspace_id, &a.id).await?,
        _ => None,
    };
    let (Some(account), Some(membership)) = (target, membership) else {
        return Err(refuse(
            "Enter the email address of another member of this workspace.",
        ));
    };
    if membership.status != "active" {
        return Err(refuse("Reactivate that member before making them Owner."));
    }
    if membership.has_seat == 0 && !workspaces::take_seat(&mut *tx, &by.workspace_id).await? {
        return Err(refuse(
            "No free seat for the new Owner. Free one or raise the seat count first.",
        ));
    }
    members::set_role(
        &mut *tx,
        &by.workspace_id,
        &account.id,
        Role::Owner.as_str(),
        true,
    )
    .await?;
    members::set_role(&mut *tx, &by.workspace_id, me, Role::Admin.as_str(), true).await?;
    let details = serde_json::json!({ "from": membership.role, "to": "owner", "previous_owner_now": "admin" });
    record_event(
        svc,
        &mut tx,
        by,
        "workspace.ownership_transferred",
        Some(&account.id),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the workspace when `confirmation` is its exact name. Accounts stay.
pub async fn delete(
    svc: &Services,
    by: &Manager,
    name: &str,
    confirmation: &str,
) -> ServiceResult<()> {
    require_owner(by)?;
    if confirmation.trim() != name {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "confirm_name",
            "Type the name of the workspace exactly to delete it.",
        )));
    }
    let mut tx = svc.store.begin_write().await?;
    record_event(
        svc,
        &mut tx,
        by,
        "workspace.deleted",
        None,
        serde_json::json!({ "name": name }),
    )
    .await?;
    workspaces::delete(&mut *tx, &by.workspace_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the coordinator card (Admins and Owners). Every field is optional; an email, if
/// given, must be valid.
pub async fn set_coordinator(svc: &Services, by: &Manager, card: Coordinator) -> ServiceResult<()> {
    by.require_admin()?;
    let mut errors = FieldErrors::default();
    let trimmed = |s: &str, field: &'static str, max: usize, errors: &mut FieldErrors| {
        let s = s.trim().to_string();
        if s.chars().count() > max {
            errors.add(field, format!("Use at most {max} characters."));
        }
        s
    };
    let mut clean = Coordinator {
        coordinator_name: trimmed(&card.coordinator_name, "coordinator_name", 100, &mut errors),
        coordinator_email: trimmed(
            &card.coordinator_email,
            "coordinator_email",
            254,
            &mut errors,
        ),
        coordinator_phone: trimmed(
            &card.coordinator_phone,
            "coordinator_phone",
            40,
            &mut errors,
        ),
        coordinator_notes: trimmed(
            &card.coordinator_notes,
            "coordinator_notes",
            1000,
            &mut errors,
        ),
    };
    if !clean.coordinator_email.is_empty() {
        match crate::domain::EmailAddress::parse(&clean.coordinator_email) {
            Ok(email) => clean.coordinator_email = email.to_string(),
            Err(m) => errors.add("coordinator_email", m),
        }
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::set_coordinator(&mut *tx, &by.workspace_id, &clean).await?;
    record_event(
        svc,
        &mut tx,
        by,
        "coordinator.updated",
        None,
        serde_json::json!({ "name": clean.coordinator_name, "email": clean.coordinator_email }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
