//! Extractors that answer "who is asking, and what may they see?" from the database on
//! every request: the client's address, the signed-in account, and the membership in the
//! workspace named by the URL (anything else under /w/{slug} is a 404).

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::session::AuthSession;
use crate::domain::{MembershipStatus, Role};
use crate::error::AppError;
use crate::services::Actor;
use crate::services::members::Manager;
use crate::store::accounts::AccountRow;
use crate::store::members::MembershipRow;
use crate::store::workspaces::{MembershipIn, WorkspaceRow};

pub use super::client_ip::ClientIp;

/// Whether the request came from htmx (then answer with a fragment or HX-Redirect).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Whether htmx asked for just the element with this id (its `hx-target`).
pub fn htmx_targets(headers: &HeaderMap, id: &str) -> bool {
    headers
        .get("hx-target")
        .is_some_and(|t| t.as_bytes() == id.as_bytes())
}

/// A signed-in person; anyone else is sent to sign in and brought back afterwards.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: AccountRow,
    pub ip: String,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: Some(self.account.id.clone()),
            ip: Some(self.ip.clone()),
            api_token_id: None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        signed_in_with_memberships(parts, state)
            .await
            .map(|(signed_in, _)| signed_in)
    }
}

/// The signed-in person and every membership of theirs, as axum-login read them from the
/// database for this request (`store::who`).
async fn signed_in_with_memberships<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<(SignedIn, Vec<MembershipIn>), AppError> {
    let auth = AuthSession::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("auth session layer missing")))?;
    let Some(user) = auth.user else {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        return Err(AppError::SignInRequired {
            next,
            htmx: is_htmx(&parts.headers),
        });
    };
    crate::logging::record_account(&parts.extensions, &user.account.id);
    let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
    let signed_in = SignedIn {
        account: user.account.clone(),
        ip,
    };
    Ok((signed_in, user.memberships.clone()))
}

/// An active member of the workspace in the URL's `{slug}`, loaded fresh from the
/// database: removal or suspension takes effect on the very next request.
#[derive(Debug, Clone)]
pub struct Member {
    pub signed_in: SignedIn,
    pub workspace: WorkspaceRow,
    pub membership: MembershipRow,
    pub role: Role,
}

impl Member {
    pub fn actor(&self) -> Actor {
        self.signed_in.actor()
    }

    /// This member as the acting manager the workflows check roles against.
    pub fn manager(&self) -> Manager {
        Manager {
            workspace_id: self.workspace.id.clone(),
            role: self.role,
            actor: self.actor(),
        }
    }

    /// Keeps the member only if their role passes `allowed`; otherwise 403.
    fn only_if(self, allowed: impl Fn(Role) -> bool) -> Result<Self, AppError> {
        if allowed(self.role) {
            Ok(self)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Member {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let (signed_in, memberships) = signed_in_with_memberships(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let slug = params
            .iter()
            .find(|(k, _)| *k == "slug")
            .map(|(_, v)| v.to_string())
            .ok_or(AppError::NotFound)?;
        if !crate::domain::slug::looks_like_slug(&slug) {
            return Err(AppError::NotFound);
        }
        let MembershipIn {
            workspace,
            membership,
        } = memberships
            .into_iter()
            .find(|m| m.workspace.slug == slug)
            .ok_or(AppError::NotFound)?;
        if MembershipStatus::parse(&membership.status) != Some(MembershipStatus::Active) {
            return Err(AppError::NotFound);
        }
        crate::logging::record_workspace(&parts.extensions, &workspace.slug);
        let role = Role::parse(&membership.role)
            .ok_or_else(|| anyhow::anyhow!("unknown role {}", membership.role))?;
        Ok(Self {
            signed_in,
            workspace,
            membership,
            role,
        })
    }
}

/// An Owner or Admin of the workspace in the URL; other members get 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Member);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Member::from_request_parts(parts, state)
            .await?
            .only_if(Role::is_admin)
            .map(Self)
    }
}

/// The Owner of the workspace in the URL; other members get 403.
#[derive(Debug, Clone)]
pub struct Owner(pub Member);

impl<S: Send + Sync> FromRequestParts<S> for Owner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Member::from_request_parts(parts, state)
            .await?
            .only_if(|r| r == Role::Owner)
            .map(Self)
    }
}
