//! Passwords: argon2 hashing on the blocking pool (a hash never stalls the async
//! runtime), at most two per core at a time (a burst of sign-ins queues instead of
//! starting hundreds of 19 MiB hashes that thrash each other), forgotten-password reset
//! links, and changing the password.

use std::sync::OnceLock;

use anyhow::Context;

use crate::domain::{EmailAddress, Password, SecretToken};
use crate::mail::ActionEmail;
use crate::store::accounts::{self, AccountRow};
use crate::store::audit;
use crate::store::tokens::{self, Purpose};

use super::account_links::{Carried, issue, nobody_there, peek_token};
use super::accounts::event;
use super::limits::Action;
use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services};

const RESET_HOURS: i64 = 1;

/// Runs one argon2 computation on the blocking pool once a hashing slot is free.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores * 2)
    });
    let _slot = slots.acquire().await.context("hashing slots closed")?;
    tokio::task::spawn_blocking(work)
        .await
        .context("password hashing task")
}

/// Hashes a password (argon2id, random salt, PHC string).
pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.clone();
    hashing(move || password_auth::generate_hash(password.expose())).await
}

/// Checks a password against a stored hash. With no hash (unknown account) it still spends
/// the time of a real check, so the answer's timing does not tell whether the account exists.
pub async fn verify(password: &Password, stored: Option<String>) -> anyhow::Result<bool> {
    let password = password.clone();
    hashing(move || {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_string());
        password_auth::verify_password(password.expose(), &hash).is_ok() && real
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password_auth::generate_hash("gatehouse timing equaliser"))
}

/// Emails a reset link when the address has an account; answers the same either way.
pub async fn request_password_reset(
    svc: &Services,
    email: &str,
    actor: &Actor,
) -> ServiceResult<()> {
    let email = EmailAddress::parse(email)
        .map_err(|m| ServiceError::Invalid(FieldErrors::single("email", m)))?;
    super::limits::check_address(svc, Action::PasswordReset, &email, actor).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    if let Some(account) = accounts::by_email(&mut *tx, email.as_str()).await? {
        tokens::retire_all(&mut *tx, &account.id, Purpose::ResetPassword, now).await?;
        let token = issue(
            &mut tx,
            now,
            &account.id,
            Purpose::ResetPassword,
            RESET_HOURS,
            Carried::default(),
        )
        .await?;
        let mail = ActionEmail {
            kind: "reset_password",
            to: account.email.clone(),
            subject: "Reset your Gatehouse password".into(),
            greeting: format!("Hi {},", account.display_name),
            paragraphs: vec![
                "Someone asked to reset the password of your Gatehouse account.".into(),
            ],
            button: "Choose a new password".into(),
            link: svc.link(&format!("/reset-password/{}", token.as_str())),
            footer: format!(
                "The link works once and expires in {RESET_HOURS} hour. If you did not ask, ignore this email: your password stays as it is."
            ),
        };
        mail.enqueue(&mut *tx, None, now).await?;
        audit::record(
            &mut *tx,
            event(
                actor,
                "account.password_reset_requested",
                &account.id,
                &account.email,
                now,
            ),
        )
        .await?;
    } else {
        nobody_there(
            &mut tx,
            actor,
            "account.password_reset_requested",
            &email,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(())
}

/// Sets a new password from a reset link. Ends every session of the account; the link
/// also proves the address. Returns the account to sign in.
pub async fn reset_password(
    svc: &Services,
    token: &str,
    new_password: &str,
    actor: &Actor,
) -> ServiceResult<AccountRow> {
    let account = peek_token(svc, token, Purpose::ResetPassword)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let password = Password::parse_new(new_password, &hints(&account))
        .map_err(|m| ServiceError::Invalid(FieldErrors::single("password", m)))?;
    let hash = hash(&password).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let token_hash = SecretToken::from_link(token).hash();
    let account_id = tokens::consume(&mut *tx, &token_hash, Purpose::ResetPassword, now)
        .await?
        .ok_or(ServiceError::NotFound)?
        .account_id;
    accounts::set_password(&mut *tx, &account_id, &hash, now).await?;
    tokens::retire_every(&mut *tx, &account_id, now).await?;
    accounts::mark_verified(&mut *tx, &account_id, now).await?;
    let account = accounts::by_id(&mut *tx, &account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &mut *tx,
        event(
            actor,
            "account.password_reset",
            &account.id,
            &account.email,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Changes the password after checking the current one; every other session ends.
/// Returns the updated account so the caller can keep the current session alive.
pub async fn change_password(
    svc: &Services,
    account: &AccountRow,
    current: &str,
    new_password: &str,
    actor: &Actor,
) -> ServiceResult<AccountRow> {
    let mut errors = FieldErrors::default();
    let current_ok = match Password::for_sign_in(current) {
        Ok(current) => verify(&current, Some(account.password_hash.clone())).await?,
        Err(_) => false,
    };
    if !current_ok {
        errors.add("current_password", "That is not your current password.");
    }
    let password = Password::parse_new(new_password, &hints(account))
        .map_err(|m| errors.add("new_password", m));
    let Ok(password) = password else {
        return Err(ServiceError::Invalid(errors));
    };
    errors.into_result().map_err(ServiceError::Invalid)?;
    let hash = hash(&password).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    accounts::set_password(&mut *tx, &account.id, &hash, now).await?;
    tokens::retire_every(&mut *tx, &account.id, now).await?;
    let updated = accounts::by_id(&mut *tx, &account.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &mut *tx,
        event(
            actor,
            "account.password_changed",
            &account.id,
            &account.email,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// What the account tells about its owner, for the password rules to guess with first.
fn hints(account: &AccountRow) -> [&str; 4] {
    [
        &account.email,
        &account.first_name,
        &account.last_name,
        &account.display_name,
    ]
}
