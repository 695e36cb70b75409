//! Browse workspaces (`/workspaces/browse`, signed-in people): the discoverable workspaces
//! with their member counts, a name search, and per workspace Open, Request sent,
//! Declined or a **Request to join** button (`POST /workspaces/{slug}/request`).
//! Incognito and unknown workspaces are the same 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::extract::SignedIn;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::domain::LocalPath;
use crate::error::AppResult;
use crate::services::Services;
use crate::services::discovery::{self, Asked, Listed, Standing};

const PATH: &str = "/workspaces/browse";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/workspaces/{slug}/request", post(request))
}

/// The query string, as typed; anything unparsable counts as absent.
#[derive(Debug, Clone, Default, Deserialize)]
struct BrowseParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

impl BrowseParams {
    fn page(&self) -> i64 {
        self.page.trim().parse().unwrap_or(1)
    }
}

/// This list's address for `q` on page `page`.
fn link(q: &str, page: i64) -> String {
    let mut pairs = Vec::new();
    if !q.trim().is_empty() {
        pairs.push(("q", q.trim().to_string()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(pairs) {
        Ok(query) if !query.is_empty() => format!("{PATH}?{query}"),
        _ => PATH.to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "browse/index.html")]
struct BrowsePage {
    page: Page,
    q: String,
    items: Vec<Listed>,
    total: i64,
    /// Where Request to join comes back to.
    here: String,
    prev_link: Option<String>,
    next_link: Option<String>,
}

async fn show(
    State(svc): State<Services>,
    me: SignedIn,
    ctx: PageContext,
    Query(params): Query<BrowseParams>,
) -> AppResult<BrowsePage> {
    let listing = discovery::browse(&svc, &me.account.id, &params.q, params.page()).await?;
    let n = listing.page;
    Ok(BrowsePage {
        page: ctx.page("Browse workspaces"),
        here: link(&params.q, n),
        prev_link: (n > 1).then(|| link(&params.q, n - 1)),
        next_link: listing.has_next.then(|| link(&params.q, n + 1)),
        q: params.q,
        items: listing.items,
        total: listing.total,
    })
}

#[derive(Debug, Deserialize)]
struct RequestForm {
    #[serde(default)]
    back: String,
}

/// Request to join: in at once (auto-approve), or a request for the admins.
async fn request(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
    Path(slug): Path<String>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let asked = discovery::ask_to_join(&svc, &slug, &me.account, &me.actor()).await?;
    let back = if form.back.starts_with(PATH) && LocalPath::parse(&form.back).is_some() {
        form.back
    } else {
        PATH.to_string()
    };
    let (to, message) = outcome(asked, back);
    session::flash(&auth.session, &message).await?;
    Ok(Redirect::to(&to).into_response())
}

/// Where the person goes next, and what they are told.
fn outcome(asked: Asked, back: String) -> (String, String) {
    match asked {
        Asked::Joined { slug, workspace } => (
            format!("/w/{slug}"),
            format!("Welcome! You joined {workspace}."),
        ),
        Asked::AlreadyMember { slug, workspace } => (
            format!("/w/{slug}"),
            format!("You are already a member of {workspace}."),
        ),
        Asked::Requested { workspace } => (
            back,
            format!(
                "Request sent: an admin of {workspace} will review it. We will email you the answer."
            ),
        ),
        Asked::AlreadyRequested { workspace } => (
            back,
            format!(
                "Request sent already: your request to join {workspace} is waiting for an admin."
            ),
        ),
        Asked::Declined { workspace } => (
            back,
            format!(
                "Your request to join {workspace} was declined. Ask an admin for an invitation."
            ),
        ),
        Asked::Suspended { workspace } => (
            back,
            format!("Your membership of {workspace} is suspended. Ask an admin to reactivate it."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_search_and_page() {
        assert_eq!(link("", 1), "/workspaces/browse");
        assert_eq!(link(" a&b ", 2), "/workspaces/browse?q=a%26b&page=2");
    }
}
