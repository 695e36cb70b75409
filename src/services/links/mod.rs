//! Invite links from the sharing side: creating them (role never above the creator's own,
//! Admin links always expire), the default Member link, Regenerate, Revoke, the per-link
//! notification switch, and the Security page's Allow invite links (off revokes every
//! link for good) / Delete all existing links. Redeeming lives in `redeem`; which path a redemption takes is decided here.

pub(crate) mod emails;
pub mod redeem;

use crate::services::Tx;

use crate::domain::Role;
use crate::store::links::{self, LinkRow, NewLink};
use crate::store::workspace_settings::{self, JoinSettings};
use crate::store::workspaces;

use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services, record_event};

const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;

/// How long a new link works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkExpiry {
    Hour,
    Day,
    #[default]
    Week,
    Month,
    Never,
}

impl LinkExpiry {
    pub const ALL: [Self; 5] = [Self::Hour, Self::Day, Self::Week, Self::Month, Self::Never];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "1h",
            Self::Day => "1d",
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Never => "never",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Hour => "1 hour",
            Self::Day => "1 day",
            Self::Week => "7 days",
            Self::Month => "30 days",
            Self::Never => "Never",
        }
    }

    fn seconds(self) -> Option<i64> {
        match self {
            Self::Hour => Some(HOUR),
            Self::Day => Some(DAY),
            Self::Week => Some(7 * DAY),
            Self::Month => Some(30 * DAY),
            Self::Never => None,
        }
    }
}

/// What the Create link form submits, parsed.
#[derive(Debug, Clone)]
pub struct LinkSpec {
    pub role: Role,
    pub primary_team: Option<String>,
    pub extra_teams: Vec<String>,
    pub max_uses: Option<i64>,
    pub expiry: LinkExpiry,
    pub notify_creator: bool,
}

impl LinkSpec {
    /// The link every sharer gets on their first visit: Member, unlimited, 7 days.
    fn default_member() -> Self {
        Self {
            role: Role::Member,
            primary_team: None,
            extra_teams: Vec::new(),
            max_uses: None,
            expiry: LinkExpiry::Week,
            notify_creator: true,
        }
    }
}

/// The most uses a link may be limited to (beyond that, leave it unlimited).
pub const MAX_USES_LIMIT: i64 = 1_000_000;

/// Parses the max uses field: empty is unlimited.
pub fn parse_max_uses(raw: &str) -> Result<Option<i64>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if (1..=MAX_USES_LIMIT).contains(&n) => Ok(Some(n)),
        _ => Err("Enter a whole number from 1 to 1,000,000, or leave it empty for unlimited."),
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(field, message))
}

const LINKS_OFF: &str = "Invite links are turned off on the Security page.";

/// How a redemption proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinPath {
    /// Joins at once: an Owner or Admin made the link, or auto-approve is on.
    Direct,
    /// Files a join request for an admin to decide.
    Request,
}

/// Whether `role` may share links here at all, and whether theirs need approval.
pub fn sharer_path(role: Role, ws: &JoinSettings) -> Option<JoinPath> {
    // The same rule as for email invitations.
    match super::invitations::needs_approval(role, ws) {
        Ok(false) => Some(JoinPath::Direct),
        Ok(true) => Some(JoinPath::Request),
        Err(_) => None,
    }
}

/// Whether a link works right now, and how: links are on, it is live, and its creator is
/// still an active member who may share it (a link never outlives its creator's right
/// to invite, nor grants more than their current role).
pub fn path_of(ws: &JoinSettings, link: &LinkRow, now: i64) -> Option<JoinPath> {
    if ws.allow_invite_links == 0 || !link.is_live(now) {
        return None;
    }
    let creator = link.creator_role.as_deref().and_then(Role::parse)?;
    let offered = Role::parse(&link.role)?;
    if !creator.can_grant(offered) {
        return None;
    }
    sharer_path(creator, ws)
}

/// The link's public URL, its code derived from the stored nonce.
pub fn url(svc: &Services, link: &LinkRow) -> String {
    svc.link(&format!("/join/{}", svc.codes.code_for(&link.code_nonce)))
}

