//! Redeeming an invite link: what its page shows (nothing used up), joining with one click
//! when signed in, signing up through it (the membership waits until the address is
//! verified), and the join itself. Every redemption locks the workspace row first and
//! counts the use in the statement that checks max uses, so however many requests race,
//! uses never pass the maximum and each join is one membership on the seat rule.

use sqlx::AnyConnection;

use crate::domain::Role;
use crate::domain::image::Avatar;
use crate::domain::invite_code::{code_hash, looks_like_code};
use crate::store::accounts::AccountRow;
use crate::store::audit::{self, NewEvent};
use crate::store::links::{self, LinkRow};
use crate::store::members;
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::{accounts, avatars, join_requests, workspaces};

use super::super::accounts::{SignUpForm, prepare_sign_up, sign_up_in};
use super::super::joining::{Newcomer, admit_newcomer};
use super::super::limits::Action;
use super::super::{Actor, FieldErrors, ServiceError, ServiceResult, Services};
use super::{JoinPath, emails, path_of};
use crate::services::Tx;

/// Where the signed-in visitor stands with the link's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Outside,
    Member,
    Requested,
    Declined,
}

/// What a link's page shows.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub link_id: String,
    pub workspace_name: String,
    pub slug: String,
    pub role: Role,
    pub shared_by: String,
    pub path: JoinPath,
    pub standing: Standing,
}

/// What a redemption did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    Joined {
        slug: String,
        workspace: String,
    },
    AlreadyMember {
        slug: String,
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
    /// The link stopped working before the address was verified.
    Gone,
}

/// The link a code stands for, its workspace and how it would be redeemed now; `None`
/// for unknown, revoked, expired, used-up and switched-off links alike.
async fn live(
    conn: &mut AnyConnection,
    code_hash: &str,
    now: i64,
) -> ServiceResult<Option<(LinkRow, JoinSettings, JoinPath)>> {
    let Some(link) = links::by_code_hash(&mut *conn, code_hash).await? else {
        return Ok(None);
    };
    let Some(ws) = workspace_settings::get(&mut *conn, &link.workspace_id).await? else {
        return Ok(None);
    };
    Ok(path_of(&ws, &link, now).map(|path| (link, ws, path)))
}

fn hash_of(code: &str) -> Option<String> {
    looks_like_code(code).then(|| code_hash(code))
}

/// What the page shows for a code, without using anything up.
pub async fn peek(
    svc: &Services,
    code: &str,
    visitor: Option<&AccountRow>,
) -> ServiceResult<Option<LinkView>> {
    let Some(hash) = hash_of(code) else {
        return Ok(None);
    };
    let mut conn = svc.store.pool().acquire().await?;
    let Some((link, ws, path)) = live(&mut conn, &hash, svc.clock.now()).await? else {
        return Ok(None);
    };
    let standing = match visitor {
        Some(a) => standing(&mut conn, &ws.id, &a.id, &hash).await?,
        None => Standing::Outside,
    };
    Ok(Some(LinkView {
        link_id: link.id,
        workspace_name: ws.name,
        slug: ws.slug,
        role: Role::parse(&link.role).unwrap_or(Role::Viewer),
        shared_by: link
            .creator_name
            .unwrap_or_else(|| "A workspace admin".into()),
        path,
        standing,
    }))
}

async fn standing(
    conn: &mut AnyConnection,
    workspace_id: &str,
    account_id: &str,
    hash: &str,
) -> ServiceResult<Standing> {
    Ok(
        if members::find(&mut *conn, workspace_id, account_id)
            .await?
            .is_some()
        {
            Standing::Member
        } else if join_requests::has_pending(&mut *conn, workspace_id, account_id).await? {
            Standing::Requested
        } else if join_requests::was_declined(&mut *conn, workspace_id, account_id, hash).await? {
            Standing::Declined
        } else {
            Standing::Outside
        },
    )
}

/// Counts a view of a live link's page (analytics; no audit event).
pub async fn count_visit(svc: &Services, link_id: &str) -> ServiceResult<()> {
    links::count_visit(svc.store.pool(), link_id, svc.clock.now()).await?;
    Ok(())
}

