//! Joining a workspace from an email invitation: what the invitation page shows (it uses
//! nothing up), signing up from it, and accepting with an existing account. The code
//! grants membership only: it never signs anyone in as an existing account and never
//! proves the address (the inviter can copy it). Using it up is one conditional UPDATE,
//! so however many requests race, one membership results; seats follow the auto-assign
//! rule.

use crate::domain::image::Avatar;
use crate::domain::invite_code::{code_hash, looks_like_code};
use crate::domain::{EmailAddress, Password, PersonName, Role};
use crate::mail::ActionEmail;
use crate::services::Tx;
use crate::store::accounts::{self, AccountRow, NewAccount};
use crate::store::audit::{self, NewEvent};
use crate::store::invitations::{self, InvitationRow};
use crate::store::members::{self, NewMembership};
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::{avatars, teams, workspaces};

use super::account_links::{Carried, sign_in_link_email, verification_email};
use super::accounts::parse_password_and_names;
use super::limits::{self, Action};
use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, passwords};

/// What the invitation page shows.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub workspace_name: String,
    pub role: Role,
    pub inviter_name: String,
    pub email: String,
    /// The inviter's personal message; empty when none.
    pub message: String,
}

/// The live invitation a code stands for, or `None` (unknown, used, revoked, expired).
async fn live(
    svc: &Services,
    tx: Option<&mut Tx>,
    code: &str,
) -> ServiceResult<Option<InvitationRow>> {
    if !looks_like_code(code) {
        return Ok(None);
    }
    let hash = code_hash(code);
    let found = match tx {
        Some(tx) => invitations::by_code_hash(&mut **tx, &hash).await?,
        None => invitations::by_code_hash(svc.store.pool(), &hash).await?,
    };
    Ok(found.filter(|i| i.status == "pending" && i.expires_at > svc.clock.now()))
}

/// What the page shows for a code, without changing anything.
pub async fn peek(svc: &Services, code: &str) -> ServiceResult<Option<InvitationView>> {
    let Some(inv) = live(svc, None, code).await? else {
        return Ok(None);
    };
    let Some(ws) = workspace_settings::get(svc.store.pool(), &inv.workspace_id).await? else {
        return Ok(None);
    };
    Ok(Some(InvitationView {
        workspace_name: ws.name,
        role: Role::parse(&inv.role).unwrap_or(Role::Viewer),
        inviter_name: inv
            .inviter_name
            .unwrap_or_else(|| "A workspace admin".into()),
        email: inv.email,
        message: inv.message,
    }))
}

/// Where someone ended up.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub account: AccountRow,
    pub slug: String,
    pub already_member: bool,
}

/// Accepts as the signed-in account, which must have the invited address. Signed out,
/// the caller asks the person to sign in first: the code signs nobody in.
pub async fn accept(
    svc: &Services,
    code: &str,
    signed_in: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Accepted> {
    let mut tx = svc.store.begin_write().await?;
    let inv = live(svc, Some(&mut tx), code)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if signed_in.email != inv.email {
        return Err(ServiceError::Forbidden);
    }
    let accepted = admit(svc, &mut tx, &inv, signed_in.clone(), actor).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(accepted)
}

/// What the invitee's sign-up form sends (the address comes from the invitation).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct InviteeSignUp {
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub display_name: String,
}

/// How an invitation sign-up ended.
#[derive(Debug, Clone)]
pub enum InviteeSignedUp {
    /// A new account, a member at once and signed in for this session; its address
    /// stays unverified until the emailed link is followed.
    Joined(Accepted),
    /// The address already has an account, which this sign-up does not touch: a link
    /// was emailed to it (sign-in, or verification of this sign-up's password) that
    /// leads back to the invitation.
    CheckEmail,
}

