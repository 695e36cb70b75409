//! Who is asking: an account with every one of its memberships and their workspaces, in
//! one read. axum-login loads it for every request of a signed-in person, and it answers
//! both "what is this person in the workspace of the URL" (`web::extract::Member`) and
//! the layout's workspace switcher, so a page in a workspace costs one read for the
//! person instead of three.

use std::cell::Cell;
use std::sync::LazyLock;

use sqlx::FromRow;

use super::accounts::AccountRow;
use super::fast_reads::{self, FromFastRow, Param};
use super::members::MembershipRow;
use super::workspaces::{MembershipIn, WorkspaceRow};
use super::{Store, StoreResult};

/// An account and its memberships, in the switcher's order (workspace name, then slug).
#[derive(Debug, Clone)]
pub struct Who {
    pub account: AccountRow,
    pub memberships: Vec<MembershipIn>,
    /// When the account last set its avatar; `None` without one.
    pub avatar_at: Option<i64>,
}

/// One row of the read: the account, then one membership with its workspace (all NULL
/// when the account belongs to no workspace).
#[derive(FromRow)]
struct WhoRow {
    #[sqlx(flatten)]
    account: AccountRow,
    w_id: Option<String>,
    w_slug: Option<String>,
    w_name: Option<String>,
    w_plan: Option<String>,
    w_seat_count: Option<i64>,
    w_seats_used: Option<i64>,
    w_auto_assign_seats: Option<i64>,
    w_created_at: Option<i64>,
    w_list_version: Option<i64>,
    m_role: Option<String>,
    m_has_seat: Option<i64>,
    m_status: Option<String>,
    m_joined_at: Option<i64>,
    m_joined_via: Option<String>,
    avatar_at: Option<i64>,
}

impl WhoRow {
    fn membership(self) -> Option<MembershipIn> {
        let workspace = WorkspaceRow {
            id: self.w_id?,
            slug: self.w_slug?,
            name: self.w_name?,
            plan: self.w_plan?,
            seat_count: self.w_seat_count?,
            seats_used: self.w_seats_used?,
            auto_assign_seats: self.w_auto_assign_seats?,
            created_at: self.w_created_at?,
            list_version: self.w_list_version?,
        };
        let membership = MembershipRow {
            workspace_id: workspace.id.clone(),
            account_id: self.account.id,
            role: self.m_role?,
            has_seat: self.m_has_seat?,
            status: self.m_status?,
            joined_at: self.m_joined_at?,
            joined_via: self.m_joined_via?,
        };
        Some(MembershipIn {
            workspace,
            membership,
        })
    }
}

/// The read: the account, then one row per membership with its workspace. Made once:
/// it runs on every request.
static WHO_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, w.id AS w_id, w.slug AS w_slug, w.name AS w_name, w.plan AS w_plan, \
         w.seat_count AS w_seat_count, w.seats_used AS w_seats_used, \
         w.auto_assign_seats AS w_auto_assign_seats, w.created_at AS w_created_at, \
         w.list_version AS w_list_version, m.role AS m_role, m.has_seat AS m_has_seat, \
         m.status AS m_status, m.joined_at AS m_joined_at, m.joined_via AS m_joined_via, \
         (SELECT v.updated_at FROM avatars v WHERE v.account_id = a.id) AS avatar_at \
         FROM accounts a LEFT JOIN memberships m ON m.account_id = a.id \
         LEFT JOIN workspaces w ON w.id = m.workspace_id \
         WHERE a.id = $1 ORDER BY lower(w.name), w.slug",
        super::accounts::COLUMNS
    )
});

/// Read by position: the account's nine columns, then `WHO_SQL`'s in order.
impl FromFastRow for WhoRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            account: AccountRow::from_fast_row(row)?,
            w_id: row.get(9)?,
            w_slug: row.get(10)?,
            w_name: row.get(11)?,
            w_plan: row.get(12)?,
            w_seat_count: row.get(13)?,
            w_seats_used: row.get(14)?,
            w_auto_assign_seats: row.get(15)?,
            w_created_at: row.get(16)?,
            w_list_version: row.get(17)?,
            m_role: row.get(18)?,
            m_has_seat: row.get(19)?,
            m_status: row.get(20)?,
            m_joined_at: row.get(21)?,
            m_joined_via: row.get(22)?,
            avatar_at: row.get(23)?,
        })
    }
}

