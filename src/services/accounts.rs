//! Account workflows: sign up, verify the address, reset the password, one-time sign-in
//! links, and the account page's changes. Sign-up and reset answer the same whether or
//! not the address has an account; the email that follows is what differs.

use crate::domain::names::NameField;
use crate::domain::{EmailAddress, Password, PersonName, SecretToken};
use crate::mail::ActionEmail;
use crate::services::Tx;
use crate::store::accounts::{self, AccountRow, NewAccount};
use crate::store::audit::{self, NewEvent};
use crate::store::tokens::{self, Purpose};

use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, passwords};

const VERIFY_HOURS: i64 = 48;
const SIGN_IN_LINK_HOURS: i64 = 1;

/// What the sign-up form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SignUpForm {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub display_name: String,
}

/// Parses the sign-up form, collecting a message for every field that is wrong.
pub fn parse_sign_up(
    form: &SignUpForm,
) -> Result<(EmailAddress, Password, PersonName), FieldErrors> {
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&form.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let hints = [
        email.as_ref().map_or("", |e| e.as_str()),
        &form.first_name,
        &form.last_name,
        &form.display_name,
    ];
    let password = Password::parse_new(&form.password, &hints)
        .map_err(|m| errors.add("password", m))
        .ok();
    let name = parse_names(&form.first_name, &form.last_name, &form.display_name)
        .map_err(|(field, m)| errors.add(field, m))
        .ok();
    match (email, password, name) {
        (Some(e), Some(p), Some(n)) if errors.is_empty() => Ok((e, p, n)),
        _ => Err(errors),
    }
}

/// Names, with the error keyed by the form field it belongs beside.
pub fn parse_names(
    first: &str,
    last: &str,
    display: &str,
) -> Result<PersonName, (&'static str, &'static str)> {
    PersonName::parse(first, last, display).map_err(|(field, m)| {
        let field = match field {
            NameField::First => "first_name",
            NameField::Last => "last_name",
            NameField::Display => "display_name",
        };
        (field, m)
    })
}

/// Signs someone up. A new address gets an unverified account and a verification link; an
/// address that already has an account gets, instead, a one-time sign-in link (verified
/// account) or a fresh verification link (unverified one). The caller shows the same
/// "check your email" page in every case.
pub async fn sign_up(svc: &Services, form: &SignUpForm, actor: &Actor) -> ServiceResult<()> {
    let prepared = prepare_sign_up(form).await?;
    let mut tx = svc.store.begin_write().await?;
    sign_up_in(svc, &mut tx, &prepared, None, actor).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(())
}

/// A valid sign-up, its password already hashed (slow: before any transaction opens).
#[derive(Debug, Clone)]
pub struct PreparedSignUp {
    email: EmailAddress,
    name: PersonName,
    hash: String,
}

pub async fn prepare_sign_up(form: &SignUpForm) -> ServiceResult<PreparedSignUp> {
    let (email, password, name) = parse_sign_up(form).map_err(ServiceError::Invalid)?;
    let hash = passwords::hash(&password).await?;
    Ok(PreparedSignUp { email, name, hash })
}

/// The account a sign-up ended at, and whether the sign-up created it.
#[derive(Debug, Clone)]
pub struct SignedUp {
    pub account_id: String,
    pub created: bool,
}

/// Sign-up inside the caller's transaction; `joining` names the workspace a link sign-up
/// joins once the address is proven, for the email.
pub(super) async fn sign_up_in(
    svc: &Services,
    tx: &mut Tx,
    PreparedSignUp { email, name, hash }: &PreparedSignUp,
    joining: Option<&str>,
    actor: &Actor,
) -> ServiceResult<SignedUp> {
    let now = svc.clock.now();
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewAccount {
        id: &id,
        email: email.as_str(),
        password_hash: hash,
        first_name: &name.first,
        last_name: &name.last,
        display_name: &name.display,
        email_verified: false,
        now,
    };
    let created = accounts::insert(&mut **tx, new).await?;
    let (account_id, action, mut email_to_send) = match created.clone() {
        Some(id) => {
            let mail = verification_email(svc, tx, &id, email, &name.display, now).await?;
            (id, "account.sign_up", mail)
        }
        None => {
            let existing = accounts::by_email(&mut **tx, email.as_str())
                .await?
                .ok_or(ServiceError::NotFound)?;
            let mail = if existing.email_verified == 1 {
                sign_in_link_email(svc, tx, &existing, now).await?
            } else {
                accounts::replace_unverified_password(&mut **tx, &existing.id, hash, now).await?;
                verification_email(svc, tx, &existing.id, email, &existing.display_name, now)
                    .await?
            };
            (existing.id, "account.sign_up_existing_address", mail)
        }
    };
    if let Some(workspace) = joining {
        email_to_send.paragraphs.push(format!(
            "Once you follow the link, you join {workspace} through the invite link you used."
        ));
    }
    email_to_send.enqueue(&mut **tx, None, now).await?;
    audit::record(
        &mut **tx,
        event(actor, action, &account_id, email.as_str(), now),
    )
    .await?;
    Ok(SignedUp {
        account_id,
        created: created.is_some(),
    })
}

