//! Memberships: an account's role, seat and status in one workspace.

use sqlx::{Acquire, Any, Executor, FromRow};

use super::{StoreResult, member_search};

/// A membership row as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub workspace_id: String,
    pub account_id: String,
    pub role: String,
    pub has_seat: i64,
    pub status: String,
    pub joined_at: i64,
    pub joined_via: String,
}

/// What a new membership is made of.
pub struct NewMembership<'a> {
    pub workspace_id: &'a str,
    pub account_id: &'a str,
    pub role: &'a str,
    pub has_seat: bool,
    pub joined_via: &'a str,
    pub joined_via_ref: Option<&'a str>,
    pub invited_by: Option<&'a str>,
    pub now: i64,
}

/// Inserts a membership with its sort key and search text (from the account row);
/// `false` when the account is already a member (nothing changes). The search indexes
/// follow by trigger.
pub async fn insert<'e, A: Acquire<'e, Database = Any>>(
    e: A,
    m: NewMembership<'_>,
) -> StoreResult<bool> {
    let mut tx = e.begin().await?;
    let Some(account) = super::accounts::by_id(&mut *tx, m.account_id).await? else {
        return Ok(false);
    };
    let search_text = member_search::search_text(
        &account.first_name,
        &account.last_name,
        &account.display_name,
        &account.email,
    );
    let sql = format!(
        "INSERT INTO memberships (workspace_id, account_id, role, has_seat, status, joined_at, \
         joined_via, joined_via_ref, invited_by, sort_name, search_text) \
         SELECT $1, $2, $3, $4, 'active', $5, $6, $7, $8, {}, $10 FROM accounts a WHERE a.id = $2 \
         ON CONFLICT (workspace_id, account_id) DO NOTHING RETURNING account_id",
        member_search::sort_name_sql(9)
    );
    let inserted: Option<String> = sqlx::query_scalar(&sql)
        .bind(m.workspace_id)
        .bind(m.account_id)
        .bind(m.role)
        .bind(super::flag(m.has_seat))
        .bind(m.now)
        .bind(m.joined_via)
        .bind(m.joined_via_ref)
        .bind(m.invited_by)
        .bind(member_search::SORT_SEPARATOR)
        .bind(search_text)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(inserted.is_some())
}

/// The membership of an account in a workspace, whatever its status.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<MembershipRow>> {
    sqlx::query_as(
        "SELECT workspace_id, account_id, role, has_seat, status, joined_at, joined_via \
         FROM memberships WHERE workspace_id = $1 AND account_id = $2",
    )
    .bind(workspace_id)
    .bind(account_id)
    .fetch_optional(e)
    .await
}

/// Deletes a membership unless it is the workspace's last active Owner. Returns the
/// deleted row (to release its seat), or `None` when refused or absent.
pub async fn delete_unless_last_owner<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<MembershipRow>> {
    delete_where(e, workspace_id, account_id, "").await
}

/// A member leaving: as [`delete_unless_last_owner`], and never while suspended, so a
/// suspension cannot be shed by leaving and rejoining.
pub async fn delete_leaving<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<MembershipRow>> {
    delete_where(e, workspace_id, account_id, "AND status <> 'suspended'").await
}

async fn delete_where<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
    also: &str,
) -> StoreResult<Option<MembershipRow>> {
    sqlx::query_as(&format!(
        "DELETE FROM memberships WHERE workspace_id = $1 AND account_id = $2 {also} \
         AND (role <> 'owner' OR (SELECT COUNT(*) FROM memberships o WHERE o.workspace_id = $1 \
              AND o.role = 'owner' AND o.status = 'active') > 1) \
         RETURNING workspace_id, account_id, role, has_seat, status, joined_at, joined_via"
    ))
    .bind(workspace_id)
    .bind(account_id)
    .fetch_optional(e)
    .await
}

/// The seat as `$4`, for the membership `$1` workspace, `$2` account: a seat given also
/// ends waiting for one.
const SEAT_FROM_4: &str = "has_seat = $4, seat_waiting = CASE WHEN $4 = 1 THEN 0 ELSE seat_waiting END \
     WHERE workspace_id = $1 AND account_id = $2";

