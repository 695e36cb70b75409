//! Email invitations: one live invitation per address and workspace, found by the hash of
//! its code, used up by a single conditional UPDATE. An Invite submission of thousands of
//! addresses reads and writes them in batches (`live_for_emails`, `insert_many`, …).

use std::collections::HashSet;

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::StoreResult;

/// An invitation as stored, with the names the pages and emails show.
#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub role: String,
    pub primary_team_id: Option<String>,
    pub status: String,
    pub code_nonce: String,
    pub send_email: i64,
    pub invited_by: Option<String>,
    pub inviter_name: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    /// The inviter's personal message; empty when none.
    pub message: String,
}

const SELECT: &str = "SELECT i.id, i.workspace_id, i.email, i.role, i.primary_team_id, i.status, \
                      i.code_nonce, i.send_email, i.invited_by, a.display_name AS inviter_name, \
                      i.created_at, i.sent_at, i.expires_at, i.accepted_at, i.message \
                      FROM invitations i LEFT JOIN accounts a ON a.id = i.invited_by";

/// What a new invitation is made of.
pub struct NewInvitation<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub primary_team_id: Option<&'a str>,
    pub awaiting_approval: bool,
    pub code_nonce: &'a str,
    pub code_hash: &'a str,
    pub send_email: bool,
    pub invited_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub message: &'a str,
}

/// Rows per multi-row INSERT of invitations (14 parameters each). Not more: sqlx's SQLite
/// driver looks each numbered parameter up by walking the statement's list of them, so a
/// statement's cost grows with the square of its parameters.
const ROWS_PER_INSERT: usize = 50;
/// Addresses per `IN (…)` list.
const ADDRESSES_PER_QUERY: usize = 500;

/// Inserts invitations, fifty per statement; returns how many went in (fewer
/// than given when an address already has a live one here).
pub async fn insert_many(
    conn: &mut AnyConnection,
    rows: &[NewInvitation<'_>],
) -> StoreResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO invitations (id, workspace_id, email, role, primary_team_id, status, \
             code_nonce, code_hash, send_email, invited_by, created_at, sent_at, expires_at, \
             message){} ON CONFLICT DO NOTHING RETURNING id",
            super::values("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for n in chunk {
            let status = if n.awaiting_approval {
                "awaiting_approval"
            } else {
                "pending"
            };
            let sent_at = (!n.awaiting_approval && n.send_email).then_some(n.now);
            query = query
                .bind(n.id)
                .bind(n.workspace_id)
                .bind(n.email)
                .bind(n.role)
                .bind(n.primary_team_id)
                .bind(status)
                .bind(n.code_nonce)
                .bind(n.code_hash)
                .bind(super::flag(n.send_email))
                .bind(n.invited_by)
                .bind(n.now)
                .bind(sent_at)
                .bind(n.expires_at)
                .bind(n.message);
        }
        inserted += query.fetch_all(&mut *conn).await?.len();
    }
    Ok(inserted)
}

