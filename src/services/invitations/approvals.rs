//! Members' invitations awaiting approval get the join requests' treatment: every Owner
//! and Admin is emailed when some are created, in the transaction that creates them.

use crate::mail::ActionEmail;
use crate::store::members;
use crate::store::workspace_settings::JoinSettings;

use super::super::{ServiceResult, Services};
use super::emails::Inviter;
use crate::services::Tx;

/// How many addresses the email names before "and N more".
const NAMED: usize = 10;

/// Tells every Owner and Admin that `inviter` invited `addresses`, waiting for approval.
pub(super) async fn tell_admins(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    inviter: &Inviter,
    addresses: &[String],
) -> ServiceResult<()> {
    if addresses.is_empty() {
        return Ok(());
    }
    let mut named = addresses
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if addresses.len() > NAMED {
        named.push_str(&format!(" and {} more", addresses.len() - NAMED));
    }
    let count = match addresses.len() {
        1 => "an invitation".to_string(),
        n => format!("{n} invitations"),
    };
    let now = svc.clock.now();
    for (email, name) in members::admin_contacts(&mut **tx, &ws.id).await? {
        if email == inviter.email {
            continue;
        }
        ActionEmail {
            kind: "invitation_awaiting_approval",
            to: email,
            subject: format!(
                "{} asks you to approve {count} to {}",
                inviter.name, ws.name
            ),
            greeting: format!("Hi {name},"),
            paragraphs: vec![format!(
                "{} ({}) invited {named} to {}. Nothing is sent until an admin approves: \
                 approve or revoke on the Invitations tab, under Awaiting approval.",
                inviter.name, inviter.email, ws.name
            )],
            button: "Review invitations".into(),
            link: svc.link(&format!(
                "/w/{}/invitations?status=awaiting_approval",
                ws.slug
            )),
            footer: format!("You get this email because you manage {}.", ws.name),
        }
        .enqueue(&mut **tx, None, now)
        .await?;
    }
    Ok(())
}
