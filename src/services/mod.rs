//! Workflows: each public function is one thing a person does, with its rules, its
//! transaction, its audit event and its email. Nothing here knows about HTTP.

pub mod account_links;
pub mod accounts;
pub mod api_tokens;
pub mod avatars;
pub mod discovery;
pub mod domains;
pub mod invitations;
pub mod join_requests;
pub mod joining;
pub mod limits;
pub mod links;
pub mod members;
pub mod onboarding;
pub mod passwords;
pub mod security;
pub mod settings;
pub mod sign_in;
pub mod teams;
pub mod webhook_events;
pub mod webhooks;
pub mod workspaces;

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::InviteQuotas;
use crate::domain::invite_code::CodeKey;
use crate::store::Store;

/// What the workflows need (`ServiceParts`), behind one shared pointer: every request
/// clones it several times (extractors, middleware, the session backend), and one
/// reference count is cheaper to bump on two cores than one per part.
#[derive(Debug, Clone)]
pub struct Services(Arc<ServiceParts>);

impl Services {
    pub fn new(parts: ServiceParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for Services {
    type Target = ServiceParts;
    fn deref(&self) -> &ServiceParts {
        &self.0
    }
}

/// The database, the time, where links point, a way to wake the mail worker after
/// committing mail.
#[derive(Debug)]
pub struct ServiceParts {
    pub store: Store,
    pub clock: Clock,
    pub base_url: Arc<str>,
    pub mail_wakeup: Arc<Notify>,
    /// Derives invitation and invite-link codes from the server secret.
    pub codes: CodeKey,
    pub invite_quotas: InviteQuotas,
    /// Mail-sending or password-hashing requests per client per 15 minutes (`limits`).
    pub client_send_limit: i64,
    /// Webhook secrets' seal, the SSRF setting and deadlines, the worker's wake-up.
    pub hooks: webhooks::Hooks,
}

impl ServiceParts {
    /// An absolute link into the console, from the configured base URL (never the Host header).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// Who is acting and from where, for audit events.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<String>,
    pub ip: Option<String>,
    /// The API token acted through (its id), named by every audit event it causes.
    pub api_token_id: Option<String>,
}

/// Validation messages by field name, shown beside each field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first field (by name) and its message, for answers that name one field.
    pub fn first(&self) -> Option<(&'static str, &str)> {
        self.0.iter().next().map(|(k, v)| (*k, v.as_str()))
    }

    /// `Ok(())` when nothing was added, otherwise the errors.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }
}

/// What a workflow can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; nothing changed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The thing does not exist or is not this person's to see.
    #[error("not found")]
    NotFound,
    /// The person may see it but not do this.
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A database transaction a workflow holds while it checks and changes.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Records an audit event in the acting manager's workspace, inside the caller's
/// transaction (so the event exists exactly when the change does).
pub(crate) async fn record_event(
    svc: &Services,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &members::Manager,
    action: &str,
    target: Option<&str>,
    details: serde_json::Value,
) -> ServiceResult<()> {
    let event = workspaces::workspace_event(
        &by.workspace_id,
        &by.actor,
        action,
        target,
        Some(details.to_string()),
        svc.clock.now(),
    );
    crate::store::audit::record(&mut **tx, event).await?;
    Ok(())
}
