//! The emails links and join requests send: "X joined through your link" to the creator,
//! "X asks to join" to the admins, and the outcome to the person who asked. Each is queued
//! in the caller's transaction.

use crate::mail::ActionEmail;
use crate::store::accounts::AccountRow;
use crate::store::workspace_settings::JoinSettings;
use crate::store::{accounts, members};

use super::super::{ServiceResult, Services};
use crate::services::Tx;

/// Tells the link's creator someone joined through it, unless they turned that off.
pub async fn joined_through_link(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    creator_id: Option<&str>,
    notify: bool,
    joiner: &AccountRow,
    role_label: &str,
) -> ServiceResult<()> {
    let Some(creator_id) = creator_id.filter(|id| notify && *id != joiner.id) else {
        return Ok(());
    };
    let Some(creator) = accounts::by_id(&mut **tx, creator_id).await? else {
        return Ok(());
    };
    ActionEmail {
        kind: "link_joined",
        to: creator.email,
        subject: format!(
            "{} joined {} through your invite link",
            joiner.display_name, ws.name
        ),
        greeting: format!("Hi {},", creator.display_name),
        paragraphs: vec![format!(
            "{} ({}) joined {} as {} through an invite link you shared.",
            joiner.display_name, joiner.email, ws.name, role_label
        )],
        button: "See your invite links".into(),
        link: svc.link(&format!("/w/{}/links", ws.slug)),
        footer: format!(
            "You can turn these emails off for that link on the Invite links page of {}.",
            ws.name
        ),
    }
    .enqueue(&mut **tx, None, svc.clock.now())
    .await?;
    Ok(())
}

/// Tells every Owner and Admin that someone asks to join.
pub async fn request_received(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    requester: &AccountRow,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    for (email, name) in members::admin_contacts(&mut **tx, &ws.id).await? {
        ActionEmail {
            kind: "join_request",
            to: email,
            subject: format!("{} asks to join {}", requester.display_name, ws.name),
            greeting: format!("Hi {name},"),
            paragraphs: vec![format!(
                "{} ({}) asked to join {}. Welcome them or decline from the join requests beside Invite Team.",
                requester.display_name, requester.email, ws.name
            )],
            button: "Review join requests".into(),
            link: svc.link(&format!("/w/{}/requests", ws.slug)),
            footer: format!("You get this email because you manage {}.", ws.name),
        }
        .enqueue(&mut **tx, None, now)
        .await?;
    }
    Ok(())
}

/// Tells the person who asked how it went.
pub async fn request_decided(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    requester: &AccountRow,
    approved: bool,
) -> ServiceResult<()> {
    let (kind, subject, paragraph, button, link) = if approved {
        (
            "join_request_approved",
            format!("You're in: welcome to {}", ws.name),
            format!("Your request to join {} was approved.", ws.name),
            format!("Open {}", ws.name),
            svc.link(&format!("/w/{}", ws.slug)),
        )
    } else {
        (
            "join_request_declined",
            format!("Your request to join {} was declined", ws.name),
            format!(
                "An admin of {} declined your request to join. Ask them for an invitation if you think this is a mistake.",
                ws.name
            ),
            "Go to Gatehouse".into(),
            svc.link("/"),
        )
    };
    let mut paragraphs = vec![paragraph];
    if approved && crate::store::members::is_seat_waiting(&mut **tx, &ws.id, &requester.id).await? {
        paragraphs.push(crate::services::joining::seat_waiting_sentence(&ws.name));
    }
    ActionEmail {
        kind,
        to: requester.email.clone(),
        subject,
        greeting: format!("Hi {},", requester.display_name),
        paragraphs,
        button,
        link,
        footer: format!("You get this email because you asked to join {}.", ws.name),
    }
    .enqueue(&mut **tx, None, svc.clock.now())
    .await?;
    Ok(())
}
