//! The invitation email and the invitation audit events.

use crate::clock::format_date;
use crate::domain::Role;
use crate::mail::ActionEmail;
use crate::store::accounts;
use crate::store::audit::{self, NewEvent};
use crate::store::invitations::InvitationRow;
use crate::store::workspace_settings::JoinSettings;

use super::super::members::Manager;
use super::super::{ServiceError, ServiceResult, Services};
use crate::services::Tx;

/// Who the invitation comes from, as the email names them.
pub struct Inviter {
    pub account_id: String,
    pub name: String,
    pub email: String,
}

impl Inviter {
    /// The acting person.
    pub async fn load(tx: &mut Tx, by: &Manager) -> ServiceResult<Self> {
        let id = by
            .actor
            .account_id
            .as_deref()
            .ok_or(ServiceError::Forbidden)?;
        Self::by_id(tx, id).await?.ok_or(ServiceError::Forbidden)
    }

    /// Whoever created the invitation (a Member whose invitation an admin approves).
    pub async fn of_invitation(tx: &mut Tx, inv: &InvitationRow) -> ServiceResult<Self> {
        let found = match &inv.invited_by {
            Some(id) => Self::by_id(tx, id).await?,
            None => None,
        };
        Ok(found.unwrap_or_else(|| Self {
            account_id: String::new(),
            name: "A workspace admin".into(),
            email: String::new(),
        }))
    }

    async fn by_id(tx: &mut Tx, id: &str) -> ServiceResult<Option<Self>> {
        Ok(accounts::by_id(&mut **tx, id).await?.map(|a| Self {
            account_id: a.id,
            name: a.display_name,
            email: a.email,
        }))
    }
}

/// The invitation (or reminder) email: names the workspace, the inviter and the role.
#[allow(clippy::too_many_arguments)]
pub fn invitation_email(
    svc: &Services,
    ws: &JoinSettings,
    inviter: &Inviter,
    to: &str,
    role: Role,
    code: &str,
    expires_at: i64,
    resent: bool,
) -> ActionEmail {
    let from = if inviter.email.is_empty() {
        inviter.name.clone()
    } else {
        format!("{} ({})", inviter.name, inviter.email)
    };
    let (kind, subject) = if resent {
        (
            "invitation_resent",
            format!("Reminder: you are invited to join {} on Gatehouse", ws.name),
        )
    } else {
        (
            "invitation",
            format!(
                "{} invited you to join {} on Gatehouse",
                inviter.name, ws.name
            ),
        )
    };
    ActionEmail {
        kind,
        to: to.to_string(),
        subject,
        greeting: "Hello,".into(),
        paragraphs: vec![format!(
            "{from} invited you to join the workspace {} as {} {}.",
            ws.name,
            article(role),
            role.label()
        )],
        button: format!("Join {}", ws.name),
        link: svc.link(&format!("/invite/{code}")),
        footer: format!(
            "The invitation works once and expires on {} (UTC). If you were not expecting it, ignore this email.",
            format_date(expires_at)
        ),
    }
}

/// The invitation email with the inviter's personal message, when there is one, quoted
/// after the invitation itself (the email templates escape it).
pub fn with_message(mut mail: ActionEmail, author: &str, message: &str) -> ActionEmail {
    if !message.is_empty() {
        mail.paragraphs.push(format!("{author} wrote: “{message}”"));
    }
    mail
}

fn article(role: Role) -> &'static str {
    if role == Role::Admin { "an" } else { "a" }
}

/// Records an invitation event; its target is the invited address.
pub async fn event(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    action: &str,
    email: &str,
    details: serde_json::Value,
) -> ServiceResult<()> {
    events(svc, tx, by, action, &[(email, details)]).await
}

/// Records one invitation event per address (with its details), a hundred per
/// statement.
pub async fn events(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    action: &str,
    targets: &[(&str, serde_json::Value)],
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let rows: Vec<NewEvent<'_>> = targets
        .iter()
        .map(|(email, details)| NewEvent {
            workspace_id: Some(&by.workspace_id),
            actor_account_id: by.actor.account_id.as_deref(),
            action,
            target_account_id: None,
            target: Some(email),
            details: Some(details.to_string()),
            ip: by.actor.ip.as_deref(),
            now,
            api_token_id: by.actor.api_token_id.as_deref(),
        })
        .collect();
    audit::record_many(tx, &rows).await?;
    Ok(())
}
