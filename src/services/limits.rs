//! Abuse limits on everything that sends mail or burns CPU (argon2): sign-up, sign-in
//! links, forgot password, invitation sign-ups and link sign-ups, email invitations and
//! their Resend.
//! Per address, a short cooldown (one email a minute) and an hourly cap; per client, a
//! cap over fifteen minutes (`GATEHOUSE_CLIENT_SEND_LIMIT`). Counters live in the database (`sign_in_throttle`), so
//! every instance enforces the same limits; a refused request counts for nothing.

use crate::domain::EmailAddress;
use crate::store::throttle::{self, Rule};

use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services};

/// One email to an address per minute for the same action: repeats send nothing.
pub const ADDRESS_COOLDOWN: Rule = Rule {
    window: 60,
    limit: 1,
    lock: 60,
};
/// Five emails to one address per hour, whatever asked for them.
pub const ADDRESS_HOURLY: Rule = Rule {
    window: 3600,
    limit: 5,
    lock: 3600,
};
/// Mail-sending or password-hashing requests per client per fifteen minutes (30 unless
/// configured otherwise).
fn client_rule(limit: i64) -> Rule {
    Rule {
        window: 900,
        limit,
        lock: 900,
    }
}

/// What is being asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignUp,
    SignInLink,
    PasswordReset,
    InviteeSignUp,
    LinkSignUp,
    Invitation,
    /// An admin's Resend of one invitation (counted per invitation).
    Resend,
}

impl Action {
    fn key(self) -> &'static str {
        match self {
            Self::SignUp => "sign-up",
            Self::SignInLink => "sign-in-link",
            Self::PasswordReset => "reset",
            Self::InviteeSignUp => "invitee-sign-up",
            Self::LinkSignUp => "link-sign-up",
            Self::Invitation => "invite",
            Self::Resend => "resend",
        }
    }
}

/// Counts the request against whom it mails (an address, or an invitation's id for a
/// Resend) and its client; refuses it with "try again in N minutes" beside `field` when a
/// limit is reached.
pub async fn check(
    svc: &Services,
    action: Action,
    to: Option<&str>,
    actor: &Actor,
    field: &'static str,
) -> ServiceResult<()> {
    let ip = actor.ip.as_deref().unwrap_or("unknown");
    let client = client_rule(svc.client_send_limit);
    let mut keys = vec![(format!("send:{}:ip:{ip}", action.key()), client)];
    if let Some(to) = to {
        keys.push((format!("send:{}:to:{to}", action.key()), ADDRESS_COOLDOWN));
        keys.push((format!("send:to:{to}"), ADDRESS_HOURLY));
    }
    match reserve(svc, &keys).await? {
        None => Ok(()),
        Some(until) => {
            let minutes = (until - svc.clock.now() + 59).max(60) / 60;
            let message = format!(
                "Too many requests just now. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            );
            Err(ServiceError::Invalid(FieldErrors::single(field, message)))
        }
    }
}

/// [`check`] for a request that mails an address typed into the form's `email` field.
pub async fn check_address(
    svc: &Services,
    action: Action,
    email: &EmailAddress,
    actor: &Actor,
) -> ServiceResult<()> {
    check(svc, action, Some(email.as_str()), actor, "email").await
}

/// Reserves one attempt against every key in one transaction; `Some(until)` when any
/// refuses (then nothing is counted), the latest time a refusing key is locked until.
pub(super) async fn reserve(svc: &Services, keys: &[(String, Rule)]) -> ServiceResult<Option<i64>> {
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let mut refused_until = None;
    for (key, rule) in keys {
        let r = throttle::reserve(&mut tx, key, *rule, now).await?;
        if !r.allowed {
            refused_until = refused_until.max(Some(r.locked_until));
        }
    }
    match refused_until {
        Some(_) => tx.rollback().await?,
        None => tx.commit().await?,
    }
    Ok(refused_until)
}
