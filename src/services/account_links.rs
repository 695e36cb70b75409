//! The links Gatehouse emails to prove an address: verification (confirms the password
//! of its own sign-up), one-time sign-in, and what using one does. Only these links,
//! followed from the mailbox, verify an address; no invitation or link code does.

use crate::domain::{EmailAddress, SecretToken};
use crate::mail::ActionEmail;
use crate::services::Tx;
use crate::store::accounts::{self, AccountRow};
use crate::store::audit::{self, NewEvent};
use crate::store::tokens::{self, NewToken, Purpose};

use super::accounts::event;
use super::limits::Action;
use super::{Actor, ServiceError, ServiceResult, Services};

pub(super) const VERIFY_HOURS: i64 = 48;
const SIGN_IN_LINK_HOURS: i64 = 1;

/// What a link carries besides its account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Carried<'a> {
    /// Verification only: the password this link confirms (`None` keeps the account's).
    pub password_hash: Option<&'a str>,
    /// A local path to go to once the link is used.
    pub next_path: Option<&'a str>,
}

/// A verification email for the account's address; following it confirms the address
/// and, when `carried.password_hash` is set, that password.
pub(super) async fn verification_email(
    svc: &Services,
    tx: &mut Tx,
    account_id: &str,
    email: &EmailAddress,
    display_name: &str,
    carried: Carried<'_>,
) -> anyhow::Result<ActionEmail> {
    let token = new_token(tx, svc, account_id, Purpose::VerifyEmail, carried).await?;
    Ok(ActionEmail {
        kind: "verify_email",
        to: email.to_string(),
        subject: "Confirm your email address for Gatehouse".into(),
        greeting: format!("Hi {display_name},"),
        paragraphs: vec![
            "Someone (hopefully you) signed up for Gatehouse with this address. Confirm that it is yours to finish signing up.".into(),
            "Confirming sets the password chosen in that sign-up and signs out every other session of this account.".into(),
        ],
        button: "Confirm my address".into(),
        link: svc.link(&format!("/verify/{}", token.as_str())),
        footer: format!(
            "The link works once and expires in {VERIFY_HOURS} hours. If you did not sign up, ignore this email."
        ),
    })
}

/// A one-time sign-in link to a verified account, made now and seen only by its mailbox.
pub(super) async fn sign_in_link_email(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    why: &str,
    next_path: Option<&str>,
) -> anyhow::Result<ActionEmail> {
    let carried = Carried {
        password_hash: None,
        next_path,
    };
    let token = new_token(tx, svc, &account.id, Purpose::SignIn, carried).await?;
    Ok(ActionEmail {
        kind: "sign_in_link",
        to: account.email.clone(),
        subject: "Your Gatehouse sign-in link".into(),
        greeting: format!("Hi {},", account.display_name),
        paragraphs: vec![
            why.to_string(),
            "Use this link to sign in to your account.".into(),
        ],
        button: "Sign in".into(),
        link: svc.link(&format!("/sign-in-link/{}", token.as_str())),
        footer: format!(
            "The link works once and expires in {SIGN_IN_LINK_HOURS} hour. If this was not you, ignore this email."
        ),
    })
}

async fn new_token(
    tx: &mut Tx,
    svc: &Services,
    account_id: &str,
    purpose: Purpose,
    carried: Carried<'_>,
) -> anyhow::Result<SecretToken> {
    let hours = match purpose {
        Purpose::VerifyEmail => VERIFY_HOURS,
        _ => SIGN_IN_LINK_HOURS,
    };
    issue(tx, svc.clock.now(), account_id, purpose, hours, carried).await
}

/// Stores a new token (its hash) and returns it for the email.
pub(super) async fn issue(
    tx: &mut Tx,
    now: i64,
    account_id: &str,
    purpose: Purpose,
    hours: i64,
    carried: Carried<'_>,
) -> anyhow::Result<SecretToken> {
    let token = SecretToken::generate()?;
    let hash = token.hash();
    let new = NewToken {
        token_hash: &hash,
        account_id,
        purpose,
        password_hash: carried.password_hash,
        next_path: carried.next_path,
        now,
        expires_at: now + hours * 3600,
    };
    tokens::insert(&mut **tx, new).await?;
    Ok(token)
}

