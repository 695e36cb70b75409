//! What the Members templates show: rows ready to render, the seat bar, filters and
//! pagination links.

use std::collections::HashMap;

use super::{ListParams, PAGE_SIZE};
use crate::clock::format_date;
use crate::domain::{MembershipStatus, Role};
use crate::store::member_list::ListedMember;
use crate::store::teams::TeamTagRow;
use crate::web::extract::Member;

/// The seat bar: `12 / 25`.
#[derive(Debug, Clone)]
pub struct Seats {
    pub used: i64,
    pub count: i64,
}

/// One role the manager may pick for a row.
#[derive(Debug, Clone)]
pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One member row.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub account_id: String,
    /// Where this member's actions live: `/w/{slug}/members/{account_id}`.
    pub url: String,
    pub name: String,
    pub email: String,
    pub role_label: &'static str,
    pub options: Vec<RoleOption>,
    /// Whether the viewer may change this member at all (Admins cannot touch Owners).
    pub manageable: bool,
    pub has_seat: bool,
    pub suspended: bool,
    pub status_label: &'static str,
    pub joined_via: String,
    pub joined_at: String,
    /// Team names, the primary one first and marked.
    pub teams: Vec<TeamTag>,
    pub is_me: bool,
    pub error: Option<String>,
    /// The member's picture (`/avatars/...`), when they chose one.
    pub avatar: Option<String>,
}

/// A team shown in a member's row.
#[derive(Debug, Clone)]
pub struct TeamTag {
    pub name: String,
    pub primary: bool,
}

/// The teams of each listed member, keyed by account id.
pub fn team_tags(memberships: Vec<TeamTagRow>) -> HashMap<String, Vec<TeamTag>> {
    let mut tags: HashMap<String, Vec<TeamTag>> = HashMap::new();
    for tm in memberships {
        tags.entry(tm.account_id).or_default().push(TeamTag {
            name: tm.team_name,
            primary: tm.is_primary == 1,
        });
    }
    tags
}

/// Builds a row as `manager` sees it, in the workspace `slug`.
pub fn member_row(
    slug: &str,
    m: ListedMember,
    manager: Role,
    me: &str,
    error: Option<String>,
    teams: Vec<TeamTag>,
) -> MemberRow {
    let role = Role::parse(&m.role).unwrap_or(Role::Viewer);
    let manageable = role != Role::Owner || manager == Role::Owner;
    let mut options: Vec<RoleOption> = [Role::Owner, Role::Admin, Role::Member, Role::Viewer]
        .into_iter()
        .filter(|r| *r == role || manager.can_grant(*r))
        .map(|r| RoleOption {
            value: r.as_str(),
            label: r.label(),
            selected: r == role,
        })
        .collect();
    if !manageable {
        options.retain(|o| o.selected);
    }
    let status = MembershipStatus::parse(&m.status).unwrap_or(MembershipStatus::Active);
    MemberRow {
        is_me: m.account_id == me,
        url: format!("/w/{slug}/members/{}", m.account_id),
        account_id: m.account_id,
        name: m.display_name,
        email: m.email,
        role_label: role.label(),
        options,
        manageable,
        has_seat: m.has_seat == 1,
        suspended: status == MembershipStatus::Suspended,
        status_label: status.label(),
        joined_via: joined_via_label(&m.joined_via).to_string(),
        joined_at: format_date(m.joined_at),
        teams,
        error,
        avatar: None,
    }
}

pub fn joined_via_label(via: &str) -> &'static str {
    match via {
        "created" => "Created the workspace",
        "invitation" => "Email invitation",
        "link" => "Invite link",
        "domain" => "Approved domain",
        "request" => "Join request",
        _ => "Added",
    }
}

/// Everything the Members page and its fragments show.
#[derive(Debug, Clone)]
pub struct MembersView {
    pub slug: String,
    /// The list URL to return to after a plain-form action.
    pub back: String,
    pub rows: Vec<MemberRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
    pub csv_link: String,
    pub q: String,
    pub seat: String,
    pub status: String,
    pub sort: String,
    pub seats: Seats,
    pub auto_assign: bool,
    pub pending: bool,
    /// The outstanding invitations, under the Pending filter.
    pub invitations: Vec<crate::web::invitations::InvitationItem>,
}

impl MembersView {
    /// The page around the results (filters, seat bar, seat tools): the results
    /// themselves are rendered on their own (`results::html`).
    pub fn frame(member: &Member, params: &ListParams) -> Self {
        Self::new(member, params, Vec::new(), 0, params.page_number())
    }

    pub fn new(
        member: &Member,
        params: &ListParams,
        rows: Vec<MemberRow>,
        total: i64,
        page: i64,
    ) -> Self {
        let w = &member.workspace;
        let base = format!("/w/{}/members", w.slug);
        let link = |p: i64| format!("{base}?{}", params.query_string(Some(p)));
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Self {
            slug: w.slug.clone(),
            back: link(page),
            rows,
            total,
            page,
            pages,
            prev_link: (page > 1).then(|| link(page - 1)),
            next_link: (page < pages).then(|| link(page + 1)),
            csv_link: format!("/w/{}/members.csv?{}", w.slug, params.query_string(None)),
            q: params.q.trim().to_string(),
            seat: if params.seat.is_empty() {
                "all".into()
            } else {
                params.seat.clone()
            },
            status: if params.status.is_empty() {
                "active".into()
            } else {
                params.status.clone()
            },
            sort: if params.sort == "desc" {
                "desc".into()
            } else {
                "asc".into()
            },
            seats: Seats {
                used: w.seats_used,
                count: w.seat_count,
            },
            auto_assign: w.auto_assign_seats == 1,
            pending: params.status == "pending",
            invitations: Vec::new(),
        }
    }
}
