//! Account workflows: sign up, verify the address, reset the password, one-time sign-in
//! links, and the account page's changes. Sign-up and reset answer the same whether or
//! not the address has an account; the email that follows is what differs.

use crate::domain::names::NameField;
use crate::domain::{EmailAddress, Password, PersonName};
use crate::services::Tx;
use crate::store::accounts::{self, AccountRow, NewAccount};
use crate::store::audit::{self, NewEvent};
use crate::store::tokens;

use super::account_links::{Carried, sign_in_link_email, verification_email};
use super::limits::{self, Action};
use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, passwords};

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
    let address = email.as_ref().map_or("", |e| e.as_str()).to_string();
    let names = [&form.first_name, &form.last_name, &form.display_name].map(String::as_str);
    let checked = parse_password_and_names(&form.password, &address, names, &mut errors);
    match (email, checked) {
        (Some(e), Some((p, n))) if errors.is_empty() => Ok((e, p, n)),
        _ => Err(errors),
    }
}

/// A new password (the address and names count as easy guesses) and the names, each
/// wrong one's message added to `errors`.
pub(super) fn parse_password_and_names(
    password: &str,
    email: &str,
    [first, last, display]: [&str; 3],
    errors: &mut FieldErrors,
) -> Option<(Password, PersonName)> {
    let hints = [email, first, last, display];
    let password = Password::parse_new(password, &hints)
        .map_err(|m| errors.add("password", m))
        .ok();
    let name = parse_names(first, last, display)
        .map_err(|(field, m)| errors.add(field, m))
        .ok();
    Some((password?, name?))
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
    let prepared = prepare_sign_up(svc, form, Action::SignUp, actor).await?;
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

/// Parses the form, counts the request against the address and the client (abuse
/// limits, before any hashing), then hashes the password.
pub async fn prepare_sign_up(
    svc: &Services,
    form: &SignUpForm,
    action: Action,
    actor: &Actor,
) -> ServiceResult<PreparedSignUp> {
    let (email, password, name) = parse_sign_up(form).map_err(ServiceError::Invalid)?;
    limits::check_address(svc, action, &email, actor).await?;
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
/// joins once the address is proven, for the email. A repeat sign-up never touches the
/// existing account: a verified one gets a one-time sign-in link, an unverified one a
/// verification link that confirms the password chosen in *this* sign-up.
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
    let confirms_password = Carried {
        password_hash: Some(hash),
        next_path: None,
    };
    let (account_id, action, mut email_to_send) = match created.clone() {
        Some(id) => {
            let mail =
                verification_email(svc, tx, &id, email, &name.display, confirms_password).await?;
            (id, "account.sign_up", mail)
        }
        None => {
            let existing = accounts::by_email(&mut **tx, email.as_str())
                .await?
                .ok_or(ServiceError::NotFound)?;
            let mail = if existing.email_verified == 1 {
                let why = "Someone (hopefully you) tried to sign up with this address, which already has a Gatehouse account.";
                sign_in_link_email(svc, tx, &existing, why, None).await?
            } else {
                let display = existing.display_name.clone();
                verification_email(svc, tx, &existing.id, email, &display, confirms_password)
                    .await?
            };
            (existing.id, "account.sign_up_existing_address", mail)
        }
    };
    if let (Some(workspace), Some(_)) = (joining, &created) {
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

/// Ends every session of the account, this one included.
pub async fn sign_out_everywhere(
    svc: &Services,
    account: &AccountRow,
    actor: &Actor,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    accounts::bump_session_version(&mut *tx, &account.id, now).await?;
    tokens::retire_every(&mut *tx, &account.id, now).await?;
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
        api_token_id: actor.api_token_id.as_deref(),
    }
}