pub(super) async fn verification_email(
    svc: &Services,
    tx: &mut Tx,
    account_id: &str,
    email: &EmailAddress,
    display_name: &str,
    now: i64,
) -> anyhow::Result<ActionEmail> {
    let token = new_token(tx, account_id, Purpose::VerifyEmail, now, VERIFY_HOURS).await?;
    Ok(ActionEmail {
        kind: "verify_email",
        to: email.to_string(),
        subject: "Confirm your email address for Gatehouse".into(),
        greeting: format!("Hi {display_name},"),
        paragraphs: vec![
            "Welcome to Gatehouse. Confirm that this address is yours to finish signing up.".into(),
        ],
        button: "Confirm my address".into(),
        link: svc.link(&format!("/verify/{}", token.as_str())),
        footer: format!(
            "The link works once and expires in {VERIFY_HOURS} hours. If you did not sign up, ignore this email."
        ),
    })
}

async fn sign_in_link_email(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    now: i64,
) -> anyhow::Result<ActionEmail> {
    let token = new_token(tx, &account.id, Purpose::SignIn, now, SIGN_IN_LINK_HOURS).await?;
    Ok(ActionEmail {
        kind: "sign_in_link",
        to: account.email.clone(),
        subject: "Your Gatehouse sign-in link".into(),
        greeting: format!("Hi {},", account.display_name),
        paragraphs: vec![
            "Someone (hopefully you) tried to sign up with this address, which already has a Gatehouse account."
                .into(),
            "Use this link to sign in to your existing account.".into(),
        ],
        button: "Sign in".into(),
        link: svc.link(&format!("/sign-in-link/{}", token.as_str())),
        footer: format!("The link works once and expires in {SIGN_IN_LINK_HOURS} hour. If this was not you, ignore this email."),
    })
}

pub(super) async fn new_token(
    tx: &mut Tx,
    account_id: &str,
    purpose: Purpose,
    now: i64,
    hours: i64,
) -> anyhow::Result<SecretToken> {
    let token = SecretToken::generate()?;
    tokens::insert(
        &mut **tx,
        &token.hash(),
        account_id,
        purpose,
        now,
        now + hours * 3600,
    )
    .await?;
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

/// Uses a verification or sign-in link: the address is proven, so the account is verified.
/// Returns the account to sign in.
pub async fn redeem_link(
    svc: &Services,
    token: &str,
    purpose: Purpose,
    actor: &Actor,
) -> ServiceResult<AccountRow> {
    let now = svc.clock.now();
    let hash = SecretToken::from_link(token).hash();
    let mut tx = svc.store.begin_write().await?;
    let account_id = tokens::consume(&mut *tx, &hash, purpose, now)
        .await?
        .ok_or(ServiceError::NotFound)?;
    accounts::mark_verified(&mut *tx, &account_id, now).await?;
    let account = accounts::by_id(&mut *tx, &account_id)
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
    Ok(account)
}

/// Ends every session of the account, this one included.
pub async fn sign_out_everywhere(
    svc: &Services,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    accounts::bump_session_version(&mut *tx, &account.id, now).await?;
    audit::record(
        &mut *tx,
        event(
            actor,
            "account.signed_out_everywhere",
            &account.id,
            &account.email,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Updates first, last and display names.
pub async fn update_profile(
    svc: &Services,
    account: &AccountRow,
    first: &str,
    last: &str,
    display: &str,
    actor: &Actor,
) -> ServiceResult<()> {
    let name = parse_names(first, last, display)
        .map_err(|(f, m)| ServiceError::Invalid(FieldErrors::single(f, m)))?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    accounts::update_names(&mut *tx, &account.id, &name, now).await?;
    audit::record(
        &mut *tx,
        event(
            actor,
            "account.profile_updated",
            &account.id,
            &account.email,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An account-level audit event (no workspace).
pub fn event<'a>(
    actor: &'a Actor,
    action: &'a str,
    account_id: &'a str,
    email: &'a str,
    now: i64,
) -> NewEvent<'a> {
    NewEvent {
        workspace_id: None,
        actor_account_id: actor.account_id.as_deref(),
        action,
        target_account_id: Some(account_id),
        target: Some(email),
        details: None,
        ip: actor.ip.as_deref(),
        now,
    }
}
