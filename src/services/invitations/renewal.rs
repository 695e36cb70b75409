//! Renewing an existing invitation: Resend, and re-inviting an address that already has a
//! pending (or expired) one. Only someone who may grant *that* invitation's role renews it;
//! a Member's renewal goes back to waiting for an admin's approval (unless auto-approve is
//! on); an expired invitation gets a new code, so its old code stays dead.

use crate::domain::Role;
use crate::domain::invite_code::{IssuedCode, code_hash};
use crate::services::Tx;
use crate::store::invitations::{self, InvitationRow, Renewal};
use crate::store::outbox;

use super::emails::{self, invitation_email};
use super::{Ctx, Outcome, ServiceError, ServiceResult};

impl Ctx<'_> {
    /// Emails an invitation again, its code derived from `nonce`.
    pub(super) async fn email_existing(
        &self,
        tx: &mut Tx,
        inv: &InvitationRow,
        nonce: &str,
        expires_at: i64,
        resent: bool,
        now: i64,
    ) -> ServiceResult<()> {
        let role = Role::parse(&inv.role).unwrap_or(Role::Viewer);
        let code = self.svc.codes.code_for(nonce);
        let mail = invitation_email(
            self.svc,
            self.ws,
            self.inviter,
            &inv.email,
            role,
            &code,
            expires_at,
            resent,
        );
        let author = inv.inviter_name.as_deref().unwrap_or(&self.inviter.name);
        let mail = emails::with_message(mail, author, &inv.message);
        mail.enqueue(&mut **tx, Some(&inv.id), now).await?;
        Ok(())
    }

    /// The invitation's role, when the acting person may grant it; refused otherwise.
    pub(super) fn may_renew(&self, inv: &InvitationRow) -> ServiceResult<Role> {
        let role = Role::parse(&inv.role)
            .ok_or_else(|| anyhow::anyhow!("invitation with unknown role {}", inv.role))?;
        if self.by.role.can_grant(role) {
            Ok(role)
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The code a renewal leaves the invitation with: the same while it still works, a new
    /// one once it has expired (or when it goes back to waiting for approval).
    fn code_after_renewal(&self, inv: &InvitationRow, fresh: bool) -> ServiceResult<IssuedCode> {
        if fresh {
            return Ok(self.svc.codes.issue().map_err(anyhow::Error::from)?);
        }
        let code = self.svc.codes.code_for(&inv.code_nonce);
        Ok(IssuedCode {
            hash: code_hash(&code),
            code,
            nonce: inv.code_nonce.clone(),
        })
    }

    /// Renews a pending invitation (expired ones too, with a new code) and, with `email`,
    /// sends it again. `false` when it is no longer pending.
    pub(super) async fn renew(
        &self,
        tx: &mut Tx,
        inv: &InvitationRow,
        email: bool,
        now: i64,
    ) -> ServiceResult<bool> {
        let expired = inv.expires_at <= now;
        let code = self.code_after_renewal(inv, expired)?;
        let expires_at = self.ws.invitation_expires_at(now);
        let renewal = self.renewal(inv, &code, now, expires_at);
        if !invitations::renew(&mut **tx, &self.ws.id, renewal).await? {
            return Ok(false);
        }
        if expired {
            outbox::cancel_by_ref(&mut **tx, &inv.id, now).await?;
        }
        if email {
            self.email_existing(tx, inv, &code.nonce, expires_at, true, now)
                .await?;
        }
        let details = serde_json::json!({ "new_code": expired });
        emails::event(
            self.svc,
            tx,
            self.by,
            "invitation.resent",
            &inv.email,
            details,
        )
        .await?;
        Ok(true)
    }

    fn renewal<'a>(
        &'a self,
        inv: &'a InvitationRow,
        code: &'a IssuedCode,
        now: i64,
        expires_at: i64,
    ) -> Renewal<'a> {
        Renewal {
            id: &inv.id,
            invited_by: &self.inviter.account_id,
            code_nonce: &code.nonce,
            code_hash: &code.hash,
            now,
            expires_at,
        }
    }

    /// Re-inviting an address with a pending (or expired) invitation. Someone who may not
    /// grant its role leaves it exactly as it was and is told why; a Member whose
    /// invitations need approval sends it back to waiting, with a new code and no email.
    pub(super) async fn reinvite(
        &self,
        tx: &mut Tx,
        inv: &InvitationRow,
        email: bool,
        awaiting: bool,
        now: i64,
    ) -> ServiceResult<Outcome> {
        let role = match self.may_renew(inv) {
            Ok(role) => role,
            Err(ServiceError::Forbidden) => return Ok(not_yours(inv)),
            Err(e) => return Err(e),
        };
        let done = if awaiting {
            self.await_approval_again(tx, inv, email, role, now).await?
        } else {
            self.renew(tx, inv, email, now).await?
        };
        Ok(match (done, awaiting) {
            (false, _) => Outcome::NotReinvited("its invitation is no longer pending".into()),
            (true, true) => Outcome::AwaitingApproval,
            (true, false) => Outcome::Resent,
        })
    }

    async fn await_approval_again(
        &self,
        tx: &mut Tx,
        inv: &InvitationRow,
        email: bool,
        role: Role,
        now: i64,
    ) -> ServiceResult<bool> {
        let code = self.code_after_renewal(inv, true)?;
        let expires_at = self.ws.invitation_expires_at(now);
        let renewal = self.renewal(inv, &code, now, expires_at);
        if !invitations::await_approval_again(&mut **tx, &self.ws.id, renewal, email).await? {
            return Ok(false);
        }
        outbox::cancel_by_ref(&mut **tx, &inv.id, now).await?;
        let details = serde_json::json!({ "role": role.as_str(), "awaiting_approval": true, "new_code": true });
        emails::event(
            self.svc,
            tx,
            self.by,
            "invitation.resent",
            &inv.email,
            details,
        )
        .await?;
        Ok(true)
    }
}

fn not_yours(inv: &InvitationRow) -> Outcome {
    let role = Role::parse(&inv.role).unwrap_or(Role::Admin);
    Outcome::NotReinvited(format!(
        "it already has a pending {} invitation, which only someone who may invite {}s can renew",
        role.label(),
        role.label()
    ))
}