/// Whether a link's token is live, without using it (what GET shows).
pub async fn peek_token(
    svc: &Services,
    token: &str,
    purpose: Purpose,
) -> ServiceResult<Option<AccountRow>> {
    let hash = SecretToken::from_link(token).hash();
    match tokens::peek(svc.store.pool(), &hash, purpose, svc.clock.now()).await? {
        Some(id) => Ok(accounts::by_id(svc.store.pool(), &id).await?),
        None => Ok(None),
    }
}

/// A used link: the account to sign in, and where the link said to go next.
#[derive(Debug, Clone)]
pub struct UsedLink {
    pub account: AccountRow,
    pub next_path: Option<String>,
}

/// Uses a verification or sign-in link: the mailbox is proven, so the address is
/// verified. A verification link also sets the password of its own sign-up, ends every
/// other session of the account and retires every other outstanding link of it.
pub async fn redeem_link(
    svc: &Services,
    token: &str,
    purpose: Purpose,
    actor: &Actor,
) -> ServiceResult<UsedLink> {
    let now = svc.clock.now();
    let hash = SecretToken::from_link(token).hash();
    let mut tx = svc.store.begin_write().await?;
    let used = tokens::consume(&mut *tx, &hash, purpose, now)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if purpose == Purpose::VerifyEmail {
        match &used.password_hash {
            Some(hash) => accounts::set_password(&mut *tx, &used.account_id, hash, now).await?,
            None => accounts::bump_session_version(&mut *tx, &used.account_id, now).await?,
        }
        tokens::retire_every(&mut *tx, &used.account_id, now).await?;
    }
    accounts::mark_verified(&mut *tx, &used.account_id, now).await?;
    let account = accounts::by_id(&mut *tx, &used.account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let action = match purpose {
        Purpose::VerifyEmail => "account.email_verified",
        _ => "account.sign_in_link_used",
    };
    audit::record(
        &mut *tx,
        event(actor, action, &account.id, &account.email, now),
    )
    .await?;
    tx.commit().await?;
    Ok(UsedLink {
        account,
        next_path: used.next_path,
    })
}

/// "Email me a sign-in link": a verified account gets a one-time sign-in link, an
/// unverified one a verification link that also clears its password (whoever set it
/// never proved the address); an unknown address gets nothing. The caller answers the
/// same in every case.
pub async fn email_sign_in_link(
    svc: &Services,
    email: &EmailAddress,
    next_path: Option<&str>,
    actor: &Actor,
) -> ServiceResult<()> {
    super::limits::check_address(svc, Action::SignInLink, email, actor).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let Some(account) = accounts::by_email(&mut *tx, email.as_str()).await? else {
        nobody_there(&mut tx, actor, "account.sign_in_link_requested", email, now).await?;
        tx.commit().await?;
        return Ok(());
    };
    let mail = if account.email_verified == 1 {
        let why =
            "Someone (hopefully you) asked for a link to sign in to Gatehouse with this address.";
        sign_in_link_email(svc, &mut tx, &account, why, next_path).await?
    } else {
        // Nobody has proven this address, so its password may be a squatter's: the link
        // proves the mailbox and replaces that password with none at all (the person then
        // chooses one with Forgot password).
        let no_password = unusable_password_hash();
        let carried = Carried {
            password_hash: Some(&no_password),
            next_path,
        };
        let name = account.display_name.clone();
        let mut mail = verification_email(svc, &mut tx, &account.id, email, &name, carried).await?;
        mail.paragraphs
            .push("Following it signs you in; then choose a password with Forgot password.".into());
        mail
    };
    mail.enqueue(&mut *tx, None, now).await?;
    let action = "account.sign_in_link_requested";
    audit::record(
        &mut *tx,
        event(actor, action, &account.id, &account.email, now),
    )
    .await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(())
}

/// A request about an address with no account still leaves its audit event, in a write
/// transaction like the one an existing account's request commits: the two answers do
/// about the same work (and the per-address limits leave a timing probe a few samples an
/// hour), so neither the answer nor its time tells whether the address has an account.
pub(super) async fn nobody_there(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    email: &EmailAddress,
    now: i64,
) -> ServiceResult<()> {
    let event = NewEvent {
        action,
        target: Some(email.as_str()),
        ip: actor.ip.as_deref(),
        now,
        api_token_id: None,
        ..NewEvent::default()
    };
    audit::record(&mut **tx, event).await?;
    Ok(())
}

/// A stored password hash that no password matches (not a PHC string, so argon2
/// verification always fails), unique per use.
fn unusable_password_hash() -> String {
    format!("!no-password:{}", uuid::Uuid::new_v4().simple())
}