/// The account `account_id` with its memberships; `None` when there is no such account.
/// Read on every request of a signed-in person: taken from the read of the request's
/// session when that read brought it (`sessions`), else read here, through the store's
/// fast path when it has one.
pub async fn load(store: &Store, account_id: &str) -> StoreResult<Option<Who>> {
    if let Some(who) = take_read_with_session(account_id) {
        return Ok(Some(who));
    }
    let sql = WHO_SQL.as_str();
    let params = [Param::Text(account_id)];
    let rows: Vec<WhoRow> = fast_reads::or_sqlx(store.fast_reads(), sql, &params, async {
        sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(store.pool())
            .await
    })
    .await?;
    Ok(assemble(rows))
}

/// `load`'s read on a connection already in a read transaction (`FastReads::together`).
pub(super) fn read_on(
    conn: &rusqlite::Connection,
    account_id: &str,
) -> rusqlite::Result<Option<Who>> {
    let rows = fast_reads::read::<WhoRow>(conn, &WHO_SQL, &[Param::Text(account_id)])?;
    Ok(assemble(rows))
}

tokio::task_local! {
    /// The account read in the same transaction as this request's session, waiting for
    /// axum-login to ask for it (`load`).
    static READ_WITH_SESSION: Cell<Option<Who>>;
}

tokio::task_local! {
    /// When this request's session ends as stored (unix seconds), once it was loaded.
    static SESSION_ENDS: Cell<Option<i64>>;
}

/// Runs `request` with room for the account read with its session: the session store
/// (`sessions`) leaves it there and `load` takes it, for this request only; and with
/// room for when that session ends (`session_ends`).
pub async fn with_room_for_session_read<F: Future>(request: F) -> F::Output {
    let request = SESSION_ENDS.scope(Cell::new(None), request);
    READ_WITH_SESSION.scope(Cell::new(None), request).await
}

/// Notes when this request's session ends, as the session store read it.
pub(super) fn keep_session_end(expires_at: i64) {
    let _ = SESSION_ENDS.try_with(|ends| ends.set(Some(expires_at)));
}

/// When this request's session ends as stored (unix seconds, by the system clock):
/// `None` before it was loaded, without one, or outside a request's scope.
pub fn session_ends() -> Option<i64> {
    SESSION_ENDS.try_with(Cell::get).ok().flatten()
}

/// Leaves `who` for this request's `load` (nothing happens outside a request's scope).
pub(super) fn keep_read_with_session(who: Who) {
    let _ = READ_WITH_SESSION.try_with(|kept| kept.set(Some(who)));
}

/// The account read with this request's session, when it is `account_id`; once.
fn take_read_with_session(account_id: &str) -> Option<Who> {
    READ_WITH_SESSION
        .try_with(|kept| kept.take())
        .ok()
        .flatten()
        .filter(|who| who.account.id == account_id)
}

fn assemble(rows: Vec<WhoRow>) -> Option<Who> {
    let first = rows.first()?;
    let account = first.account.clone();
    let avatar_at = first.avatar_at;
    let memberships = rows.into_iter().filter_map(WhoRow::membership).collect();
    Some(Who {
        account,
        memberships,
        avatar_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(id: &str) -> Who {
        Who {
            account: AccountRow {
                id: id.to_string(),
                email: format!("{id}@example.com"),
                password_hash: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                display_name: id.to_string(),
                email_verified: 1,
                session_version: 0,
                created_at: 0,
            },
            memberships: Vec::new(),
            avatar_at: None,
        }
    }

    #[tokio::test]
    async fn the_account_read_with_the_session_serves_only_its_own_request_once() {
        // Outside a request's scope nothing is kept.
        keep_read_with_session(who("ann"));
        assert!(take_read_with_session("ann").is_none());
        with_room_for_session_read(async {
            keep_read_with_session(who("ann"));
            assert!(take_read_with_session("bob").is_none(), "another account");
            // Asking for another account used it up: it is read afresh.
            assert!(take_read_with_session("ann").is_none());
            keep_read_with_session(who("ann"));
            let taken = take_read_with_session("ann").expect("kept for ann");
            assert_eq!(taken.account.id, "ann");
            assert!(take_read_with_session("ann").is_none(), "once");
        })
        .await;
        // Another request starts empty.
        with_room_for_session_read(async { assert!(take_read_with_session("ann").is_none()) })
            .await;
    }
}
