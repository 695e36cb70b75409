//! What every page's layout needs: who is signed in, their workspaces for the switcher,
//! the current workspace, a one-time message and where assets live. Nothing here is a
//! per-session secret (CSRF is checked from request headers, see `web::csrf`), and
//! nothing here writes to the session: a visitor without one gets none.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::extract::Member;
use super::session::{AuthSession, take_flash};
use crate::domain::Role;
use crate::error::AppError;
use crate::store::workspaces::{MembershipIn, MyWorkspace};

/// The signed-in person as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavAccount {
    /// Their account id (picks their placeholder's colour when they have no picture).
    pub id: String,
    pub display_name: String,
    pub email: String,
    /// Their picture's path, when they chose one.
    pub avatar: Option<String>,
}

/// The workspace the page is about.
#[derive(Debug, Clone)]
pub struct NavWorkspace {
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// The layout's data. Every page template has one, named `page`.
#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub account: Option<NavAccount>,
    pub workspaces: Vec<MyWorkspace>,
    pub current: Option<NavWorkspace>,
    pub flash: Option<String>,
    pub assets: &'static str,
    /// Which nav entry is highlighted ("members", "invitations", "security", "audit", "account").
    pub section: &'static str,
}

impl Page {
    /// A page with no session data (error pages).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_string(),
            account: None,
            workspaces: Vec::new(),
            current: None,
            flash: None,
            assets: super::ASSETS,
            section: "",
        }
    }

    /// Whether the current person manages the current workspace.
    pub fn is_admin(&self) -> bool {
        self.current.as_ref().is_some_and(|w| w.role.is_admin())
    }
}

/// Extracts the layout's data; handlers call `.page(...)` or `.in_workspace(...)`.
pub struct PageContext {
    base: Page,
}

impl PageContext {
    pub fn page(&self, title: &str) -> Page {
        Page {
            title: title.to_string(),
            ..self.base.clone()
        }
    }

    pub fn in_workspace(&self, member: &Member, title: &str, section: &'static str) -> Page {
        Page {
            title: format!("{title} · {}", member.workspace.name),
            current: Some(NavWorkspace {
                slug: member.workspace.slug.clone(),
                name: member.workspace.name.clone(),
                role: member.role,
            }),
            section,
            ..self.base.clone()
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let auth = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("auth session layer missing")))?;
        let flash = take_flash(&auth.session).await;
        let (account, workspaces) = match &auth.user {
            Some(user) => (
                Some(NavAccount {
                    id: user.account.id.clone(),
                    display_name: user.account.display_name.clone(),
                    email: user.account.email.clone(),
                    avatar: user
                        .avatar_at
                        .map(|at| format!("/avatars/{}?v={at}", user.account.id)),
                }),
                user.memberships.iter().map(MembershipIn::entry).collect(),
            ),
            None => (None, Vec::new()),
        };
        let base = Page {
            account,
            workspaces,
            flash,
            ..Page::bare("Gatehouse")
        };
        Ok(Self { base })
    }
}
