//! Bulk inserts for `gatehouse seed`: multi-row INSERTs of generated accounts, memberships
//! (with their sort key and search text) and team memberships, so 100,000 members load in seconds rather than the
//! minutes that one statement per row would take.

use sqlx::AnyConnection;

use super::StoreResult;
use super::member_search::{SORT_SEPARATOR, search_text};

/// Rows per statement: well under both databases' limits on bound parameters.
const ROWS_PER_INSERT: usize = 500;

/// One generated member: an account and its membership in the workspace.
pub struct SeedMember {
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub role: &'static str,
    pub has_seat: bool,
    pub status: &'static str,
    pub joined_at: i64,
    pub team_id: String,
}

/// Inserts a batch of members (accounts, memberships, primary teams). Every account gets
/// `password_hash`. Run it inside a transaction.
pub async fn insert_members(
    conn: &mut AnyConnection,
    workspace_id: &str,
    password_hash: &str,
    members: &[SeedMember],
) -> StoreResult<()> {
    for chunk in members.chunks(ROWS_PER_INSERT) {
        insert_accounts(conn, password_hash, chunk).await?;
        insert_memberships(conn, workspace_id, chunk).await?;
        insert_team_members(conn, workspace_id, chunk).await?;
    }
    Ok(())
}

async fn insert_accounts(
    conn: &mut AnyConnection,
    password_hash: &str,
    members: &[SeedMember],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO accounts (id, email, password_hash, first_name, last_name, display_name, \
         email_verified, session_version, created_at, updated_at){}",
        super::values("(?, ?, ?, ?, ?, ?, 1, 0, ?, ?)", members.len())
    );
    let mut query = sqlx::query(&sql);
    for m in members {
        query = query
            .bind(m.account_id.as_str())
            .bind(m.email.as_str())
            .bind(password_hash)
            .bind(m.first_name.as_str())
            .bind(m.last_name.as_str())
            .bind(m.display_name.as_str())
            .bind(m.joined_at)
            .bind(m.joined_at);
    }
    query.execute(conn).await.map(|_| ())
}

async fn insert_memberships(
    conn: &mut AnyConnection,
    workspace_id: &str,
    members: &[SeedMember],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO memberships (workspace_id, account_id, role, has_seat, status, joined_at, \
         joined_via, sort_name, search_text){}",
        super::values("(?, ?, ?, ?, ?, ?, 'seed', ?, ?)", members.len())
    );
    let mut query = sqlx::query(&sql);
    for m in members {
        query = query
            .bind(workspace_id)
            .bind(m.account_id.as_str())
            .bind(m.role)
            .bind(super::flag(m.has_seat))
            .bind(m.status)
            .bind(m.joined_at)
            .bind(sort_name(m))
            .bind(search_text(
                &m.first_name,
                &m.last_name,
                &m.display_name,
                &m.email,
            ));
    }
    query.execute(conn).await.map(|_| ())
}

async fn insert_team_members(
    conn: &mut AnyConnection,
    workspace_id: &str,
    members: &[SeedMember],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO team_members (team_id, workspace_id, account_id, is_primary, added_at){}",
        super::values("(?, ?, ?, 1, ?)", members.len())
    );
    let mut query = sqlx::query(&sql);
    for m in members {
        query = query
            .bind(m.team_id.as_str())
            .bind(workspace_id)
            .bind(m.account_id.as_str())
            .bind(m.joined_at);
    }
    query.execute(conn).await.map(|_| ())
}

/// The sort key as the SQL `lower()` of both databases computes it for ASCII names (the
/// generated names are ASCII).
fn sort_name(m: &SeedMember) -> String {
    format!(
        "{}{SORT_SEPARATOR}{}",
        m.display_name.to_ascii_lowercase(),
        m.email
    )
}

/// After seeding: the seats in use as counted, and a seat count that leaves some free.
pub async fn settle_seats(
    conn: &mut AnyConnection,
    workspace_id: &str,
    free_seats: i64,
) -> StoreResult<i64> {
    let used: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND has_seat = 1",
    )
    .bind(workspace_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE workspaces SET plan = 'enterprise', seat_count = $2, seats_used = $3 WHERE id = $1",
    )
    .bind(workspace_id)
    .bind(used + free_seats)
    .bind(used)
    .execute(conn)
    .await?;
    Ok(used)
}

/// The workspace's team ids, creating the named teams that are missing.
pub async fn ensure_teams(
    conn: &mut AnyConnection,
    workspace_id: &str,
    names: &[&str],
    now: i64,
) -> StoreResult<Vec<String>> {
    for name in names {
        let id = uuid::Uuid::new_v4().to_string();
        super::teams::create(&mut *conn, &id, workspace_id, name, now).await?;
    }
    sqlx::query_scalar("SELECT id FROM teams WHERE workspace_id = $1 ORDER BY lower(name)")
        .bind(workspace_id)
        .fetch_all(conn)
        .await
}

/// How many members the workspace has (seeding more continues the numbering).
pub async fn member_count(conn: &mut AnyConnection, workspace_id: &str) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_one(conn)
        .await
}
