//! A member's detail page (Owners and Admins): who they are here, how they joined
//! (invitation, invite link, join request, approved domain), who let them in, and their
//! audit trail — the newest events they did, that were done to them, or that name their
//! address, with the whole trail one click away on the Audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::view::{RoleOption, TeamTag, joined_via_label, may_manage, role_menu, team_tags};
use crate::domain::{MembershipStatus, Role};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::audit_log::{self, AuditQuery, Cursor};
use crate::store::member_origin::{self, Origin};
use crate::store::teams;
use crate::web::audit::view::{EventRow, times};
use crate::web::extract::Admin;
use crate::web::page::{Page, PageContext};

/// How many of the newest trail events the page shows.
const TRAIL_SIZE: usize = 20;

/// One line of "How they joined": a label, what it says, and where it leads, if anywhere.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    pub link: Option<String>,
}

/// The Manage card: the row menus' controls as plain forms (where the Members page's name
/// link leads when its menus cannot be built, without JavaScript). Absent when the viewer
/// may not change this member (an Admin looking at an Owner).
#[derive(Debug, Clone)]
pub struct Manage {
    /// `/w/{slug}/members/{account_id}`: the actions' base and where they come back to.
    pub url: String,
    /// Their role (`owner`, …), shown as the current choice.
    pub role: &'static str,
    /// The roles the viewer may give, and their current one.
    pub options: Vec<RoleOption>,
    pub suspended: bool,
}