/// Signs up from an invitation. A new address becomes an unverified account that joins at
/// once; an existing account is never changed by it (see [`InviteeSignedUp`]).
pub async fn sign_up(
    svc: &Services,
    code: &str,
    form: &InviteeSignUp,
    avatar: Option<Result<Avatar, &'static str>>,
    actor: &Actor,
) -> ServiceResult<InviteeSignedUp> {
    let view = peek(svc, code).await?.ok_or(ServiceError::NotFound)?;
    let (password, name, avatar) = parse_invitee(form, avatar, &view.email)?;
    let address = Some(view.email.as_str());
    limits::check(svc, Action::InviteeSignUp, address, actor, "password").await?;
    let hash = passwords::hash(&password).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let inv = live(svc, Some(&mut tx), code)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewAccount {
        id: &id,
        email: &inv.email,
        password_hash: &hash,
        first_name: &name.first,
        last_name: &name.last,
        display_name: &name.display,
        email_verified: false,
        now,
    };
    let Some(account_id) = accounts::insert(&mut *tx, new).await? else {
        let back_to = format!("/invite/{code}");
        existing_address(svc, &mut tx, &inv.email, &hash, &back_to, actor).await?;
        tx.commit().await?;
        svc.mail_wakeup.notify_one();
        return Ok(InviteeSignedUp::CheckEmail);
    };
    if let Some(avatar) = avatar {
        avatars::put(
            &mut *tx,
            &account_id,
            avatar.content_type,
            &avatar.bytes,
            now,
        )
        .await?;
    }
    let account = accounts::by_id(&mut *tx, &account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let email = EmailAddress::parse(&inv.email).map_err(|m| anyhow::anyhow!("invited: {m}"))?;
    let carried = Carried {
        password_hash: Some(&hash),
        next_path: None,
    };
    verification_email(svc, &mut tx, &account_id, &email, &name.display, carried)
        .await?
        .enqueue(&mut *tx, None, now)
        .await?;
    let accepted = admit(svc, &mut tx, &inv, account, actor).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(InviteeSignedUp::Joined(accepted))
}

/// The sign-up form's fields, each wrong one with its message.
fn parse_invitee(
    form: &InviteeSignUp,
    avatar: Option<Result<Avatar, &'static str>>,
    email: &str,
) -> ServiceResult<(Password, PersonName, Option<Avatar>)> {
    let mut errors = FieldErrors::default();
    let names = [&form.first_name, &form.last_name, &form.display_name].map(String::as_str);
    let checked = parse_password_and_names(&form.password, email, names, &mut errors);
    let avatar = match avatar {
        Some(Err(m)) => {
            errors.add("avatar", m);
            None
        }
        Some(Ok(a)) => Some(a),
        None => None,
    };
    match checked {
        Some((password, name)) if errors.is_empty() => Ok((password, name, avatar)),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// An invitation sign-up for an address that has an account: the account stays as it is;
/// its mailbox gets a sign-in link (verified) or a link confirming this sign-up's
/// password (unverified), either leading back to the invitation.
async fn existing_address(
    svc: &Services,
    tx: &mut Tx,
    email: &str,
    hash: &str,
    back_to: &str,
    actor: &Actor,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let existing = accounts::by_email(&mut **tx, email)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mail = if existing.email_verified == 1 {
        let why = "Someone (hopefully you) opened an invitation for this address, which already has a Gatehouse account. Sign in to accept it.";
        sign_in_link_email(svc, tx, &existing, why, Some(back_to)).await?
    } else {
        let address = EmailAddress::parse(email).map_err(|m| anyhow::anyhow!("invited: {m}"))?;
        let carried = Carried {
            password_hash: Some(hash),
            next_path: Some(back_to),
        };
        let name = existing.display_name.clone();
        verification_email(svc, tx, &existing.id, &address, &name, carried).await?
    };
    mail.enqueue(&mut **tx, None, now).await?;
    let event = super::accounts::event(
        actor,
        "account.sign_up_existing_address",
        &existing.id,
        email,
        now,
    );
    audit::record(&mut **tx, event).await?;
    Ok(())
}

/// Uses the invitation up and makes the account a member (or finds it already is one).
async fn admit(
    svc: &Services,
    tx: &mut Tx,
    inv: &InvitationRow,
    account: AccountRow,
    actor: &Actor,
) -> ServiceResult<Accepted> {
    let now = svc.clock.now();
    workspaces::lock(&mut **tx, &inv.workspace_id).await?;
    let ws = workspace_settings::get(&mut **tx, &inv.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let already_member = members::find(&mut **tx, &ws.id, &account.id)
        .await?
        .is_some();
    if !invitations::accept(&mut **tx, &inv.id, &account.id, now).await? {
        return Err(ServiceError::NotFound);
    }
    if !already_member {
        let extra_teams = invitations::extra_teams(&mut **tx, &inv.id).await?;
        let newcomer = Newcomer {
            account_id: &account.id,
            offered: Role::parse(&inv.role).unwrap_or(Role::Viewer),
            joined_via: "invitation",
            joined_via_ref: Some(&inv.id),
            invited_by: inv.invited_by.as_deref(),
            primary_team: inv.primary_team_id.as_deref(),
            extra_teams: &extra_teams,
        };
        let (role, seat) = admit_newcomer(tx, &ws, &newcomer, now).await?;
        record_accept(svc, tx, &ws, inv, &account, actor, (role, seat)).await?;
    }
    Ok(Accepted {
        account,
        slug: ws.slug,
        already_member,
    })
}

/// Someone joining a workspace (by invitation, link, domain or request).
pub(crate) struct Newcomer<'a> {
    pub account_id: &'a str,
    /// The role the invitation, link or rule offers; the seat rule may make it Viewer.
    pub offered: Role,
    pub joined_via: &'a str,
    pub joined_via_ref: Option<&'a str>,
    pub invited_by: Option<&'a str>,
    pub primary_team: Option<&'a str>,
    pub extra_teams: &'a [String],
}

/// Makes a newcomer a member on the seat rule, in their teams; returns the role and seat
/// they got. The caller has locked the workspace row and checked they are not a member.
pub(crate) async fn admit_newcomer(
    tx: &mut Tx,
    ws: &JoinSettings,
    n: &Newcomer<'_>,
    now: i64,
) -> ServiceResult<(Role, bool)> {
    let (role, seat) = newcomer_role(tx, ws, n.offered).await?;
    members::insert(
        &mut **tx,
        NewMembership {
            workspace_id: &ws.id,
            account_id: n.account_id,
            role: role.as_str(),
            has_seat: seat,
            joined_via: n.joined_via,
            joined_via_ref: n.joined_via_ref,
            invited_by: n.invited_by,
            now,
        },
    )
    .await?;
    if let Some(team) = n.primary_team {
        teams::add_member(&mut **tx, &ws.id, team, n.account_id, now).await?;
        teams::set_primary(&mut **tx, team, n.account_id).await?;
    }
    for team in n.extra_teams {
        teams::add_member(&mut **tx, &ws.id, team, n.account_id, now).await?;
    }
    if waits_for_seat(n.offered, role) {
        members::mark_seat_waiting(&mut **tx, &ws.id, n.account_id).await?;
    }
    let how = serde_json::json!({ "how": n.joined_via, "seat": seat });
    let event = "member.joined";
    super::webhook_events::member(tx, &ws.id, n.account_id, event, how, now).await?;
    Ok((role, seat))
}

/// Whether a newcomer offered `offered` became a Viewer for want of a seat.
pub(crate) fn waits_for_seat(offered: Role, got: Role) -> bool {
    got == Role::Viewer && matches!(offered, Role::Member | Role::Admin)
}

/// What a newcomer who waits for a seat is told, on the page and in their email.
pub(crate) fn seat_waiting_sentence(workspace: &str) -> String {
    format!(
        "No seat was free for you, so you joined {workspace} as a Viewer: you can sign in and look \
         around, and an admin can give you a seat."
    )
}

/// The seat rule for newcomers: with Auto-assign seats on, a Member seat if one is free,
/// else Viewer; off, Viewer. An Admin invitation or link takes a seat whenever one is free.
async fn newcomer_role(
    tx: &mut Tx,
    ws: &JoinSettings,
    offered: Role,
) -> ServiceResult<(Role, bool)> {
    let wants_seat = match offered {
        Role::Admin => true,
        Role::Member => ws.auto_assign_seats == 1,
        _ => false,
    };
    if wants_seat && workspaces::take_seat(&mut **tx, &ws.id).await? {
        return Ok((offered, true));
    }
    Ok((Role::Viewer, false))
}

/// The audit event, and the inviter's "your invitation was accepted" email.
async fn record_accept(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    inv: &InvitationRow,
    account: &AccountRow,
    actor: &Actor,
    (role, seat): (Role, bool),
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let details = serde_json::json!({ "invitation": inv.id, "role": role.as_str(), "seat": seat });
    let hook = serde_json::json!({ "invitation": { "id": inv.id, "email": inv.email } });
    let event = "invitation.accepted";
    super::webhook_events::member(tx, &inv.workspace_id, &account.id, event, hook, now).await?;
    audit::record(
        &mut **tx,
        NewEvent {
            workspace_id: Some(&inv.workspace_id),
            actor_account_id: Some(&account.id),
            action: "invitation.accepted",
            target_account_id: Some(&account.id),
            target: Some(&inv.email),
            details: Some(details.to_string()),
            ip: actor.ip.as_deref(),
            now,
            api_token_id: None,
        },
    )
    .await?;
    let Some(inviter) = inv.invited_by.as_deref() else {
        return Ok(());
    };
    let Some(inviter) = accounts::by_id(&mut **tx, inviter).await? else {
        return Ok(());
    };
    ActionEmail {
        kind: "invitation_accepted",
        to: inviter.email,
        subject: format!("{} joined {}", account.display_name, ws.name),
        greeting: format!("Hi {},", inviter.display_name),
        paragraphs: vec![format!(
            "{} ({}) accepted your invitation and joined {} as {}.",
            account.display_name,
            account.email,
            ws.name,
            role.label()
        )],
        button: "See the members".into(),
        link: svc.link(&format!("/w/{}/members", ws.slug)),
        footer: format!(
            "You get this email because you invited {} to {}.",
            account.email, ws.name
        ),
    }
    .enqueue(&mut **tx, None, now)
    .await?;
    Ok(())
}
