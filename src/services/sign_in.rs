//! Signing in with a password, throttled per account, per address and per account+address
//! (counters in the database, so every instance enforces the same limits). The account
//! lock is short, so an attacker cannot keep a victim out for long; the lock on one
//! account from one address is longer. An address or password longer than any account
//! could have is refused before any of that (no counter, no query, no hash, no event).

use crate::domain::email::{self, TOO_LONG};
use crate::domain::{EmailAddress, Password};
use crate::store::accounts::{self, AccountRow};
use crate::store::audit::{self, NewEvent};
use crate::store::throttle::{self, Rule};

use super::account_links::{Carried, verification_email};
use super::{Actor, ServiceResult, Services, Tx, passwords};

/// From one address against one account: 5 failures in 15 minutes lock for 15 minutes.
pub const ACCOUNT_FROM_IP: Rule = Rule {
    window: 900,
    limit: 5,
    lock: 900,
};
/// Against one account from anywhere: 20 failures in 15 minutes lock for 1 minute.
pub const ACCOUNT: Rule = Rule {
    window: 900,
    limit: 20,
    lock: 60,
};
/// From one address against any accounts: 50 failures in 15 minutes lock for 15 minutes.
pub const IP: Rule = Rule {
    window: 900,
    limit: 50,
    lock: 900,
};

/// How a sign-in attempt ended.
#[derive(Debug)]
pub enum SignInOutcome {
    SignedIn(AccountRow),
    /// Unknown address or wrong password: the same answer for both.
    Invalid,
    /// Too many failures; try again after this many seconds.
    Throttled {
        retry_after: i64,
    },
    /// Right password, address not confirmed yet.
    Unverified,
    /// Input no account could match, refused before any work; the message belongs beside
    /// the field. The same for every address, so it tells nothing about accounts.
    Refused {
        field: &'static str,
        message: &'static str,
    },
}

/// Reserves the attempt against every throttle key (atomically, so a burst of 60 checks
/// at most 5 passwords), then checks the password and records the outcome.
pub async fn sign_in(
    svc: &Services,
    email: &str,
    password: &str,
    actor: &Actor,
) -> ServiceResult<SignInOutcome> {
    let (email_key, password) = match checked(email, password) {
        Ok(checked) => checked,
        Err((field, message)) => return Ok(SignInOutcome::Refused { field, message }),
    };
    let now = svc.clock.now();
    let ip = actor.ip.clone().unwrap_or_default();
    let keys = [
        (format!("acct-ip:{email_key}|{ip}"), ACCOUNT_FROM_IP),
        (format!("acct:{email_key}"), ACCOUNT),
        (format!("ip:{ip}"), IP),
    ];
    if let Some(until) = super::limits::reserve(svc, &keys).await? {
        return Ok(SignInOutcome::Throttled {
            retry_after: (until - now).max(1),
        });
    }
    let account = accounts::by_email(svc.store.pool(), &email_key).await?;
    let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
    let password_ok = passwords::verify(&password, stored_hash).await?;
    let send_link_again = match &account {
        Some(a) if password_ok && a.email_verified != 1 => may_send_again(svc, &a.email).await?,
        _ => false,
    };
    let mut tx = svc.store.begin_write().await?;
    let outcome = match account {
        Some(account) if password_ok => {
            throttle::clear(&mut *tx, &keys[0].0).await?;
            for (key, _) in &keys[1..] {
                throttle::refund(&mut *tx, key).await?;
            }
            if account.email_verified == 1 {
                record(&mut tx, actor, "account.sign_in", &account, now).await?;
                SignInOutcome::SignedIn(account)
            } else {
                if send_link_again {
                    resend_verification(svc, &mut tx, &account, now).await?;
                }
                SignInOutcome::Unverified
            }
        }
        account => {
            let event = NewEvent {
                action: "account.sign_in_failed",
                target_account_id: account.as_ref().map(|a| a.id.as_str()),
                target: Some(&email_key),
                ip: actor.ip.as_deref(),
                now,
                api_token_id: None,
                ..NewEvent::default()
            };
            audit::record(&mut *tx, event).await?;
            SignInOutcome::Invalid
        }
    };
    tx.commit().await?;
    if matches!(outcome, SignInOutcome::Unverified) {
        svc.mail_wakeup.notify_one();
    }
    Ok(outcome)
}

/// Whether a new verification link may go to this address now: repeated sign-ins within
/// the cooldown send no repeated emails.
async fn may_send_again(svc: &Services, email: &str) -> ServiceResult<bool> {
    let cooldown = [(
        format!("send:verify-again:to:{email}"),
        super::limits::ADDRESS_COOLDOWN,
    )];
    Ok(super::limits::reserve(svc, &cooldown).await?.is_none())
}

/// Right password, unconfirmed address: a new verification link (keeping the password).
async fn resend_verification(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    now: i64,
) -> ServiceResult<()> {
    let email =
        EmailAddress::parse(&account.email).map_err(|m| anyhow::anyhow!("stored email: {m}"))?;
    let name = account.display_name.clone();
    let mail = verification_email(svc, tx, &account.id, &email, &name, Carried::default()).await?;
    mail.enqueue(&mut **tx, None, now).await?;
    Ok(())
}

/// The throttling key for the address and the password to check, or the field and the
/// refusal of input longer than any account could have.
fn checked(
    email: &str,
    password: &str,
) -> Result<(String, Password), (&'static str, &'static str)> {
    if email::is_too_long(email) {
        return Err(("email", TOO_LONG));
    }
    let password = Password::for_sign_in(password).map_err(|message| ("password", message))?;
    let key =
        EmailAddress::parse(email).map_or_else(|_| email.trim().to_lowercase(), |e| e.to_string());
    Ok((key, password))
}

async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    account: &AccountRow,
    now: i64,
) -> ServiceResult<()> {
    let signed_in = Actor {
        account_id: Some(account.id.clone()),
        ip: actor.ip.clone(),
        api_token_id: None,
    };
    audit::record(
        &mut **tx,
        super::accounts::event(&signed_in, action, &account.id, &account.email, now),
    )
    .await?;
    Ok(())
}