/// Pre-assigns the same additional teams to each of the invitations.
pub async fn add_teams(
    conn: &mut AnyConnection,
    invitation_ids: &[&str],
    team_ids: &[String],
) -> StoreResult<()> {
    let pairs: Vec<(&str, &str)> = invitation_ids
        .iter()
        .flat_map(|i| team_ids.iter().map(move |t| (*i, t.as_str())))
        .collect();
    for chunk in pairs.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO invitation_teams (invitation_id, team_id){} ON CONFLICT DO NOTHING",
            super::values("(?, ?)", chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for (invitation, team) in chunk {
            query = query.bind(*invitation).bind(*team);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The additional teams of an invitation.
pub async fn extra_teams<'e, E: Executor<'e, Database = Any>>(
    e: E,
    invitation_id: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT team_id FROM invitation_teams WHERE invitation_id = $1")
        .bind(invitation_id)
        .fetch_all(e)
        .await
}

/// `WITH wanted (email) AS (VALUES ($1), …)` for `n` addresses, the list a batch query
/// starts from: each address is then found by its index, where an `IN (…)` of hundreds of
/// values led SQLite to walk the whole workspace instead.
fn wanted(n: usize) -> String {
    format!(
        "WITH wanted (email) AS ({}) ",
        super::values("(?)", n).trim_start()
    )
}

/// The live invitations of `n` addresses ($1 … $n) in workspace $n+1: each wanted address,
/// then its live invitation by `invitations_one_live_per_address`.
pub fn live_for_emails_sql(n: usize) -> String {
    format!(
        "{}{} WHERE i.email = w.email AND i.workspace_id = ${} \
         AND i.status IN ('awaiting_approval', 'pending')",
        wanted(n),
        SELECT.replace(
            "FROM invitations i",
            "FROM wanted w CROSS JOIN invitations i"
        ),
        n + 1
    )
}

/// The live (pending or awaiting approval) invitations of these addresses in a workspace.
pub async fn live_for_emails(
    conn: &mut AnyConnection,
    workspace_id: &str,
    emails: &[&str],
) -> StoreResult<Vec<InvitationRow>> {
    let mut found = Vec::new();
    for chunk in emails.chunks(ADDRESSES_PER_QUERY) {
        let sql = live_for_emails_sql(chunk.len());
        let mut query = sqlx::query_as(&sql);
        for email in chunk {
            query = query.bind(*email);
        }
        found.extend(query.bind(workspace_id).fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// One invitation of a workspace (an id from another workspace finds nothing).
pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
) -> StoreResult<Option<InvitationRow>> {
    let sql = format!("{SELECT} WHERE i.workspace_id = $1 AND i.id = $2");
    sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(e)
        .await
}

/// The invitation a code stands for, whatever its state.
pub async fn by_code_hash<'e, E: Executor<'e, Database = Any>>(
    e: E,
    code_hash: &str,
) -> StoreResult<Option<InvitationRow>> {
    let sql = format!("{SELECT} WHERE i.code_hash = $1");
    sqlx::query_as(&sql).bind(code_hash).fetch_optional(e).await
}

/// What renewing an invitation writes: the new expiry, who renews it (their name goes in
/// the email, their rights were checked), and its code — a new one when the old expired.
pub struct Renewal<'a> {
    pub id: &'a str,
    pub invited_by: &'a str,
    pub code_nonce: &'a str,
    pub code_hash: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// Renews a pending invitation (also an expired one): new expiry, sent again now.
/// `false` when it is no longer pending.
pub async fn renew<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    r: Renewal<'_>,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE invitations SET expires_at = $3, sent_at = $4, invited_by = $5, code_nonce = $6, \
         code_hash = $7 WHERE workspace_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(workspace_id)
    .bind(r.id)
    .bind(r.expires_at)
    .bind(r.now)
    .bind(r.invited_by)
    .bind(r.code_nonce)
    .bind(r.code_hash)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Sends a pending invitation back to waiting for an admin's approval (a Member re-invited
/// the address), with a new code: nothing sent before works until it is approved.
/// `false` when it is no longer pending.
pub async fn await_approval_again<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    r: Renewal<'_>,
    send_email: bool,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE invitations SET status = 'awaiting_approval', expires_at = $3, sent_at = NULL, \
         invited_by = $4, code_nonce = $5, code_hash = $6, send_email = $7 \
         WHERE workspace_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(workspace_id)
    .bind(r.id)
    .bind(r.expires_at)
    .bind(r.invited_by)
    .bind(r.code_nonce)
    .bind(r.code_hash)
    .bind(super::flag(send_email))
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Approves an invitation that waited for an admin: it becomes pending from now.
pub async fn approve<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
    now: i64,
    expires_at: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE invitations SET status = 'pending', expires_at = $3, \
         sent_at = CASE WHEN send_email = 1 THEN $4 ELSE NULL END \
         WHERE workspace_id = $1 AND id = $2 AND status = 'awaiting_approval'",
    )
    .bind(workspace_id)
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Revokes a live invitation; `false` when it was not live.
pub async fn revoke<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    id: &str,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE invitations SET status = 'revoked', revoked_at = $3 \
         WHERE workspace_id = $1 AND id = $2 AND status IN ('awaiting_approval', 'pending')",
    )
    .bind(workspace_id)
    .bind(id)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Uses an invitation up: only one caller ever gets `true`, and only before it expires.
pub async fn accept<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    account_id: &str,
    now: i64,
) -> StoreResult<bool> {
    sqlx::query(
        "UPDATE invitations SET status = 'accepted', accepted_at = $3, accepted_by = $2 \
         WHERE id = $1 AND status = 'pending' AND expires_at > $3",
    )
    .bind(id)
    .bind(account_id)
    .bind(now)
    .execute(e)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// How many invitations a workspace created since `since` (for the quota).
pub async fn count_created_since<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    since: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND created_at >= $2",
    )
    .bind(workspace_id)
    .bind(since)
    .fetch_one(e)
    .await
}

/// Which of `n` addresses ($1 … $n) are members' of workspace $n+1: each wanted address,
/// then its account by email, then that account's membership by key.
pub fn member_emails_sql(n: usize) -> String {
    format!(
        "{}SELECT a.email FROM wanted w CROSS JOIN accounts a CROSS JOIN memberships m \
         WHERE a.email = w.email AND m.workspace_id = ${} AND m.account_id = a.id",
        wanted(n),
        n + 1
    )
}

/// Which of these addresses belong to members (of any status) of the workspace.
pub async fn member_emails(
    conn: &mut AnyConnection,
    workspace_id: &str,
    emails: &[&str],
) -> StoreResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in emails.chunks(ADDRESSES_PER_QUERY) {
        let sql = member_emails_sql(chunk.len());
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for email in chunk {
            query = query.bind(*email);
        }
        found.extend(query.bind(workspace_id).fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Replaces a live invitation's personal message (re-invited with a new one).
pub async fn set_message<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    message: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invitations SET message = $2 WHERE id = $1 \
         AND status IN ('awaiting_approval', 'pending')",
    )
    .bind(id)
    .bind(message)
    .execute(e)
    .await?;
    Ok(())
}

/// Passes every live invitation `inviter` sent in the workspace to `heir` (their sender
/// left, keeping what they sent); returns how many.
pub async fn pass_all_sent_by<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    inviter: &str,
    heir: &str,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE invitations SET invited_by = $3 WHERE workspace_id = $1 \
         AND invited_by = $2 AND status IN ('awaiting_approval', 'pending')",
    )
    .bind(workspace_id)
    .bind(inviter)
    .bind(heir)
    .execute(e)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live invitation `inviter` sent in the workspace; returns their ids.
pub async fn revoke_all_sent_by<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    inviter: &str,
    now: i64,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "UPDATE invitations SET status = 'revoked', revoked_at = $3 WHERE workspace_id = $1 \
         AND invited_by = $2 AND status IN ('awaiting_approval', 'pending') RETURNING id",
    )
    .bind(workspace_id)
    .bind(inviter)
    .bind(now)
    .fetch_all(e)
    .await
}

/// How many invitations of a workspace wait for an admin's approval (the badge).
pub async fn count_awaiting_approval<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND status = 'awaiting_approval'",
    )
    .bind(workspace_id)
    .fetch_one(e)
    .await
}
