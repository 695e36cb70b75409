//! Join requests from the admins' side: the pending list behind the badge, Welcome!
//! (approve), Decline and Approve all. Approving re-checks, under the workspace lock, that
//! the link is still valid and its creator still a member allowed to share it, then joins
//! on the seat rule; the requester is emailed the outcome either way.

use crate::domain::Role;
use crate::services::Tx;
use crate::store::accounts::AccountRow;
use crate::store::join_requests::{self, RequestRow};
use crate::store::members;
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::{accounts, links, workspaces};

use super::joining::{Newcomer, admit_newcomer};
use super::links::redeem::{admit, event};
use super::links::{emails as request_emails, path_of};
use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services};

/// How many requests the popover lists at most (the badge counts them all).
pub const POPOVER_LIMIT: i64 = 100;

const LINK_GONE: &str = "The link they used no longer works (expired, revoked, used up, or its creator can no longer share it). Decline, or invite them by email.";

fn refuse(message: &str) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single("request", message))
}

/// The pending requests (oldest first, at most `POPOVER_LIMIT`) and how many there are.
pub async fn pending(svc: &Services, by: &Manager) -> ServiceResult<(Vec<RequestRow>, i64)> {
    by.require_admin()?;
    let pool = svc.store.pool();
    let rows = join_requests::list_pending(pool, &by.workspace_id, POPOVER_LIMIT).await?;
    // Only a full list can have more behind it.
    let count = match i64::try_from(rows.len()) {
        Ok(n) if n < POPOVER_LIMIT => n,
        _ => join_requests::count_pending(pool, &by.workspace_id).await?,
    };
    Ok((rows, count))
}

async fn begin(
    svc: &Services,
    by: &Manager,
    id: &str,
) -> ServiceResult<(Tx, JoinSettings, RequestRow, AccountRow)> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let ws = workspace_settings::get(&mut *tx, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let request = join_requests::pending(&mut *tx, &ws.id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let account = accounts::by_id(&mut *tx, &request.account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((tx, ws, request, account))
}

/// Welcome!: joins the requester. Returns their name.
pub async fn approve(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let (mut tx, ws, request, account) = begin(svc, by, id).await?;
    let already = members::find(&mut *tx, &ws.id, &account.id)
        .await?
        .is_some();
    if !already {
        join(svc, &mut tx, &ws, &request, &account, by).await?;
    }
    decide(svc, &mut tx, &ws, &request, &account, by, true).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(account.display_name)
}

async fn join(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    request: &RequestRow,
    account: &AccountRow,
    by: &Manager,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let link = match &request.link_id {
        Some(link_id) => links::by_id(&mut **tx, &ws.id, link_id).await?,
        None => None,
    };
    match (link, &request.code_hash) {
        (Some(link), _) => {
            if path_of(ws, &link, now).is_none() {
                return Err(refuse(LINK_GONE));
            }
            admit(svc, tx, ws, &link, account, &by.actor, Some(&request.id))
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound => refuse(LINK_GONE),
                    e => e,
                })?;
        }
        // Filed with a link that was deleted since.
        (None, Some(_)) => return Err(refuse(LINK_GONE)),
        // Asked from Browse workspaces: joins as a Member on the seat rule.
        (None, None) => {
            let newcomer = Newcomer {
                account_id: &account.id,
                offered: Role::Member,
                joined_via: "request",
                joined_via_ref: Some(&request.id),
                invited_by: by.actor.account_id.as_deref(),
                primary_team: None,
                extra_teams: &[],
            };
            admit_newcomer(tx, ws, &newcomer, now).await?;
        }
    }
    Ok(())
}

async fn decide(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    request: &RequestRow,
    account: &AccountRow,
    by: &Manager,
    approved: bool,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let decided_by = by.actor.account_id.as_deref().unwrap_or_default();
    let status = if approved { "approved" } else { "declined" };
    if !join_requests::decide(&mut **tx, &request.id, status, decided_by, now).await? {
        return Err(ServiceError::NotFound);
    }
    let action = if approved {
        "join_request.approved"
    } else {
        "join_request.declined"
    };
    let details = serde_json::json!({ "request": request.id, "link": request.link_id });
    event(tx, ws, &by.actor, action, account, details, now).await?;
    request_emails::request_decided(svc, tx, ws, account, approved).await
}

/// Decline: the person cannot ask again with the same code. Returns their name.
pub async fn decline(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let (mut tx, ws, request, account) = begin(svc, by, id).await?;
    decide(svc, &mut tx, &ws, &request, &account, by, false).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(account.display_name)
}

/// What Approve all did: who joined, and who could not, with why.
#[derive(Debug, Clone, Default)]
pub struct Approvals {
    pub approved: Vec<String>,
    pub refused: Vec<String>,
}

/// Approve all (the ticked requests): each in its own transaction, so one that cannot be
/// approved (its link died) does not hold back the others.
pub async fn approve_many(
    svc: &Services,
    by: &Manager,
    ids: &[String],
) -> ServiceResult<Approvals> {
    by.require_admin()?;
    let mut done = Approvals::default();
    for id in ids {
        match approve(svc, by, id).await {
            Ok(name) => done.approved.push(name),
            Err(ServiceError::Invalid(e)) => done
                .refused
                .push(e.get("request").unwrap_or(LINK_GONE).to_string()),
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
