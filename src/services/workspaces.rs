//! Workspace workflows: create one (its creator becomes Owner with a seat) and leave one
//! (never its last Owner).

use crate::domain::{Plan, Role, slug};
use crate::store::audit::{self, NewEvent};
use crate::store::members::{self, NewMembership};
use crate::store::workspaces::{self, NewWorkspace};

use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services};

const MAX_NAME_CHARS: usize = 80;

/// Validates a workspace name.
pub fn parse_name(name: &str) -> Result<String, FieldErrors> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldErrors::single("name", "Give the workspace a name."));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(FieldErrors::single(
            "name",
            "Use at most 80 characters, without control characters.",
        ));
    }
    Ok(name.to_string())
}

/// Creates a workspace on the Trial plan; the creator becomes its Owner, holding a seat.
/// Returns the new workspace's slug.
pub async fn create(
    svc: &Services,
    account_id: &str,
    name: &str,
    actor: &Actor,
) -> ServiceResult<String> {
    let name = parse_name(name).map_err(ServiceError::Invalid)?;
    let base = slug::slugify(&name);
    let now = svc.clock.now();
    let plan = Plan::Trial;
    let mut tx = svc.store.begin_write().await?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut chosen = None;
    for attempt in 0..8 {
        let candidate = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6])
        };
        let new = NewWorkspace {
            id: &id,
            slug: &candidate,
            name: &name,
            plan: plan.as_str(),
            seat_count: plan.default_seats(),
            created_by: account_id,
            now,
        };
        if workspaces::insert(&mut *tx, new).await?.is_some() {
            chosen = Some(candidate);
            break;
        }
    }
    let slug = chosen.ok_or_else(|| anyhow::anyhow!("no free slug for {base}"))?;
    if !workspaces::take_seat(&mut *tx, &id).await? {
        return Err(anyhow::anyhow!("a new workspace has no free seat").into());
    }
    let owner = NewMembership {
        workspace_id: &id,
        account_id,
        role: Role::Owner.as_str(),
        has_seat: true,
        joined_via: "created",
        joined_via_ref: None,
        invited_by: None,
        now,
    };
    members::insert(&mut *tx, owner).await?;
    let details =
        serde_json::json!({ "name": name, "slug": slug, "plan": plan.as_str() }).to_string();
    audit::record(
        &mut *tx,
        workspace_event(
            &id,
            actor,
            "workspace.created",
            Some(account_id),
            Some(details),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(slug)
}

/// Leaves a workspace. Refused (nothing changes) for its last Owner, and while suspended:
/// a suspension ends only by an admin's Reactivate (or Remove), never by leaving and
/// rejoining through a link, a domain, Browse or an invitation.
pub async fn leave(
    svc: &Services,
    slug: &str,
    account_id: &str,
    actor: &Actor,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let workspace = workspaces::by_slug(&mut *tx, slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    workspaces::lock(&mut *tx, &workspace.id).await?;
    let Some(left) = members::delete_leaving(&mut *tx, &workspace.id, account_id).await? else {
        return match members::find(&mut *tx, &workspace.id, account_id).await? {
            Some(m) if m.status == "suspended" => Err(ServiceError::Invalid(FieldErrors::single(
                "leave",
                "Your access to this workspace is suspended. Only an admin can reactivate or remove you.",
            ))),
            Some(_) => Err(ServiceError::Invalid(FieldErrors::single(
                "leave",
                "You are the last Owner of this workspace. Transfer ownership before you leave.",
            ))),
            None => Err(ServiceError::NotFound),
        };
    };
    if left.has_seat == 1 {
        workspaces::release_seat(&mut *tx, &workspace.id).await?;
    }
    let details = serde_json::json!({ "role": left.role }).to_string();
    audit::record(
        &mut *tx,
        workspace_event(
            &workspace.id,
            actor,
            "member.left",
            Some(account_id),
            Some(details),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An audit event in a workspace about one account.
pub fn workspace_event<'a>(
    workspace_id: &'a str,
    actor: &'a Actor,
    action: &'a str,
    target_account_id: Option<&'a str>,
    details: Option<String>,
    now: i64,
) -> NewEvent<'a> {
    NewEvent {
        workspace_id: Some(workspace_id),
        actor_account_id: actor.account_id.as_deref(),
        action,
        target_account_id,
        target: None,
        details,
        ip: actor.ip.as_deref(),
        now,
        api_token_id: actor.api_token_id.as_deref(),
    }
}
