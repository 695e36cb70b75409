//! One-time account tokens (verify address, reset password, sign in): stored as hashes,
//! consumed in the same statement that checks them, so each works exactly once. A
//! verification token carries the password of its own sign-up (a repeat sign-up never
//! replaces a password); a sign-in or verification token may carry where to go next.

use sqlx::{Any, Executor, FromRow};

use super::StoreResult;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::SignIn => "sign_in",
        }
    }
}

/// A token about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub account_id: &'a str,
    pub purpose: Purpose,
    /// Verification only: the password this link confirms (`None` keeps the account's).
    pub password_hash: Option<&'a str>,
    /// A local path to go to once the link is used.
    pub next_path: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(e: E, t: NewToken<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at, \
         password_hash, next_path) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.token_hash)
    .bind(t.account_id)
    .bind(t.purpose.as_str())
    .bind(t.now)
    .bind(t.expires_at)
    .bind(t.password_hash)
    .bind(t.next_path)
    .execute(e)
    .await
    .map(|_| ())
}

/// The account a live (unused, unexpired) token belongs to, without using it up.
pub async fn peek<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    purpose: Purpose,
    now: i64,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "SELECT account_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(e)
    .await
}

/// A token just used up: whose it was and what it carried.
#[derive(Debug, Clone, FromRow)]
pub struct UsedToken {
    pub account_id: String,
    pub password_hash: Option<String>,
    pub next_path: Option<String>,
}

/// Uses a token up; `None` if it was unknown, used, expired or retired.
pub async fn consume<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    purpose: Purpose,
    now: i64,
) -> StoreResult<Option<UsedToken>> {
    sqlx::query_as(
        "UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3 RETURNING account_id, password_hash, next_path",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(e)
    .await
}

/// Retires the account's other live tokens of a purpose (a new reset link kills the old).
pub async fn retire_all<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    purpose: Purpose,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE account_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(now)
    .execute(e)
    .await
    .map(|_| ())
}

/// Retires every live token of the account, whatever its purpose: the credential they
/// were issued under has changed (password change, reset, sign out everywhere, a
/// confirmed address).
pub async fn retire_every<'e, E: Executor<'e, Database = Any>>(
    e: E,
    account_id: &str,
    now: i64,
) -> StoreResult<u64> {
    sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL")
        .bind(account_id)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected())
}
