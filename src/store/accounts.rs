//! Accounts: people on the platform, identified by a unique lower-cased email.

use sqlx::{Acquire, Any, Executor, FromRow};

use super::StoreResult;

/// An account row as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub email_verified: i64,
    pub session_version: i64,
    pub created_at: i64,
}

/// Read by the positions of `COLUMNS` (a name is looked up column by column, for each
/// value of each row), which reads that join other tables put first.
impl super::fast_reads::FromFastRow for AccountRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            email: row.get(1)?,
            password_hash: row.get(2)?,
            first_name: row.get(3)?,
            last_name: row.get(4)?,
            display_name: row.get(5)?,
            email_verified: row.get(6)?,
            session_version: row.get(7)?,
            created_at: row.get(8)?,
        })
    }
}

/// An account's columns, from accounts `a` (reads that join other tables use it too).
pub(super) const COLUMNS: &str = "a.id, a.email, a.password_hash, a.first_name, a.last_name, \
                       a.display_name, a.email_verified, a.session_version, a.created_at";

/// What a new account is made of.
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub display_name: &'a str,
    pub email_verified: bool,
    pub now: i64,
}

/// Inserts an account; `None` when the email is taken (nothing changes then).
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    a: NewAccount<'_>,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "INSERT INTO accounts (id, email, password_hash, first_name, last_name, display_name, \
         email_verified, session_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) \
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(a.id)
    .bind(a.email)
    .bind(a.password_hash)
    .bind(a.first_name)
    .bind(a.last_name)
    .bind(a.display_name)
    .bind(super::flag(a.email_verified))
    .bind(a.now)
    .fetch_optional(e)
    .await
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
) -> StoreResult<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await
}

pub async fn by_email<'e, E: Executor<'e, Database = Any>>(
    e: E,
    email: &str,
) -> StoreResult<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts a WHERE a.email = $1"
    ))
    .bind(email)
    .fetch_optional(e)
    .await
}

pub async fn mark_verified<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET email_verified = 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(e)
        .await
        .map(|_| ())
}

/// Replaces the password and bumps the session version, which ends every other session.
pub async fn set_password<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    hash: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET password_hash = $2, session_version = session_version + 1, \
         updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// Replaces the password of an account nobody has proven yet (a repeated sign-up).
pub async fn replace_unverified_password<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    hash: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1 AND email_verified = 0")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(e)
        .await
        .map(|_| ())
}

/// Ends every session of the account on its next request.
pub async fn bump_session_version<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET session_version = session_version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// Renames an account, and with it its sort key and search terms in every workspace.
pub async fn update_names<'e, A: Acquire<'e, Database = Any>>(
    e: A,
    id: &str,
    name: &crate::domain::PersonName,
    now: i64,
) -> StoreResult<()> {
    let mut tx = e.begin().await?;
    // The rename bumps the list version of each of the account's workspaces (a trigger):
    // take those rows first, in one order, as every member change does, so two
    // transactions never wait on each other's rows.
    let workspace_ids: Vec<String> = sqlx::query_scalar(
        "SELECT workspace_id FROM memberships WHERE account_id = $1 ORDER BY workspace_id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    for workspace_id in &workspace_ids {
        super::workspaces::lock(&mut *tx, workspace_id).await?;
    }
    sqlx::query(
        "UPDATE accounts SET first_name = $2, last_name = $3, display_name = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(&name.first)
    .bind(&name.last)
    .bind(&name.display)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::member_search::reindex_account(&mut tx, id).await?;
    tx.commit().await
}
