//! The Invitations tab's query (status filter, newest first, pages, each with the state of
//! its latest email) and the Members page's Pending filter, which lists the outstanding
//! invitations.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// Which invitations to list. Expired is a pending invitation past its expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvitationFilter {
    #[default]
    All,
    Pending,
    AwaitingApproval,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "awaiting_approval" => Self::AwaitingApproval,
            "accepted" => Self::Accepted,
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => Self::All,
        }
    }

    /// The condition on `i` (parameter $2 is the current time).
    fn condition(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Pending => " AND i.status = 'pending' AND i.expires_at > $2",
            Self::AwaitingApproval => " AND i.status = 'awaiting_approval'",
            Self::Accepted => " AND i.status = 'accepted'",
            Self::Expired => " AND i.status = 'pending' AND i.expires_at <= $2",
            Self::Revoked => " AND i.status = 'revoked'",
        }
    }
}

/// One invitation as the tab lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ListedInvitation {
    pub id: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub inviter_name: Option<String>,
    pub primary_team: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub expires_at: i64,
    /// The invitation's latest email in the outbox, if it was emailed.
    pub mail_sent_at: Option<i64>,
    pub mail_failed_at: Option<i64>,
    pub mail_cancelled_at: Option<i64>,
    pub mail_attempts: Option<i64>,
    pub mail_error: Option<String>,
}

/// A page of invitations, newest first. `search` (lower-case) filters by address prefix.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    filter: InvitationFilter,
    search: &str,
    now: i64,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<ListedInvitation>> {
    let sql = format!(
        "SELECT i.id, i.email, i.role, i.status, a.display_name AS inviter_name, \
         t.name AS primary_team, i.created_at, i.sent_at, i.expires_at, \
         m.sent_at AS mail_sent_at, m.failed_at AS mail_failed_at, \
         m.cancelled_at AS mail_cancelled_at, m.attempts AS mail_attempts, m.last_error AS mail_error \
         FROM invitations i LEFT JOIN accounts a ON a.id = i.invited_by \
         LEFT JOIN teams t ON t.id = i.primary_team_id \
         LEFT JOIN mail_outbox m ON m.id = (SELECT MAX(o.id) FROM mail_outbox o WHERE o.ref_id = i.id) \
         WHERE i.workspace_id = $1 AND ($2 = $2){} AND ($3 = '' OR substr(i.email, 1, length($3)) = $3) \
         ORDER BY i.created_at DESC, i.email LIMIT $4 OFFSET $5",
        filter.condition()
    );
    sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(now)
        .bind(search)
        .bind(limit)
        .bind(offset)
        .fetch_all(e)
        .await
}

/// How many invitations the filter matches.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    filter: InvitationFilter,
    search: &str,
    now: i64,
) -> StoreResult<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM invitations i WHERE i.workspace_id = $1 AND ($2 = $2){} \
         AND ($3 = '' OR substr(i.email, 1, length($3)) = $3)",
        filter.condition()
    );
    sqlx::query_scalar(&sql)
        .bind(workspace_id)
        .bind(now)
        .bind(search)
        .fetch_one(e)
        .await
}

/// Additional team names of the given invitations, as (invitation id, team name).
pub async fn extra_team_names<'e, E: Executor<'e, Database = Any>>(
    e: E,
    invitation_ids: &[String],
) -> StoreResult<Vec<(String, String)>> {
    if invitation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=invitation_ids.len())
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "SELECT it.invitation_id, t.name FROM invitation_teams it JOIN teams t ON t.id = it.team_id \
         WHERE it.invitation_id IN ({}) ORDER BY t.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql);
    for id in invitation_ids {
        query = query.bind(id);
    }
    query.fetch_all(e).await
}