/// Joins (or asks to join) with the signed-in account.
pub async fn join(
    svc: &Services,
    code: &str,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Redeemed> {
    let hash = hash_of(code).ok_or(ServiceError::NotFound)?;
    let mut tx = svc.store.begin_write().await?;
    let redeemed = redeem(svc, &mut tx, &hash, account, actor).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(redeemed)
}

async fn redeem(
    svc: &Services,
    tx: &mut Tx,
    hash: &str,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<Redeemed> {
    let link = links::by_code_hash(&mut **tx, hash)
        .await?
        .ok_or(ServiceError::NotFound)?;
    workspaces::lock(&mut **tx, &link.workspace_id).await?;
    // Read again under the lock: uses, revocation and the creator's role are current.
    let (link, ws, path) = live(tx, hash, svc.clock.now())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (slug, workspace) = (ws.slug.clone(), ws.name.clone());
    match standing(tx, &ws.id, &account.id, hash).await? {
        Standing::Member => return Ok(Redeemed::AlreadyMember { slug, workspace }),
        Standing::Requested => return Ok(Redeemed::AlreadyRequested { workspace }),
        Standing::Declined => return Ok(Redeemed::Declined { workspace }),
        Standing::Outside => {}
    }
    if path == JoinPath::Request {
        file_request(svc, tx, &ws, &link, hash, account, actor).await?;
        return Ok(Redeemed::Requested { workspace });
    }
    admit(svc, tx, &ws, &link, account, actor, None).await?;
    Ok(Redeemed::Joined { slug, workspace })
}

async fn file_request(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    link: &LinkRow,
    hash: &str,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<()> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = svc.clock.now();
    join_requests::insert(
        &mut **tx,
        &id,
        &ws.id,
        &account.id,
        Some((&link.id, hash)),
        now,
    )
    .await?;
    let details = serde_json::json!({ "request": id, "link": link.id });
    let hook = serde_json::json!({ "request": { "id": id }, "via": "link" });
    crate::services::webhook_events::join_request(tx, &ws.id, &account.id, hook, now).await?;
    event(tx, ws, actor, "join_request.created", account, details, now).await?;
    emails::request_received(svc, tx, ws, account).await
}

/// Uses the link once and makes the account a member on the seat rule, in its teams.
/// `approved` is the join request an admin approved, when there was one.
pub(crate) async fn admit(
    svc: &Services,
    tx: &mut Tx,
    ws: &JoinSettings,
    link: &LinkRow,
    account: &AccountRow,
    actor: &Actor,
    approved: Option<&str>,
) -> ServiceResult<(Role, bool)> {
    let now = svc.clock.now();
    if !links::use_once(&mut **tx, &link.id, now).await? {
        return Err(ServiceError::NotFound);
    }
    let extra_teams = links::extra_teams(&mut **tx, &link.id).await?;
    let newcomer = Newcomer {
        account_id: &account.id,
        offered: Role::parse(&link.role).unwrap_or(Role::Viewer),
        joined_via: "link",
        joined_via_ref: Some(&link.id),
        invited_by: link.created_by.as_deref(),
        primary_team: link.primary_team_id.as_deref(),
        extra_teams: &extra_teams,
    };
    let (role, seat) = admit_newcomer(tx, ws, &newcomer, now).await?;
    links::count_join(&mut **tx, &link.id, now).await?;
    let details = serde_json::json!({
        "link": link.id, "role": role.as_str(), "seat": seat, "request": approved,
    });
    event(tx, ws, actor, "link.joined", account, details, now).await?;
    emails::joined_through_link(
        svc,
        tx,
        ws,
        link.created_by.as_deref(),
        link.notify_creator == 1,
        account,
        role.label(),
    )
    .await?;
    Ok((role, seat))
}

/// An audit event about `whom` in the link's workspace.
pub(crate) async fn event(
    tx: &mut Tx,
    ws: &JoinSettings,
    actor: &Actor,
    action: &str,
    whom: &AccountRow,
    details: serde_json::Value,
    now: i64,
) -> ServiceResult<()> {
    audit::record(
        &mut **tx,
        NewEvent {
            workspace_id: Some(&ws.id),
            actor_account_id: actor.account_id.as_deref().or(Some(&whom.id)),
            action,
            target_account_id: Some(&whom.id),
            target: Some(&whom.email),
            details: Some(details.to_string()),
            ip: actor.ip.as_deref(),
            now,
            api_token_id: actor.api_token_id.as_deref(),
        },
    )
    .await?;
    Ok(())
}

/// Signs up through a link: the same answer as any sign-up ("check your email"); the
/// join waits, recorded, until the emailed link proves the address. A join is recorded
/// only for a new account (never for an address that already has one).
pub async fn sign_up(
    svc: &Services,
    code: &str,
    form: &SignUpForm,
    avatar: Option<Result<Avatar, &'static str>>,
    actor: &Actor,
) -> ServiceResult<()> {
    let view = peek(svc, code, None).await?.ok_or(ServiceError::NotFound)?;
    let prepared = prepare_sign_up(svc, form, Action::LinkSignUp, actor).await;
    let avatar = match (prepared, avatar) {
        (Err(ServiceError::Invalid(mut errors)), Some(Err(m))) => {
            errors.add("avatar", m);
            return Err(ServiceError::Invalid(errors));
        }
        (Ok(_), Some(Err(m))) => {
            return Err(ServiceError::Invalid(FieldErrors::single("avatar", m)));
        }
        (Err(e), _) => return Err(e),
        (Ok(p), a) => (p, a.and_then(Result::ok)),
    };
    let (prepared, avatar) = avatar;
    let hash = code_hash(code);
    let mut tx = svc.store.begin_write().await?;
    let signed_up = sign_up_in(svc, &mut tx, &prepared, Some(&view.workspace_name), actor).await?;
    // Only the account this sign-up created waits to join: an existing account's
    // address is not this visitor's to sign into a workspace.
    if signed_up.created {
        let now = svc.clock.now();
        links::add_signup(&mut *tx, &signed_up.account_id, &view.link_id, &hash, now).await?;
    }
    if let (true, Some(avatar)) = (signed_up.created, avatar) {
        avatars::put(
            &mut *tx,
            &signed_up.account_id,
            avatar.content_type,
            &avatar.bytes,
            svc.clock.now(),
        )
        .await?;
    }
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(())
}

/// After an address is proven (verification or one-time sign-in link): the joins its
/// link sign-ups were waiting for, each through its link as it stands now.
pub async fn complete_signups(
    svc: &Services,
    account_id: &str,
    actor: &Actor,
) -> ServiceResult<Vec<Redeemed>> {
    let mut tx = svc.store.begin_write().await?;
    let hashes = links::take_signups(&mut *tx, account_id).await?;
    let Some(account) = accounts::by_id(&mut *tx, account_id).await? else {
        return Ok(Vec::new());
    };
    let mut done = Vec::with_capacity(hashes.len());
    for hash in hashes {
        match redeem(svc, &mut tx, &hash, &account, actor).await {
            Ok(r) => done.push(r),
            Err(ServiceError::NotFound) => done.push(Redeemed::Gone),
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(done)
}
