//! The first run of a new workspace (seed 004 "During onboarding"): the first-run page's
//! default team is created together with a Member link that puts joiners in it.

use super::members::Manager;
use super::{ServiceError, ServiceResult, Services, links, teams};
use crate::store::teams as team_store;

/// Creates the default team and a Member link that pre-assigns it (replacing this
/// person's unused team-less one). Bad names are refused beside the field.
pub async fn create_default_team(svc: &Services, by: &Manager, name: &str) -> ServiceResult<()> {
    teams::create(svc, by, name).await?;
    let team = team_store::list(svc.store.pool(), &by.workspace_id)
        .await?
        .into_iter()
        .find(|t| t.name == name.trim())
        .ok_or(ServiceError::NotFound)?;
    links::default_for_team(svc, by, &team.id).await?;
    Ok(())
}