/// Opens the write transaction, locks the workspace and checks the person may share links.
async fn begin(svc: &Services, by: &Manager) -> ServiceResult<(Tx, JoinSettings)> {
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let ws = workspace_settings::get(&mut *tx, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if sharer_path(by.role, &ws).is_none() {
        return Err(ServiceError::Forbidden);
    }
    Ok((tx, ws))
}

fn account_of(by: &Manager) -> ServiceResult<&str> {
    by.actor
        .account_id
        .as_deref()
        .ok_or(ServiceError::Forbidden)
}

/// Creates a link. Bad input changes nothing and says why beside the field.
pub async fn create(svc: &Services, by: &Manager, spec: &LinkSpec) -> ServiceResult<String> {
    check_spec(by.role, spec)?;
    let (mut tx, ws) = begin(svc, by).await?;
    if ws.allow_invite_links == 0 {
        return Err(invalid("link", LINKS_OFF));
    }
    crate::services::teams::check_known(
        &mut tx,
        &ws.id,
        spec.primary_team.as_ref(),
        &spec.extra_teams,
    )
    .await?;
    let id = insert(svc, &mut tx, by, spec).await?;
    tx.commit().await?;
    Ok(id)
}

fn check_spec(role: Role, spec: &LinkSpec) -> ServiceResult<()> {
    if spec.role == Role::Owner || !role.can_grant(spec.role) {
        return Err(invalid(
            "role",
            format!("You can share links for {} at most.", role.label()),
        ));
    }
    if spec.role == Role::Admin && spec.expiry == LinkExpiry::Never {
        return Err(invalid(
            "expiry",
            "Admin links always expire: choose 30 days or less.",
        ));
    }
    Ok(())
}

async fn insert(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    spec: &LinkSpec,
) -> ServiceResult<String> {
    let now = svc.clock.now();
    let id = uuid::Uuid::new_v4().to_string();
    let code = svc.codes.issue().map_err(anyhow::Error::from)?;
    links::insert(
        &mut **tx,
        NewLink {
            id: &id,
            workspace_id: &by.workspace_id,
            role: spec.role.as_str(),
            primary_team_id: spec.primary_team.as_deref(),
            code_nonce: &code.nonce,
            code_hash: &code.hash,
            created_by: account_of(by)?,
            lifetime_secs: spec.expiry.seconds(),
            max_uses: spec.max_uses,
            notify_creator: spec.notify_creator,
            now,
        },
    )
    .await?;
    for team in &spec.extra_teams {
        if Some(team) != spec.primary_team.as_ref() {
            links::add_team(&mut **tx, &id, team).await?;
        }
    }
    let details = serde_json::json!({
        "link": id,
        "role": spec.role.as_str(),
        "max_uses": spec.max_uses,
        "expires": spec.expiry.as_str(),
    });
    record_event(svc, tx, by, "link.created", None, details).await?;
    Ok(id)
}

/// The first visit to Invite links: makes this person's Member link when they have no
/// live one (and links are on). Returns whether it made one.
pub async fn ensure_default(svc: &Services, by: &Manager) -> ServiceResult<bool> {
    let (mut tx, ws) = begin(svc, by).await?;
    let me = account_of(by)?;
    let now = svc.clock.now();
    if ws.allow_invite_links == 0 || links::has_live(&mut *tx, &ws.id, me, "member", now).await? {
        return Ok(false);
    }
    insert(svc, &mut tx, by, &LinkSpec::default_member()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Onboarding's default team: a fresh Member link that puts joiners in `team_id`. This
/// person's team-less Member links that nobody has used yet are revoked in the same
/// transaction (a link's settings are never edited: it is replaced), so the link the
/// first-run page shows is the one with the team. Returns the new link's id, or `None`
/// when invite links are off.
pub async fn default_for_team(
    svc: &Services,
    by: &Manager,
    team_id: &str,
) -> ServiceResult<Option<String>> {
    let (mut tx, ws) = begin(svc, by).await?;
    if ws.allow_invite_links == 0 {
        return Ok(None);
    }
    let me = account_of(by)?;
    let now = svc.clock.now();
    for old in links::list(&mut *tx, &ws.id, Some(me)).await? {
        if old.role == "member"
            && old.primary_team_id.is_none()
            && old.uses == 0
            && old.is_live(now)
        {
            links::revoke(&mut *tx, &old.id, now).await?;
        }
    }
    let spec = LinkSpec {
        primary_team: Some(team_id.to_string()),
        ..LinkSpec::default_member()
    };
    crate::services::teams::check_known(&mut tx, &ws.id, spec.primary_team.as_ref(), &[]).await?;
    let id = insert(svc, &mut tx, by, &spec).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Admins manage every link of their workspace, Members only their own.
fn may_manage(by: &Manager, link: &LinkRow) -> bool {
    by.role.is_admin() || link.created_by.as_deref() == by.actor.account_id.as_deref()
}

/// The link `id` of this workspace, if this person may manage it.
async fn managed(tx: &mut Tx, by: &Manager, id: &str) -> ServiceResult<LinkRow> {
    links::by_id(&mut **tx, &by.workspace_id, id)
        .await?
        .filter(|link| may_manage(by, link))
        .ok_or(ServiceError::NotFound)
}

/// A new code, same settings; the old code stops working in this transaction.
pub async fn regenerate(svc: &Services, by: &Manager, id: &str) -> ServiceResult<()> {
    let (mut tx, ws) = begin(svc, by).await?;
    if ws.allow_invite_links == 0 {
        return Err(invalid("link", LINKS_OFF));
    }
    let link = managed(&mut tx, by, id).await?;
    let code = svc.codes.issue().map_err(anyhow::Error::from)?;
    if !links::regenerate(&mut *tx, &link.id, &code.nonce, &code.hash, svc.clock.now()).await? {
        return Err(invalid(
            "link",
            "A revoked link cannot be regenerated: make a new one.",
        ));
    }
    let details = serde_json::json!({ "link": link.id });
    record_event(svc, &mut tx, by, "link.regenerated", None, details).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke(svc: &Services, by: &Manager, id: &str) -> ServiceResult<()> {
    let (mut tx, _) = begin(svc, by).await?;
    let link = managed(&mut tx, by, id).await?;
    if !links::revoke(&mut *tx, &link.id, svc.clock.now()).await? {
        return Err(invalid("link", "This link was already revoked."));
    }
    let details = serde_json::json!({ "link": link.id, "uses": link.uses });
    record_event(svc, &mut tx, by, "link.revoked", None, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the creator is emailed when someone joins (only the creator changes it).
pub async fn set_notify(svc: &Services, by: &Manager, id: &str, on: bool) -> ServiceResult<()> {
    let (mut tx, _) = begin(svc, by).await?;
    let link = managed(&mut tx, by, id).await?;
    if link.created_by.as_deref() != by.actor.account_id.as_deref() {
        return Err(invalid(
            "link",
            "Only the link's creator chooses their emails.",
        ));
    }
    links::set_notify(&mut *tx, &link.id, on).await?;
    let details = serde_json::json!({ "link": link.id, "notify_creator": on });
    record_event(svc, &mut tx, by, "link.notify_changed", None, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Security page: turns invite links on or off (Owners and Admins). Off revokes every
/// existing link for good, in the same transaction; turning links on again revives none
/// (sharers get fresh links). Returns how many links were revoked.
pub async fn set_allowed(svc: &Services, by: &Manager, on: bool) -> ServiceResult<u64> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    workspace_settings::set_allow_invite_links(&mut *tx, &by.workspace_id, on).await?;
    let revoked = if on {
        0
    } else {
        links::revoke_all(&mut *tx, &by.workspace_id, svc.clock.now()).await?
    };
    let details = serde_json::json!({ "allow_invite_links": on, "links_revoked": revoked });
    record_event(svc, &mut tx, by, "settings.changed", None, details).await?;
    tx.commit().await?;
    Ok(revoked)
}

/// Security page: deletes every link of the workspace. Returns how many.
pub async fn delete_all(svc: &Services, by: &Manager) -> ServiceResult<u64> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &by.workspace_id).await?;
    let deleted = links::delete_all(&mut *tx, &by.workspace_id).await?;
    let details = serde_json::json!({ "deleted": deleted });
    record_event(svc, &mut tx, by, "links.deleted_all", None, details).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// A link this person may see the details of (admins: any; Members: their own).
pub async fn visible(svc: &Services, by: &Manager, id: &str) -> ServiceResult<LinkRow> {
    let pool = svc.store.pool();
    let ws = workspace_settings::get(pool, &by.workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if sharer_path(by.role, &ws).is_none() {
        return Err(ServiceError::Forbidden);
    }
    links::by_id(pool, &by.workspace_id, id)
        .await?
        .filter(|link| may_manage(by, link))
        .ok_or(ServiceError::NotFound)
}