impl Manage {
    fn of(viewer: Role, slug: &str, account_id: &str, role: Role, suspended: bool) -> Option<Self> {
        may_manage(viewer, role).then(|| Self {
            url: format!("/w/{slug}/members/{account_id}"),
            role: role.as_str(),
            options: role_menu(viewer)
                .into_iter()
                .filter(|o| o.grantable || o.value == role.as_str())
                .collect(),
            suspended,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/detail.html")]
pub struct DetailPage {
    page: Page,
    /// Whose page this is (picks their placeholder's colour when they have no picture).
    account_id: String,
    name: String,
    /// Their picture's path, when they chose one.
    avatar: Option<String>,
    email: String,
    role: &'static str,
    has_seat: bool,
    status: &'static str,
    teams: Vec<TeamTag>,
    how: Vec<Fact>,
    trail: Vec<EventRow>,
    more_events: bool,
    audit_link: String,
    members_link: String,
    manage: Option<Manage>,
}

/// GET `/w/{slug}/members/{account_id}`.
pub async fn show(
    State(svc): State<Services>,
    Admin(viewer): Admin,
    ctx: PageContext,
    Path((_, account_id)): Path<(String, String)>,
) -> AppResult<DetailPage> {
    let pool = svc.store.pool();
    let w = &viewer.workspace;
    let origin = member_origin::of(pool, &w.id, &account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let listed = &origin.member;
    let ids = [account_id.clone()];
    let mut tags = team_tags(teams::of_accounts(pool, &w.id, &ids).await?);
    let pictures = crate::store::avatars::versions(&svc.store, &ids).await?;
    let trail_query = AuditQuery {
        member: Some(account_id.clone()),
        ..AuditQuery::default()
    };
    let limit = i64::try_from(TRAIL_SIZE + 1).unwrap_or(21);
    let mut trail = audit_log::page(pool, &w.id, &trail_query, Cursor::Newest, limit).await?;
    let more_events = trail.len() > TRAIL_SIZE;
    trail.truncate(TRAIL_SIZE);
    let role = Role::parse(&listed.role).unwrap_or(Role::Viewer);
    let status = MembershipStatus::parse(&listed.status).unwrap_or(MembershipStatus::Active);
    Ok(DetailPage {
        page: ctx.in_workspace(&viewer, &listed.display_name, "members"),
        how: how_they_joined(&w.slug, &origin),
        teams: tags.remove(&account_id).unwrap_or_default(),
        trail: trail
            .into_iter()
            .map(|e| EventRow::new(e, &w.slug))
            .collect(),
        more_events,
        audit_link: format!("/w/{}/audit?member={account_id}", w.slug),
        members_link: members_link(&w.slug, &listed.email, status),
        manage: Manage::of(
            viewer.role,
            &w.slug,
            &account_id,
            role,
            status == MembershipStatus::Suspended,
        ),
        role: role.label(),
        has_seat: listed.has_seat == 1,
        status: status.label(),
        name: listed.display_name.clone(),
        avatar: crate::store::avatars::path(&account_id, &pictures),
        account_id,
        email: listed.email.clone(),
    })
}

/// The Members page showing just this member (under Suspended when they are).
fn members_link(slug: &str, email: &str, status: MembershipStatus) -> String {
    let mut query = vec![("q", email)];
    if status == MembershipStatus::Suspended {
        query.push(("status", "suspended"));
    }
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("/w/{slug}/members?{query}")
}

fn fact(label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        label,
        value: value.into(),
        link: None,
    }
}

/// "Name (email)", or `gone` when nobody is recorded (their account was deleted, or
/// nobody had to act).
fn person(name: &Option<String>, email: &Option<String>, gone: &str) -> String {
    match (name, email) {
        (Some(name), Some(email)) => format!("{name} ({email})"),
        _ => gone.to_string(),
    }
}

/// Who approved the join request, and when it was filed.
fn request_facts(o: &Origin, facts: &mut Vec<Fact>) {
    if let Some(at) = o.requested_at {
        facts.push(fact("Asked to join", times(at).0));
    }
    let gone = match o.requested_at {
        Some(_) => "A former member",
        None => "Nobody: Auto-approve join requests was on",
    };
    facts.push(fact(
        "Approved by",
        person(&o.approved_by_name, &o.approved_by_email, gone),
    ));
}

/// The link joined through, linking to its page while it exists.
fn link_fact(slug: &str, o: &Origin) -> Fact {
    match (&o.link_id, &o.link_role) {
        (Some(id), Some(role)) => Fact {
            label: "Invite link",
            value: format!(
                "{} link shared by {}",
                Role::parse(role).map_or("Member", Role::label),
                o.link_creator_name.as_deref().unwrap_or("a former member")
            ),
            link: Some(format!("/w/{slug}/links/{id}")),
        },
        _ => fact("Invite link", "A link since deleted"),
    }
}

/// The lines of "How they joined", from what the membership records.
pub fn how_they_joined(slug: &str, o: &Origin) -> Vec<Fact> {
    let (joined_at, _) = times(o.member.joined_at);
    let mut facts = vec![
        fact("Joined via", joined_via_label(&o.member.joined_via)),
        fact("Joined", joined_at),
    ];
    match o.member.joined_via.as_str() {
        "created" => facts.push(fact("Let in by", "Nobody: they created the workspace")),
        "invitation" => {
            let sent_to = match (&o.invited_address, &o.invited_role) {
                (Some(address), Some(role)) => format!(
                    "{address}, as {}",
                    Role::parse(role).map_or("Member", Role::label)
                ),
                _ => "An invitation since deleted".to_string(),
            };
            facts.push(fact("Invitation sent to", sent_to));
            let inviter = person(&o.let_in_by_name, &o.let_in_by_email, "A former member");
            facts.push(fact("Invited by", inviter));
        }
        "link" => {
            facts.push(link_fact(slug, o));
            if o.requested_at.is_some() {
                request_facts(o, &mut facts);
            } else {
                let creator = person(&o.let_in_by_name, &o.let_in_by_email, "A former member");
                facts.push(fact("Let in by", format!("{creator}, through their link")));
            }
        }
        "request" => {
            facts.push(fact("Asked through", "Browse workspaces"));
            request_facts(o, &mut facts);
        }
        "domain" => {
            let domain = o.joined_via_ref.clone().unwrap_or_default();
            let approval = match (&o.domain, &o.domain_added_by_name) {
                (Some(_), Some(by)) => format!("{domain}, approved by {by}"),
                (Some(_), None) => format!("{domain}, approved by a former member"),
                (None, _) => format!("{domain} (no longer approved)"),
            };
            facts.push(fact("Approved domain", approval));
            facts.push(fact(
                "Let in by",
                "Their verified address at an approved domain",
            ));
        }
        _ => facts.push(fact("Let in by", "Added by the seed command")),
    }
    facts
}
