//! The removal confirmation, asked for only when someone picks "Remove from workspace" in
//! a row's "…" menu: htmx loads it into the page's dialog (its answer replaces the row);
//! without JavaScript it is a page of its own.
//! (Rendering it into every row made up half of the Members page's bytes.)

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::actions::back_to;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::member_list;
use crate::web::extract::Admin;
use crate::web::extract::is_htmx;
use crate::web::page::{Page, PageContext};

/// What the confirmation shows and posts.
#[derive(Debug, Clone)]
pub struct RemoveContext {
    pub name: String,
    /// Names the row the in-page confirmation replaces.
    pub account_id: String,
    /// The member's actions: `/w/{slug}/members/{account_id}`.
    pub url: String,
    pub back: String,
    /// Shown in the page's dialog (htmx posts it and swaps the row) rather than as a page.
    pub in_row: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/remove_fragment.html")]
struct RemoveFragment {
    c: RemoveContext,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/remove.html")]
struct RemovePage {
    page: Page,
    c: RemoveContext,
}

/// GET `/w/{slug}/members/{account_id}/remove`.
pub async fn confirm_remove(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
    Path((_, account_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let listed = member_list::one(svc.store.pool(), &member.workspace.id, &account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = ctx.in_workspace(&member, "Remove from workspace", "members");
    let c = RemoveContext {
        name: listed.display_name,
        url: format!("/w/{}/members/{}", member.workspace.slug, listed.account_id),
        account_id: listed.account_id,
        back: back_to(&member, &came_from(&headers)),
        in_row: is_htmx(&headers),
    };
    if c.in_row {
        return Ok(RemoveFragment { c }.into_response());
    }
    Ok(RemovePage { page, c }.into_response())
}

/// The local path (and query) of the page the request came from: htmx's current URL, or
/// the browser's Referer; empty when neither says.
fn came_from(headers: &HeaderMap) -> String {
    ["hx-current-url", "referer"]
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok()?.parse::<Uri>().ok())
        .find_map(|uri| uri.path_and_query().map(|p| p.as_str().to_string()))
        .unwrap_or_default()
}
