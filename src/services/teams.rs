//! Teams: Admins create, rename and delete them, add and remove members, and pick each
//! member's primary team. Team and member ids from forms are checked against the
//! workspace in the URL. Like every other change to an Owner, an Owner's teams are only an
//! Owner's to change: an Admin adding, removing or re-primarying an Owner is refused (403).

use crate::domain::Role;
use crate::store::{accounts, members, teams, workspaces};

use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services, Tx, record_event};

fn parse_team_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "team_name",
            "Give the team a name of 1 to 60 characters.",
        )));
    }
    Ok(name.to_string())
}

const TAKEN: &str = "This workspace already has a team with that name.";

async fn team_name(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &Manager,
    team_id: &str,
) -> ServiceResult<String> {
    teams::name_of(&mut **tx, &by.workspace_id, team_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Opens the write transaction for a change to people's teams, the workspace locked so a
/// role change cannot slip in between the check and the change.
async fn begin_locked(svc: &Services, by: &Manager) -> ServiceResult<Tx> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    Ok(tx)
}

/// Admins cannot touch Owners: refuses (403) an Admin changing an Owner's teams.
async fn refuse_owner(tx: &mut Tx, by: &Manager, account_id: &str) -> ServiceResult<()> {
    if by.role == Role::Owner {
        return Ok(());
    }
    let target = members::find(&mut **tx, &by.workspace_id, account_id).await?;
    if target.is_some_and(|m| m.role == Role::Owner.as_str()) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

pub async fn create(svc: &Services, by: &Manager, name: &str) -> ServiceResult<()> {
    by.require_admin()?;
    let name = parse_team_name(name)?;
    let mut tx = svc.store.begin_write().await?;
    let id = uuid::Uuid::new_v4().to_string();
    if !teams::create(&mut *tx, &id, &by.workspace_id, &name, svc.clock.now()).await? {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "team_name",
            TAKEN,
        )));
    }
    record_event(
        svc,
        &mut tx,
        by,
        "team.created",
        None,
        serde_json::json!({ "team": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rename(svc: &Services, by: &Manager, team_id: &str, name: &str) -> ServiceResult<()> {
    by.require_admin()?;
    let name = parse_team_name(name)?;
    let mut tx = svc.store.begin_write().await?;
    let old = team_name(&mut tx, by, team_id).await?;
    if let Err(e) = teams::rename(&mut *tx, &by.workspace_id, team_id, &name).await {
        return Err(if crate::store::is_unique_violation(&e) {
            ServiceError::Invalid(FieldErrors::single("team_name", TAKEN))
        } else {
            e.into()
        });
    }
    record_event(
        svc,
        &mut tx,
        by,
        "team.renamed",
        None,
        serde_json::json!({ "from": old, "to": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(svc: &Services, by: &Manager, team_id: &str) -> ServiceResult<()> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    let name = team_name(&mut tx, by, team_id).await?;
    teams::delete(&mut *tx, &by.workspace_id, team_id).await?;
    record_event(
        svc,
        &mut tx,
        by,
        "team.deleted",
        None,
        serde_json::json!({ "team": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a member of the workspace (by email) to a team.
pub async fn add_member(
    svc: &Services,
    by: &Manager,
    team_id: &str,
    email: &str,
) -> ServiceResult<()> {
    let mut tx = begin_locked(svc, by).await?;
    let name = team_name(&mut tx, by, team_id).await?;
    let account = accounts::by_email(&mut *tx, &email.trim().to_lowercase()).await?;
    let member = match &account {
        Some(a) => members::find(&mut *tx, &by.workspace_id, &a.id).await?,
        None => None,
    };
    let (Some(account), Some(_)) = (account, member) else {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "email",
            "Enter the email address of a member of this workspace.",
        )));
    };
    refuse_owner(&mut tx, by, &account.id).await?;
    if !teams::add_member(
        &mut *tx,
        &by.workspace_id,
        team_id,
        &account.id,
        svc.clock.now(),
    )
    .await?
    {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "email",
            "That member is already in the team.",
        )));
    }
    record_event(
        svc,
        &mut tx,
        by,
        "team.member_added",
        Some(&account.id),
        serde_json::json!({ "team": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(
    svc: &Services,
    by: &Manager,
    team_id: &str,
    account_id: &str,
) -> ServiceResult<()> {
    let mut tx = begin_locked(svc, by).await?;
    let name = team_name(&mut tx, by, team_id).await?;
    refuse_owner(&mut tx, by, account_id).await?;
    teams::remove_member(&mut *tx, team_id, account_id).await?;
    record_event(
        svc,
        &mut tx,
        by,
        "team.member_removed",
        Some(account_id),
        serde_json::json!({ "team": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes this team the member's primary one (and no other).
pub async fn set_primary(
    svc: &Services,
    by: &Manager,
    team_id: &str,
    account_id: &str,
) -> ServiceResult<()> {
    let mut tx = begin_locked(svc, by).await?;
    let name = team_name(&mut tx, by, team_id).await?;
    refuse_owner(&mut tx, by, account_id).await?;
    teams::clear_primary(&mut *tx, &by.workspace_id, account_id).await?;
    if !teams::set_primary(&mut *tx, team_id, account_id).await? {
        return Err(ServiceError::NotFound);
    }
    record_event(
        svc,
        &mut tx,
        by,
        "team.primary_set",
        Some(account_id),
        serde_json::json!({ "team": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses (beside the "teams" field) any team id that is not a team of this workspace:
/// the teams an invitation or a link puts newcomers in.
pub(crate) async fn check_known(
    tx: &mut Tx,
    workspace_id: &str,
    primary: Option<&String>,
    extra: &[String],
) -> ServiceResult<()> {
    let known: std::collections::HashSet<String> = teams::list(&mut **tx, workspace_id)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if primary
        .into_iter()
        .chain(extra)
        .any(|id| !known.contains(id))
    {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "teams",
            "Pick teams of this workspace.",
        )));
    }
    Ok(())
}
