//! The badge with the number of Members' invitations waiting for an admin's approval: in
//! the header beside Invitations (htmx loads it, as it loads the join requests' badge) and
//! on the Invitations tab's *Awaiting approval* filter.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::super::extract::Admin;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::invitations;

#[derive(Template, WebTemplate)]
#[template(path = "invitations/_awaiting_badge.html")]
pub struct AwaitingBadge {
    pub count: i64,
}

/// GET `/w/{slug}/invitations/awaiting`: the header's badge (empty when none wait).
pub async fn badge(State(svc): State<Services>, Admin(member): Admin) -> AppResult<AwaitingBadge> {
    Ok(AwaitingBadge {
        count: count(&svc, &member.workspace.id).await?,
    })
}

pub async fn count(svc: &Services, workspace_id: &str) -> AppResult<i64> {
    Ok(invitations::count_awaiting_approval(svc.store.pool(), workspace_id).await?)
}
