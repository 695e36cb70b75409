//! Workspace API tokens: made and revoked by Owners and Admins on the API tokens page,
//! and turned back into an acting manager on every API request. A token acts as its
//! creator with at most its scope, and only while the creator can still manage the
//! workspace: the creator's membership is read from the database on every request.

use crate::domain::Role;
use crate::domain::token::SecretToken;
use crate::store::api_tokens::{self, ApiTokenRow, NewApiToken};

use super::members::Manager;
use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, record_event};

/// Every API token starts with this, so leaked ones are easy to recognise.
pub const PREFIX: &str = "gh_";
/// The longest token name.
pub const MAX_NAME: usize = 100;
/// The expiry choices offered, in days (`never` is none).
pub const EXPIRY_CHOICES: [&str; 4] = ["30", "90", "365", "never"];

/// What a token may do: read only, or everything its creator may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Admin,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Admin => "admin",
        }
    }
}

/// A token just made: the secret is shown once and never again.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub name: String,
    pub secret: String,
}

/// Validates the page's form: a name, a scope and an expiry choice.
fn parse_input(
    name: &str,
    scope: &str,
    expiry: &str,
) -> ServiceResult<(String, Scope, Option<i64>)> {
    let mut errors = FieldErrors::default();
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "Give the token a name, e.g. what will use it.");
    } else if name.chars().count() > MAX_NAME {
        errors.add("name", format!("Use at most {MAX_NAME} characters."));
    }
    let scope = Scope::parse(scope);
    if scope.is_none() {
        errors.add("scope", "Choose Read or Admin.");
    }
    let days = match expiry {
        "never" => None,
        d if EXPIRY_CHOICES.contains(&d) => d.parse::<i64>().ok(),
        _ => {
            errors.add("expiry", "Choose 30, 90 or 365 days, or Never.");
            None
        }
    };
    errors.into_result().map_err(ServiceError::Invalid)?;
    let scope = scope.ok_or_else(|| {
        ServiceError::Invalid(FieldErrors::single("scope", "Choose Read or Admin."))
    })?;
    Ok((name.to_string(), scope, days))
}

/// Makes a token for the acting Owner or Admin; the secret is returned once.
pub async fn create(
    svc: &Services,
    by: &Manager,
    name: &str,
    scope: &str,
    expiry: &str,
) -> ServiceResult<Created> {
    by.require_admin()?;
    let creator = by.actor.account_id.clone().ok_or(ServiceError::Forbidden)?;
    let (name, scope, days) = parse_input(name, scope, expiry)?;
    let random = SecretToken::generate().map_err(|e| anyhow::anyhow!("OS RNG: {e}"))?;
    let secret = format!("{PREFIX}{}", random.as_str());
    let hash = SecretToken::from_link(&secret).hash();
    let id = uuid::Uuid::new_v4().to_string();
    let now = svc.clock.now();
    let expires_at = days.map(|d| now + d * 86_400);
    let mut tx = svc.store.begin_write().await?;
    api_tokens::insert(
        &mut *tx,
        NewApiToken {
            id: &id,
            workspace_id: &by.workspace_id,
            name: &name,
            scope: scope.as_str(),
            token_hash: &hash,
            created_by: &creator,
            now,
            expires_at,
        },
    )
    .await?;
    let details = serde_json::json!({ "token": id, "name": name, "scope": scope.as_str(), "expires_at": expires_at });
    record_event(svc, &mut tx, by, "api_token.created", None, details).await?;
    tx.commit().await?;
    Ok(Created { id, name, secret })
}

/// Revokes a token of the workspace for good.
pub async fn revoke(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    by.require_admin()?;
    let mut tx = svc.store.begin_write().await?;
    let name = api_tokens::revoke(&mut *tx, &by.workspace_id, id, svc.clock.now())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let details = serde_json::json!({ "token": id, "name": name });
    record_event(svc, &mut tx, by, "api_token.revoked", None, details).await?;
    tx.commit().await?;
    Ok(name)
}

pub async fn list(svc: &Services, by: &Manager) -> ServiceResult<Vec<ApiTokenRow>> {
    by.require_admin()?;
    Ok(api_tokens::list(svc.store.pool(), &by.workspace_id).await?)
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, malformed, revoked or expired (401).
    Invalid,
    /// Its creator is no longer an active Owner or Admin of the workspace (403).
    CreatorCannotManage,
}

/// A token that passed: the workspace it belongs to and the manager it acts as.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: String,
    pub scope: Scope,
    pub workspace_slug: String,
    pub manager: Manager,
}

/// Turns a presented bearer token into its acting manager, from the database now.
pub async fn authenticate(
    svc: &Services,
    presented: &str,
    ip: Option<String>,
) -> ServiceResult<Result<Caller, Refusal>> {
    if !presented.starts_with(PREFIX) || presented.len() > 200 {
        return Ok(Err(Refusal::Invalid));
    }
    let hash = SecretToken::from_link(presented).hash();
    let Some(row) = api_tokens::bearer(svc.store.pool(), &hash).await? else {
        return Ok(Err(Refusal::Invalid));
    };
    let now = svc.clock.now();
    let scope = Scope::parse(&row.scope);
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) || scope.is_none() {
        return Ok(Err(Refusal::Invalid));
    }
    let role = row.role.as_deref().and_then(Role::parse);
    let active = row.status.as_deref() == Some("active");
    let (Some(role), Some(scope), true) = (role.filter(|r| r.is_admin()), scope, active) else {
        return Ok(Err(Refusal::CreatorCannotManage));
    };
    if row.last_used_at.is_none_or(|t| t <= now - 60) {
        api_tokens::touch(svc.store.pool(), &row.id, now).await?;
    }
    Ok(Ok(Caller {
        token_id: row.id.clone(),
        scope,
        workspace_slug: row.workspace_slug,
        manager: Manager {
            workspace_id: row.workspace_id,
            role,
            actor: Actor {
                account_id: Some(row.created_by),
                ip,
                api_token_id: Some(row.id),
            },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_field_by_field() {
        let ok = parse_input("  HR sync ", "admin", "never").unwrap();
        assert_eq!(ok, ("HR sync".to_string(), Scope::Admin, None));
        assert_eq!(parse_input("Bot", "read", "365").unwrap().2, Some(365));
        let refused = |name: &str, scope: &str, expiry: &str| match parse_input(name, scope, expiry)
        {
            Err(ServiceError::Invalid(errors)) => errors.first().map(|(f, _)| f),
            _ => None,
        };
        assert_eq!(refused("", "read", "30"), Some("name"));
        assert_eq!(
            refused(&"x".repeat(MAX_NAME + 1), "read", "30"),
            Some("name")
        );
        assert_eq!(refused("Bot", "owner", "30"), Some("scope"));
        assert_eq!(refused("Bot", "read", "7"), Some("expiry"));
    }
}
