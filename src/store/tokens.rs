//! One-time account tokens (verify address, reset password, sign in): stored as hashes,
//! consumed in the same statement that checks them, so each works exactly once.

use sqlx::{Any, Executor};

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

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    account_id: &str,
    purpose: Purpose,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(expires_at)
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

/// Uses a token up and returns its account; `None` if it was unknown, used or expired.
pub async fn consume<'e, E: Executor<'e, Database = Any>>(
    e: E,
    token_hash: &str,
    purpose: Purpose,
    now: i64,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3 RETURNING account_id",
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
