//! Argon2 hashing, run on the blocking pool so a hash never stalls the async runtime.

use std::sync::OnceLock;

use anyhow::Context;

use crate::domain::Password;

/// Hashes a password (argon2id, random salt, PHC string).
pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password.expose()))
        .await
        .context("password hashing task")
}

/// Checks a password against a stored hash. With no hash (unknown account) it still spends
/// the time of a real check, so the answer's timing does not tell whether the account exists.
pub async fn verify(password: &Password, stored: Option<String>) -> anyhow::Result<bool> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_string());
        password_auth::verify_password(password.expose(), &hash).is_ok() && real
    })
    .await
    .context("password verification task")
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password_auth::generate_hash("gatehouse timing equaliser"))
}
