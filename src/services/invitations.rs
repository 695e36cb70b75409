//! Email invitations from the inviting side: the Invite dialog (many addresses at once,
//! per-address results, quotas, who may invite, approval of Members' invitations) and the
//! Invitations tab's Resend, Copy link, Revoke and Approve. Mail goes through the outbox
//! in the same transaction as the invitation. Renewing an existing invitation (re-invite,
//! Resend) lives in `renewal`.

mod addresses;
mod approvals;
mod batch;
mod emails;
mod renewal;

pub use addresses::{AddressLine, parse_csv, split_addresses};

use crate::services::Tx;

use crate::config::InviteQuotas;
use crate::domain::plural::{count, count_of};
use crate::domain::{Plan, Role};
use crate::store::invitations::{self, InvitationRow};
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::{outbox, workspaces};

use super::limits::{self, Action};
use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services};
use batch::{Decision, Planned, classify};
use emails::Inviter;

/// The most addresses one submission may hold.
pub const MAX_ADDRESSES: usize = 5_000;
const DAY: i64 = 86_400;

/// What the Invite dialog submits, parsed.
#[derive(Debug, Clone)]
pub struct InviteRequest {
    pub addresses: Vec<AddressLine>,
    pub role: Role,
    pub primary_team: Option<String>,
    pub extra_teams: Vec<String>,
    pub send_email: bool,
    /// The optional personal message, as typed (checked by `invite`).
    pub message: String,
}

/// The longest personal message, in characters.
pub const MAX_MESSAGE: usize = 500;

/// The personal message trimmed, its line ends as `\n`; refused when longer than
/// `MAX_MESSAGE` characters.
pub fn clean_message(typed: &str) -> ServiceResult<String> {
    let message = typed.replace("\r\n", "\n").replace('\r', "\n");
    let message = message.trim();
    let length = message.chars().count();
    if length > MAX_MESSAGE {
        return Err(invalid(
            "message",
            format!("Keep the message to {MAX_MESSAGE} characters at most (it has {length})."),
        ));
    }
    Ok(message.to_string())
}

/// What happened to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Invited,
    AwaitingApproval,
    AlreadyMember,
    Resent,
    AlreadyAwaitingApproval,
    /// The address has a pending invitation the inviter may not renew (its role is above
    /// theirs); it stays exactly as it was.
    NotReinvited(String),
    Invalid(String),
}

impl Outcome {
    pub fn label(&self) -> String {
        match self {
            Self::Invited => "invited".into(),
            Self::AwaitingApproval => "invited (waits for an admin's approval)".into(),
            Self::AlreadyMember => "already a member".into(),
            Self::Resent => "already invited (resent)".into(),
            Self::AlreadyAwaitingApproval => "already invited (waiting for approval)".into(),
            Self::NotReinvited(why) => format!("not re-invited: {why}"),
            Self::Invalid(why) => format!("invalid: {why}"),
        }
    }

    pub fn is_ok(&self) -> bool {
        !matches!(self, Self::Invalid(_) | Self::NotReinvited(_))
    }
}

/// One address's result, as typed.
#[derive(Debug, Clone)]
pub struct AddressResult {
    pub address: String,
    pub outcome: Outcome,
}

/// How many email invitations the workspace may still create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    Unlimited,
    /// `left` more, over the trial (`daily == false`) or today (UTC).
    Remaining {
        left: i64,
        daily: bool,
    },
}

impl Quota {
    pub fn describe(self) -> String {
        match self {
            Self::Unlimited => "No invitation limit on this plan.".into(),
            Self::Remaining { left, daily: true } => {
                let left = count(left, "invitation", "invitations");
                format!("{left} left today (resets at midnight UTC).")
            }
            Self::Remaining { left, daily: false } => {
                let left = count(left, "invitation", "invitations");
                format!("{left} left in your trial.")
            }
        }
    }

    fn allows(self, n: i64) -> bool {
        match self {
            Self::Unlimited => true,
            Self::Remaining { left, .. } => n <= left,
        }
    }
}

