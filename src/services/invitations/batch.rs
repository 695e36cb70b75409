//! One Invite submission may hold thousands of addresses: they are classified with two
//! queries (which are members already, which have a live invitation) and the new ones are
//! created with a few multi-row inserts (invitations, their teams, their emails in the
//! outbox, their audit events), all in the caller's transaction, rather than five
//! statements per address.

use std::collections::{HashMap, HashSet};

use crate::domain::{EmailAddress, Role};
use crate::mail::ActionEmail;
use crate::services::Tx;
use crate::store::invitations::{self, InvitationRow, NewInvitation};

use super::emails::{self, invitation_email, with_message};
use super::{Ctx, InviteRequest, Outcome, ServiceResult};

/// What to do with one address.
pub(super) struct Planned {
    pub address: String,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub decision: Decision,
}

pub(super) enum Decision {
    New,
    Existing(Box<InvitationRow>),
    Skip(Outcome),
}

impl Planned {
    pub fn is_new(&self) -> bool {
        matches!(self.decision, Decision::New)
    }
}

/// Each address's decision, in the order given: invalid ones, ones the inviter may not
/// grant and repeats are skipped; the rest are looked up together.
pub(super) async fn classify(
    tx: &mut Tx,
    inviter_role: Role,
    workspace_id: &str,
    req: &InviteRequest,
) -> ServiceResult<Vec<Planned>> {
    let mut seen = HashSet::new();
    let mut planned = Vec::with_capacity(req.addresses.len());
    for line in &req.addresses {
        let skip = |why: &str| Decision::Skip(Outcome::Invalid(why.to_string()));
        let (email, role, decision) =
            match (EmailAddress::parse(&line.address), line.role(req.role)) {
                (Err(why), _) => (None, req.role, skip(why)),
                (_, Err(why)) => (None, req.role, skip(why)),
                (Ok(_), Ok(role)) if !inviter_role.can_grant(role) => {
                    (None, role, skip("you cannot invite people with that role"))
                }
                (Ok(email), Ok(role)) if !seen.insert(email.as_str().to_string()) => {
                    (None, role, skip("listed twice"))
                }
                (Ok(email), Ok(role)) => (Some(email), role, Decision::New),
            };
        planned.push(Planned {
            address: line.address.clone(),
            email,
            role,
            decision,
        });
    }
    decide(tx, workspace_id, &mut planned).await?;
    Ok(planned)
}

/// Members are skipped, a live invitation is renewed (unless it awaits approval), the
/// rest are new.
async fn decide(tx: &mut Tx, workspace_id: &str, planned: &mut [Planned]) -> ServiceResult<()> {
    let emails: Vec<&str> = planned
        .iter()
        .filter_map(|p| p.email.as_ref().map(EmailAddress::as_str))
        .collect();
    let members = invitations::member_emails(tx, workspace_id, &emails).await?;
    let mut live: HashMap<String, InvitationRow> =
        invitations::live_for_emails(tx, workspace_id, &emails)
            .await?
            .into_iter()
            .map(|inv| (inv.email.clone(), inv))
            .collect();
    for plan in planned {
        let Some(email) = plan.email.as_ref().map(EmailAddress::as_str) else {
            continue;
        };
        plan.decision = if members.contains(email) {
            Decision::Skip(Outcome::AlreadyMember)
        } else {
            match live.remove(email) {
                Some(inv) if inv.status == "awaiting_approval" => {
                    Decision::Skip(Outcome::AlreadyAwaitingApproval)
                }
                Some(inv) => Decision::Existing(Box::new(inv)),
                None => Decision::New,
            }
        };
    }
    Ok(())
}

/// One new invitation, its code issued, before it is written.
struct Fresh<'a> {
    id: String,
    email: &'a EmailAddress,
    role: Role,
    code: crate::domain::invite_code::IssuedCode,
}

impl Ctx<'_> {
    /// Creates an invitation for each of `new` (address and role), with its extra teams,
    /// its email (unless it awaits approval or no email is wanted) and its audit event.
    pub(super) async fn create_all(
        &self,
        tx: &mut Tx,
        req: &InviteRequest,
        new: &[(&EmailAddress, Role)],
        awaiting: bool,
        now: i64,
    ) -> ServiceResult<()> {
        if new.is_empty() {
            return Ok(());
        }
        let fresh = new
            .iter()
            .map(|&(email, role)| {
                Ok(Fresh {
                    id: uuid::Uuid::new_v4().to_string(),
                    email,
                    role,
                    code: self.svc.codes.issue().map_err(anyhow::Error::from)?,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let expires_at = self.ws.invitation_expires_at(now);
        let rows: Vec<NewInvitation<'_>> = fresh
            .iter()
            .map(|f| self.new_invitation(req, f, awaiting, now, expires_at))
            .collect();
        if invitations::insert_many(tx, &rows).await? != rows.len() {
            return Err(anyhow::anyhow!("invitation for a locked workspace collided").into());
        }
        let ids: Vec<&str> = fresh.iter().map(|f| f.id.as_str()).collect();
        invitations::add_teams(tx, &ids, &req.extra_teams).await?;
        if req.send_email && !awaiting {
            let mails: Vec<(ActionEmail, Option<&str>)> = fresh
                .iter()
                .map(|f| (self.email_for(req, f, expires_at), Some(f.id.as_str())))
                .collect();
            ActionEmail::enqueue_all(tx, &mails, now).await?;
        }
        let events: Vec<(&str, serde_json::Value)> = fresh
            .iter()
            .map(|f| {
                let details = serde_json::json!({ "role": f.role.as_str(), "awaiting_approval": awaiting, "emailed": req.send_email });
                (f.email.as_str(), details)
            })
            .collect();
        emails::events(self.svc, tx, self.by, "invitation.created", &events).await
    }

    fn new_invitation<'a>(
        &'a self,
        req: &'a InviteRequest,
        f: &'a Fresh<'_>,
        awaiting: bool,
        now: i64,
        expires_at: i64,
    ) -> NewInvitation<'a> {
        NewInvitation {
            id: &f.id,
            workspace_id: &self.ws.id,
            email: f.email.as_str(),
            role: f.role.as_str(),
            primary_team_id: req.primary_team.as_deref(),
            awaiting_approval: awaiting,
            code_nonce: &f.code.nonce,
            code_hash: &f.code.hash,
            send_email: req.send_email,
            invited_by: &self.inviter.account_id,
            now,
            expires_at,
            message: &req.message,
        }
    }

    fn email_for(&self, req: &InviteRequest, f: &Fresh<'_>, expires_at: i64) -> ActionEmail {
        let mail = invitation_email(
            self.svc,
            self.ws,
            self.inviter,
            f.email.as_str(),
            f.role,
            &f.code.code,
            expires_at,
            false,
        );
        with_message(mail, &self.inviter.name, &req.message)
    }
}
