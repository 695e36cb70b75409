//! What the Members templates show: rows ready to render, the seat bar, filters and
//! pagination links.

use std::collections::HashMap;
use std::fmt;

use super::{ListParams, PAGE_SIZE};
use crate::clock::format_date;
use crate::domain::{MembershipStatus, Role};
use crate::store::member_list::{Cursor, ListedMember, Total};
use crate::store::teams::TeamTagRow;
use crate::web::extract::Member;

/// The seat bar: `12 / 25`.
#[derive(Debug, Clone)]
pub struct Seats {
    pub used: i64,
    pub count: i64,
}

/// One role of the role menu, in the roles' order: the viewer may give the `grantable`
/// ones (the others show only as a row's current role, not to be picked).
#[derive(Debug, Clone)]
pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub grantable: bool,
}

/// The role menu as `manager` may use it, built once per page (rows carry only their role):
/// the roles they may give, and those they may not give but can find as the current role
/// of someone they manage (an Owner's, for an Owner).
pub fn role_menu(manager: Role) -> Vec<RoleOption> {
    [Role::Owner, Role::Admin, Role::Member, Role::Viewer]
        .into_iter()
        .filter(|r| manager.can_grant(*r) || may_manage(manager, *r))
        .map(|r| RoleOption {
            value: r.as_str(),
            label: r.label(),
            grantable: manager.can_grant(r),
        })
        .collect()
}

/// One member row.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub account_id: String,
    /// Where this member's actions live: `/w/{slug}/members/{account_id}`.
    pub url: String,
    pub name: String,
    pub email: String,
    /// `owner`, `admin`, `member` or `viewer`: what the row's role menu marks as current.
    pub role: &'static str,
    pub role_label: &'static str,
    /// Whether the viewer may change this member at all (Admins cannot touch Owners):
    /// app.js then builds the row's menus from the page's `#member-menus` template.
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

/// Whether `manager` may change someone whose role is `role` at all: Admins cannot touch
/// Owners.
pub fn may_manage(manager: Role, role: Role) -> bool {
    role != Role::Owner || manager == Role::Owner
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
    let manageable = may_manage(manager, role);
    let status = MembershipStatus::parse(&m.status).unwrap_or(MembershipStatus::Active);
    MemberRow {
        is_me: m.account_id == me,
        url: format!("/w/{slug}/members/{}", m.account_id),
        account_id: m.account_id,
        name: m.display_name,
        email: m.email,
        role: role.as_str(),
        role_label: role.label(),
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

/// How many members match, as the page words it: "66", or "More than 1,000" when the
/// search stopped counting (the template adds "members").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchCount(pub Total);

impl fmt::Display for MatchCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Total::Exact(n) => write!(f, "{n}"),
            Total::MoreThan(n) => write!(f, "More than {}", thousands(n)),
        }
    }
}

/// `count != 1` in the template: "1 member", but "More than 1,000 members".
impl PartialEq<i64> for MatchCount {
    fn eq(&self, other: &i64) -> bool {
        self.0 == Total::Exact(*other)
    }
}

/// How many pages there are, as "Page 3 of …" ends: "2", or "more than 20".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCount(pub Total);

impl PageCount {
    fn exact(&self) -> Option<i64> {
        match self.0 {
            Total::Exact(n) => Some(((n + PAGE_SIZE - 1) / PAGE_SIZE).max(1)),
            Total::MoreThan(_) => None,
        }
    }
}

impl fmt::Display for PageCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.exact(), self.0) {
            (Some(pages), _) => write!(f, "{pages}"),
            (None, Total::MoreThan(n) | Total::Exact(n)) => {
                write!(f, "more than {}", thousands(n / PAGE_SIZE))
            }
        }
    }
}

/// 1000 as "1,000".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Where the shown page lies in the list, for its count and its links.
#[derive(Debug, Clone)]
pub struct Paging {
    pub total: Total,
    /// The page's number (1 when nothing comes before it).
    pub page: i64,
    pub has_prev: bool,
    pub has_next: bool,
    /// The first and last members shown: Previous reads from before the first, Next from
    /// after the last (keyset), while the page numbers stay in the links.
    pub first_id: Option<String>,
    pub last_id: Option<String>,
}

impl Paging {
    /// Numbered pages only (the Pending filter; the frame around the results).
    pub fn numbered(total: i64, page: i64) -> Self {
        let pages = PageCount(Total::Exact(total)).exact().unwrap_or(1);
        Self {
            total: Total::Exact(total),
            page,
            has_prev: page > 1,
            has_next: page < pages,
            first_id: None,
            last_id: None,
        }
    }

    fn prev_cursor(&self) -> Cursor {
        match &self.first_id {
            Some(id) if self.page > 2 => Cursor::Before(id.clone()),
            _ => Cursor::None,
        }
    }

    fn next_cursor(&self) -> Cursor {
        self.last_id.clone().map(Cursor::After).unwrap_or_default()
    }
}

/// Everything the Members page and its fragments show.
#[derive(Debug, Clone)]
pub struct MembersView {
    pub slug: String,
    /// The list URL to return to after a plain-form action.
    pub back: String,
    pub rows: Vec<MemberRow>,
    pub total: MatchCount,
    pub page: i64,
    pub pages: PageCount,
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
    /// The roles of the page's role-menu template.
    pub role_menu: Vec<RoleOption>,
}

impl MembersView {
    /// The page around the results (filters, seat bar, seat tools): the results
    /// themselves are rendered on their own (`results::html`).
    pub fn frame(member: &Member, params: &ListParams) -> Self {
        Self::new(
            member,
            params,
            Vec::new(),
            Paging::numbered(0, params.page_number()),
        )
    }

    pub fn new(member: &Member, params: &ListParams, rows: Vec<MemberRow>, paging: Paging) -> Self {
        let w = &member.workspace;
        let base = format!("/w/{}/members", w.slug);
        let link =
            |p: i64, cursor: &Cursor| format!("{base}?{}", params.query_string_at(p, cursor));
        let page = paging.page;
        Self {
            slug: w.slug.clone(),
            back: link(page, &params.cursor()),
            rows,
            total: MatchCount(paging.total),
            page,
            pages: PageCount(paging.total),
            prev_link: paging
                .has_prev
                .then(|| link(page - 1, &paging.prev_cursor())),
            next_link: paging
                .has_next
                .then(|| link(page + 1, &paging.next_cursor())),
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
            role_menu: role_menu(member.role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_menu_offers_what_the_viewer_may_give_and_an_owners_own_role() {
        let menu = |manager| -> Vec<(&str, bool)> {
            role_menu(manager)
                .iter()
                .map(|o| (o.value, o.grantable))
                .collect()
        };
        assert_eq!(
            menu(Role::Owner),
            [
                ("owner", false),
                ("admin", true),
                ("member", true),
                ("viewer", true)
            ]
        );
        assert_eq!(
            menu(Role::Admin),
            [("admin", true), ("member", true), ("viewer", true)],
            "an Admin manages no Owner, so Owner is not even shown as current"
        );
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(MatchCount(Total::Exact(66)).to_string(), "66");
        assert_eq!(
            MatchCount(Total::MoreThan(1000)).to_string(),
            "More than 1,000"
        );
        assert!(MatchCount(Total::Exact(1)) == 1);
        assert!(MatchCount(Total::MoreThan(1000)) != 1);
        assert_eq!(PageCount(Total::Exact(101)).to_string(), "3");
        assert_eq!(PageCount(Total::Exact(0)).to_string(), "1");
        assert_eq!(PageCount(Total::MoreThan(1000)).to_string(), "more than 20");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