/// The quota of a workspace right now.
pub async fn quota<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    quotas: InviteQuotas,
    workspace_id: &str,
    plan: &str,
    now: i64,
) -> ServiceResult<Quota> {
    let (since, limit, daily) = match Plan::parse(plan) {
        Some(Plan::Enterprise) => return Ok(Quota::Unlimited),
        Some(Plan::Business) => (now - now.rem_euclid(DAY), quotas.business_daily, true),
        _ => (0, quotas.trial_total, false),
    };
    let used = invitations::count_created_since(e, workspace_id, since).await?;
    Ok(Quota::Remaining {
        left: (limit - used).max(0),
        daily,
    })
}

/// Whether `role` may invite here at all, and whether their invitations need approval.
pub fn needs_approval(role: Role, ws: &JoinSettings) -> ServiceResult<bool> {
    match role {
        r if r.is_admin() => Ok(false),
        Role::Member if ws.everyone_may_invite() => Ok(ws.auto_approve_join_requests == 0),
        _ => Err(ServiceError::Forbidden),
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(field, message))
}

/// Invites every address in the request. Bad addresses are reported and skipped; a
/// submission that would pass the quota is refused whole and changes nothing.
pub async fn invite(
    svc: &Services,
    by: &Manager,
    mut req: InviteRequest,
) -> ServiceResult<Vec<AddressResult>> {
    req.message = clean_message(&req.message)?;
    if req.addresses.is_empty() {
        return Err(invalid("addresses", "Enter at least one email address."));
    }
    if req.addresses.len() > MAX_ADDRESSES {
        return Err(invalid(
            "addresses",
            format!("At most {MAX_ADDRESSES} addresses at a time."),
        ));
    }
    if req.role == Role::Owner {
        return Err(invalid(
            "role",
            "Owner is only given by transferring ownership.",
        ));
    }
    if !by.role.can_grant(req.role) {
        return Err(invalid(
            "role",
            format!("You can invite people as {} at most.", by.role.label()),
        ));
    }
    limits::check(svc, Action::Invitation, None, &by.actor, "addresses").await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let ws = workspace_settings::get(&mut *tx, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let awaiting = needs_approval(by.role, &ws)?;
    super::teams::check_known(&mut tx, &ws.id, req.primary_team.as_ref(), &req.extra_teams).await?;
    let planned = classify(&mut tx, by.role, &ws.id, &req).await?;
    let new = planned.iter().filter(|p| p.is_new()).count();
    let quota = quota(&mut *tx, svc.invite_quotas, &ws.id, &ws.plan, now).await?;
    if !quota.allows(i64::try_from(new).unwrap_or(i64::MAX)) {
        return Err(invalid(
            "addresses",
            format!(
                "This would create {}. {} Nothing was sent.",
                count_of(new, "invitation", "invitations"),
                quota.describe()
            ),
        ));
    }
    let inviter = Inviter::load(&mut tx, by).await?;
    let ctx = Ctx {
        svc,
        by,
        ws: &ws,
        inviter: &inviter,
    };
    let results = ctx.apply_all(&mut tx, &req, planned, awaiting, now).await?;
    let awaiting_now: Vec<String> = results
        .iter()
        .filter(|r| r.outcome == Outcome::AwaitingApproval)
        .map(|r| r.address.clone())
        .collect();
    approvals::tell_admins(svc, &mut tx, &ws, &inviter, &awaiting_now).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(results)
}

/// Who invites where: what every step of an invitation needs.
struct Ctx<'a> {
    svc: &'a Services,
    by: &'a Manager,
    ws: &'a JoinSettings,
    inviter: &'a Inviter,
}

impl Ctx<'_> {
    /// Each address's outcome, in the order given: live invitations renewed one by one,
    /// the new ones created together.
    async fn apply_all(
        &self,
        tx: &mut Tx,
        req: &InviteRequest,
        planned: Vec<Planned>,
        awaiting: bool,
        now: i64,
    ) -> ServiceResult<Vec<AddressResult>> {
        let mut results = Vec::with_capacity(planned.len());
        let mut new = Vec::new();
        for plan in &planned {
            let outcome = match (&plan.email, &plan.decision) {
                (_, Decision::Skip(outcome)) => outcome.clone(),
                (None, _) => Outcome::Invalid("not an email address".into()),
                (Some(_), Decision::Existing(inv)) => {
                    self.reinvite_with_message(tx, req, inv, awaiting, now)
                        .await?
                }
                (Some(email), Decision::New) => {
                    new.push((email, plan.role));
                    if awaiting {
                        Outcome::AwaitingApproval
                    } else {
                        Outcome::Invited
                    }
                }
            };
            results.push(AddressResult {
                address: plan.address.clone(),
                outcome,
            });
        }
        self.create_all(tx, req, &new, awaiting, now).await?;
        Ok(results)
    }

    /// Re-invites an address with a live invitation, taking the new personal message
    /// when there is one and the inviter may renew it.
    async fn reinvite_with_message(
        &self,
        tx: &mut Tx,
        req: &InviteRequest,
        inv: &InvitationRow,
        awaiting: bool,
        now: i64,
    ) -> ServiceResult<Outcome> {
        let mut inv = inv.clone();
        if !req.message.is_empty() && self.may_renew(&inv).is_ok() {
            invitations::set_message(&mut **tx, &inv.id, &req.message).await?;
            inv.message = req.message.clone();
        }
        self.reinvite(tx, &inv, req.send_email, awaiting, now).await
    }
}

