//! Loading a page of invitations ready to show: the Invitations tab (any status filter)
//! and the Members page's Pending filter (outstanding invitations, by address prefix).

use super::InvitationItem;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::invitation_list::{self, InvitationFilter};

/// Up to `limit` invitations matching `filter` from `offset`, and how many there are.
pub async fn load(
    svc: &Services,
    workspace_id: &str,
    filter: InvitationFilter,
    search: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<InvitationItem>, i64)> {
    let pool = svc.store.pool();
    let now = svc.clock.now();
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
