//! A member and how they came in, for their detail page (one read): the membership's `joined_via` and its
//! reference resolved in one read to the invitation, invite link, join request or
//! approved domain it names, with the people involved (who invited, who made the link,
//! who decided the request, who approved the domain). Every join is scoped to the
//! member's workspace, so a reference can never reach another workspace's rows.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;
use super::member_list::{COLUMNS, ListedMember};

/// The membership's origin with whatever of its source still exists.
#[derive(Debug, Clone, FromRow)]
pub struct Origin {
    /// The member as the Members page lists them (name, role, seat, status, joined).
    #[sqlx(flatten)]
    pub member: ListedMember,
    pub joined_via_ref: Option<String>,
    /// `memberships.invited_by`: the inviter, the link's creator, or the approver.
    pub let_in_by_name: Option<String>,
    pub let_in_by_email: Option<String>,
    pub invited_address: Option<String>,
    pub invited_role: Option<String>,
    /// The link joined through, directly or by a request made with it.
    pub link_id: Option<String>,
    pub link_role: Option<String>,
    pub link_creator_name: Option<String>,
    /// The approved join request that let them in (through Browse, or through a link
    /// whose creator could not let people in directly), and who approved it.
    pub requested_at: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_by_email: Option<String>,
    /// The approved domain, while it is still approved.
    pub domain: Option<String>,
    pub domain_added_by_name: Option<String>,
}

/// Everything after the listed member's columns.
const ORIGIN: &str = "m.joined_via_ref, \
       lb.display_name AS let_in_by_name, lb.email AS let_in_by_email, \
       i.email AS invited_address, i.role AS invited_role, \
       l.id AS link_id, l.role AS link_role, lc.display_name AS link_creator_name, \
       r.created_at AS requested_at, \
       ra.display_name AS approved_by_name, ra.email AS approved_by_email, \
       d.domain, da.display_name AS domain_added_by_name \
     FROM memberships m JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN accounts lb ON lb.id = m.invited_by \
     LEFT JOIN invitations i ON m.joined_via = 'invitation' \
       AND i.id = m.joined_via_ref AND i.workspace_id = m.workspace_id \
     LEFT JOIN join_requests r ON r.id = ( \
       SELECT q.id FROM join_requests q \
       WHERE q.workspace_id = m.workspace_id AND q.account_id = m.account_id \
         AND q.status = 'approved' \
         AND ((m.joined_via = 'request' AND q.id = m.joined_via_ref) \
           OR (m.joined_via = 'link' AND q.link_id = m.joined_via_ref)) \
       ORDER BY q.decided_at DESC LIMIT 1) \
     LEFT JOIN accounts ra ON ra.id = r.decided_by \
     LEFT JOIN invite_links l ON l.workspace_id = m.workspace_id \
       AND l.id = CASE WHEN m.joined_via = 'link' THEN m.joined_via_ref ELSE r.link_id END \
     LEFT JOIN accounts lc ON lc.id = l.created_by \
     LEFT JOIN approved_domains d ON m.joined_via = 'domain' \
       AND d.workspace_id = m.workspace_id AND d.domain = m.joined_via_ref \
     LEFT JOIN accounts da ON da.id = d.added_by \
     WHERE m.workspace_id = $1 AND m.account_id = $2";

/// How `account_id` joined `workspace_id`; `None` when they are not a member of it.
pub async fn of<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<Origin>> {
    let sql = format!("SELECT {COLUMNS}, {ORIGIN}");
    sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(account_id)
        .fetch_optional(e)
        .await
}
