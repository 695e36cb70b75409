//! Browse workspaces and Request to join: signed-in people list the discoverable
//! workspaces and ask to join one. Asking follows the approval rules: with Auto-approve
//! join requests on they join at once (Member on the seat rule), otherwise a join request
//! (no link, no code) waits for an admin in the popover beside Invite Team. Incognito
//! workspaces answer exactly like unknown ones. Someone an admin declined cannot ask again
//! from here (an invitation or invite link still works).

use crate::domain::Role;
use crate::domain::slug::looks_like_slug;
use crate::services::Tx;
use crate::store::accounts::AccountRow;
use crate::store::discovery::{self, DiscoverableRow};
use crate::store::join_requests;
use crate::store::members;
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::workspaces;

use super::joining::{Newcomer, admit_newcomer};
use super::links::emails;
use super::links::redeem::event;
use super::{Actor, ServiceError, ServiceResult, Services};

/// Workspaces per page.
pub const PAGE_SIZE: i64 = 50;
/// The longest search kept, in characters.
const MAX_SEARCH: usize = 100;
/// The deepest page asked for (keeps the offset arithmetic small).
const MAX_PAGE: i64 = 100_000;

/// Where the visitor stands with a listed workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// May ask to join.
    Outside,
    Member,
    /// A member whose access an admin suspended.
    Suspended,
    Requested,
    Declined,
}

impl Standing {
    fn of(row: &DiscoverableRow) -> Self {
        match (row.my_status.as_deref(), row.pending, row.declined) {
            (Some("active"), _, _) => Self::Member,
            (Some(_), _, _) => Self::Suspended,
            (None, p, _) if p > 0 => Self::Requested,
            (None, _, d) if d > 0 => Self::Declined,
            _ => Self::Outside,
        }
    }
}

/// One workspace on the list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub standing: Standing,
}

/// One page of the list.
#[derive(Debug, Clone)]
pub struct Listing {
    pub items: Vec<Listed>,
    /// How many workspaces match, over every page.
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub has_next: bool,
}

/// The search as the store takes it: trimmed, lower-cased, at most 100 characters.
pub fn normalise_search(search: &str) -> String {
    search
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_SEARCH)
        .collect()
}

/// Page `page` (1-based) of the discoverable workspaces whose name contains `search`
/// (case-insensitive), alphabetical, as `account_id` sees them.
pub async fn browse(
    svc: &Services,
    account_id: &str,
    search: &str,
    page: i64,
) -> ServiceResult<Listing> {
    let search = normalise_search(search);
    let page = page.clamp(1, MAX_PAGE);
    let pool = svc.store.pool();
    let rows =
        discovery::page(pool, account_id, &search, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let total = discovery::count(pool, &search).await?;
    let items = rows
        .into_iter()
        .map(|r| Listed {
            standing: Standing::of(&r),
            slug: r.slug,
            name: r.name,
            members: r.members,
        })
        .collect();
    Ok(Listing {
        items,
        total,
        page,
        has_next: page * PAGE_SIZE < total,
    })
}

/// What Request to join did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Auto-approve was on: a member now.
    Joined {
        slug: String,
        workspace: String,
    },
    AlreadyMember {
        slug: String,
        workspace: String,
    },
    Suspended {
        workspace: String,
    },
    Requested {
        workspace: String,
    },
    AlreadyRequested {
        workspace: String,
    },
    Declined {
        workspace: String,
    },
}

/// Request to join: `NotFound` for unknown and incognito workspaces alike.
pub async fn ask_to_join(
    svc: &Services,
    slug: &str,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Asked> {
    if !looks_like_slug(slug) {
        return Err(ServiceError::NotFound);
    }
    let mut tx = svc.store.begin_write().await?;
    let ws = discoverable(&mut tx, slug).await?;
    let asked = match standing(&mut tx, &ws, &account.id).await? {
        Some(asked) => asked,
        None if ws.auto_approve_join_requests == 1 => {
            join_now(svc, &mut tx, &ws, account, actor).await?
        }
        None => file_request(svc, &mut tx, &ws, account, actor).await?,
    };
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(asked)
}

/// The workspace behind `slug`, locked, if it is discoverable.
async fn discoverable(tx: &mut Tx, slug: &str) -> ServiceResult<JoinSettings> {
    let row = workspaces::by_slug(&mut **tx, slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    workspaces::lock(&mut **tx, &row.id).await?;
    workspace_settings::get(&mut **tx, &row.id)
        .await?
        .filter(|ws| ws.discoverable == 1)
        .ok_or(ServiceError::NotFound)
}

/// Why the person cannot ask (already in, waiting, declined), or `None`: they may.
async fn standing(
    tx: &mut Tx,
    ws: &JoinSettings,
    account_id: &str,
) -> ServiceResult<Option<Asked>> {
    let (slug, workspace) = (ws.slug.clone(), ws.name.clone());
    if let Some(m) = members::find(&mut **tx, &ws.id, account_id).await? {
        return Ok(Some(if m.status == "active" {
            Asked::AlreadyMember { slug, workspace }
        } else {
            Asked::Suspended { workspace }
        }));
    }
    if join_requests::has_pending(&mut **tx, &ws.id, account_id).await? {
        return Ok(Some(Asked::AlreadyRequested { workspace }));
    }
    if join_requests::was_ever_declined(&mut **tx, &ws.id, account_id).await? {
        return Ok(Some(Asked::Declined { workspace }));
    }
    Ok(None)
}

/// Auto-approve is on: a Member on the seat rule (Viewer when no seat is free).
async fn join_now(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Asked> {
    let now = svc.clock.now();
    let newcomer = Newcomer {
        account_id: &account.id,
        offered: Role::Member,
        joined_via: "request",
        joined_via_ref: None,
        invited_by: None,
        primary_team: None,
        extra_teams: &[],
    };
    let (role, seat) = admit_newcomer(tx, ws, &newcomer, now).await?;
    let details = serde_json::json!({
        "via": "browse", "auto_approved": true, "role": role.as_str(), "seat": seat,
    });
    event(tx, ws, actor, "member.joined", account, details, now).await?;
    Ok(Asked::Joined {
        slug: ws.slug.clone(),
        workspace: ws.name.clone(),
    })
}

/// Auto-approve is off: a join request for the admins, who are emailed.
async fn file_request(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Asked> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = svc.clock.now();
    let workspace = ws.name.clone();
    if !join_requests::insert(&mut **tx, &id, &ws.id, &account.id, None, now).await? {
        return Ok(Asked::AlreadyRequested { workspace });
    }
    let details = serde_json::json!({ "request": id, "via": "browse" });
    let hook = serde_json::json!({ "request": { "id": id }, "via": "browse" });
    super::webhook_events::join_request(tx, &ws.id, &account.id, hook, now).await?;
    event(tx, ws, actor, "join_request.created", account, details, now).await?;
    emails::request_received(svc, tx, ws, account).await?;
    Ok(Asked::Requested { workspace })
}