/// Opens the write transaction for an admin action on one invitation of the manager's
/// workspace: the workspace locked, the invitation and the workspace's settings loaded.
async fn admin_target(
    svc: &Services,
    by: &Manager,
    id: &str,
) -> ServiceResult<(Tx, InvitationRow, JoinSettings)> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let inv = invitations::by_id(&mut *tx, &by.workspace_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let ws = workspace_settings::get(&mut *tx, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((tx, inv, ws))
}

/// Sends a pending invitation again (also an expired one) with a renewed expiry; an
/// expired one gets a new code, the old one staying dead.
pub async fn resend(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    // One resend of an invitation a minute: repeated clicks send one email.
    limits::check(svc, Action::Resend, Some(id), &by.actor, "invitation").await?;
    let (mut tx, inv, ws) = admin_target(svc, by, id).await?;
    let inviter = Inviter::load(&mut tx, by).await?;
    let ctx = Ctx {
        svc,
        by,
        ws: &ws,
        inviter: &inviter,
    };
    ctx.may_renew(&inv)?;
    if !ctx.renew(&mut tx, &inv, true, svc.clock.now()).await? {
        return Err(invalid(
            "invitation",
            "Only pending or expired invitations can be resent.",
        ));
    }
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(inv.email)
}

/// Revokes a live invitation and cancels its email if it has not gone out yet.
pub async fn revoke(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let now = svc.clock.now();
    let (mut tx, inv, _) = admin_target(svc, by, id).await?;
    if !invitations::revoke(&mut *tx, &by.workspace_id, &inv.id, now).await? {
        return Err(invalid(
            "invitation",
            "This invitation is no longer pending.",
        ));
    }
    let cancelled = outbox::cancel_by_ref(&mut *tx, &inv.id, now).await?;
    let details = serde_json::json!({ "was": inv.status, "emails_cancelled": cancelled });
    emails::event(svc, &mut tx, by, "invitation.revoked", &inv.email, details).await?;
    tx.commit().await?;
    Ok(inv.email)
}

/// Approves a Member's invitation: it becomes pending from now and its email goes out.
pub async fn approve(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let now = svc.clock.now();
    let (mut tx, inv, ws) = admin_target(svc, by, id).await?;
    let expires_at = ws.invitation_expires_at(now);
    if !invitations::approve(&mut *tx, &ws.id, &inv.id, now, expires_at).await? {
        return Err(invalid(
            "invitation",
            "This invitation is not waiting for approval.",
        ));
    }
    let inviter = Inviter::of_invitation(&mut tx, &inv).await?;
    let ctx = Ctx {
        svc,
        by,
        ws: &ws,
        inviter: &inviter,
    };
    if inv.send_email == 1 {
        ctx.email_existing(&mut tx, &inv, &inv.code_nonce, expires_at, false, now)
            .await?;
    }
    let details = serde_json::json!({});
    emails::event(svc, &mut tx, by, "invitation.approved", &inv.email, details).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(inv.email)
}

/// The link of a pending, unexpired invitation, for Copy link.
pub async fn link(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    by.require_admin()?;
    let inv = invitations::by_id(svc.store.pool(), &by.workspace_id, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if inv.status != "pending" || inv.expires_at <= svc.clock.now() {
        return Err(invalid(
            "invitation",
            "Only pending invitations have a working link. Resend an expired one first.",
        ));
    }
    Ok(svc.link(&format!("/invite/{}", svc.codes.code_for(&inv.code_nonce))))
}
