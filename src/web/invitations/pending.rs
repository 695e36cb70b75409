//! The Members page's Pending filter: the outstanding (pending, unexpired) invitations,
//! searched by address prefix, newest first.

use super::InvitationItem;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::invitation_list::{self, InvitationFilter};

/// Up to `limit` pending invitations from `offset`, and how many there are.
pub async fn load(
    svc: &Services,
    workspace_id: &str,
    search: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<InvitationItem>, i64)> {
    let pool = svc.store.pool();
    let now = svc.clock.now();
    let filter = InvitationFilter::Pending;
    let rows =
        invitation_list::page(pool, workspace_id, filter, search, now, limit, offset).await?;
    let total = invitation_list::count(pool, workspace_id, filter, search, now).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let extra = invitation_list::extra_team_names(pool, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| InvitationItem::new(r, &extra, now))
        .collect();
    Ok((items, total))
}