/// Sets role and seat together (the CHECK constraint keeps them consistent).
pub async fn set_role<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
    role: &str,
    has_seat: bool,
) -> StoreResult<()> {
    sqlx::query(&format!("UPDATE memberships SET role = $3, {SEAT_FROM_4}"))
        .bind(workspace_id)
        .bind(account_id)
        .bind(role)
        .bind(super::flag(has_seat))
        .execute(e)
        .await
        .map(|_| ())
}

/// Sets status and seat together.
pub async fn set_status<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
    status: &str,
    has_seat: bool,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "UPDATE memberships SET status = $3, {SEAT_FROM_4}"
    ))
    .bind(workspace_id)
    .bind(account_id)
    .bind(status)
    .bind(super::flag(has_seat))
    .execute(e)
    .await
    .map(|_| ())
}

/// Active Owners of a workspace (there must always be one).
pub async fn count_active_owners<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner' AND status = 'active'")
        .bind(workspace_id)
        .fetch_one(e)
        .await
}

/// Active Viewers waiting for a seat, oldest join first.
pub async fn waiting_viewers<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    limit: i64,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT account_id FROM memberships WHERE workspace_id = $1 AND role = 'viewer' AND status = 'active' \
         ORDER BY joined_at, account_id LIMIT $2",
    )
    .bind(workspace_id)
    .bind(limit)
    .fetch_all(e)
    .await
}

pub async fn count_waiting_viewers<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'viewer' AND status = 'active'")
        .bind(workspace_id)
        .fetch_one(e)
        .await
}

/// The active Owners' and Admins' (email, display name), to tell them about join requests.
pub async fn admin_contacts<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT a.email, a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.workspace_id = $1 AND m.status = 'active' AND m.role IN ('owner', 'admin') \
         ORDER BY a.email LIMIT 50",
    )
    .bind(workspace_id)
    .fetch_all(e)
    .await
}

/// Marks a newcomer who joined as Viewer for want of a seat (cleared by a seat, see `set_role`).
pub async fn mark_seat_waiting<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE memberships SET seat_waiting = 1 WHERE workspace_id = $1 AND account_id = $2",
    )
    .bind(workspace_id)
    .bind(account_id)
    .execute(e)
    .await
    .map(|_| ())
}

/// The query behind `count_seat_waiting` (`$1` the workspace), public for its plan test.
pub const COUNT_SEAT_WAITING: &str = "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 \
     AND seat_waiting = 1 AND has_seat + 0 = 0 AND status || '' = 'active'";

/// Active members who joined as Viewer for want of a seat and still hold none. Read on
/// every Members page, so it must walk only the few waiting rows (the partial index
/// `memberships_seat_waiting`): `has_seat + 0` and `status || ''` keep SQLite from
/// choosing `memberships_list_seat`, which would walk every member without a seat.
pub async fn count_seat_waiting(store: &super::Store, workspace_id: &str) -> StoreResult<i64> {
    let params = [super::fast_reads::Param::Text(workspace_id)];
    let counts =
        super::fast_reads::or_sqlx(store.fast_reads(), COUNT_SEAT_WAITING, &params, async {
            let n: i64 = sqlx::query_scalar(COUNT_SEAT_WAITING)
                .bind(workspace_id)
                .fetch_one(store.pool())
                .await?;
            Ok(vec![n])
        })
        .await?;
    Ok(counts.first().copied().unwrap_or(0))
}

/// Whether this member joined as Viewer for want of a seat and still has none.
pub async fn is_seat_waiting<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND account_id = $2 \
         AND seat_waiting = 1 AND has_seat = 0",
    )
    .bind(workspace_id)
    .bind(account_id)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// Up to `limit` active Owners' and Admins' display names (Owners first, then by name),
/// and how many there are in all: who a member who may not invite should ask.
pub async fn managers_named<'e, E: Executor<'e, Database = Any> + Copy>(
    e: E,
    workspace_id: &str,
    limit: i64,
) -> StoreResult<(Vec<String>, i64)> {
    let names = sqlx::query_scalar(
        "SELECT a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE m.workspace_id = $1 AND m.status = 'active' AND m.role IN ('owner', 'admin') \
         ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, a.display_name, a.id LIMIT $2",
    )
    .bind(workspace_id)
    .bind(limit)
    .fetch_all(e)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND status = 'active' \
         AND role IN ('owner', 'admin')",
    )
    .bind(workspace_id)
    .fetch_one(e)
    .await?;
    Ok((names, total))
}
