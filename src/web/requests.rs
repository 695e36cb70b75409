//! The join-request popover beside Invite Team (Owners and Admins): a badge with the
//! number of pending requests, each with name, email and "3 days ago", **Welcome!** and
//! **Decline**, and **Approve all**: the ticked ones, or every listed one when none is
//! ticked. htmx loads and refreshes the
//! popover in place; without JavaScript it is a page of its own with the same forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::Admin;
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::clock::ago;
use crate::error::AppResult;
use crate::services::join_requests::{self, Approvals};
use crate::services::{ServiceError, ServiceResult, Services};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/requests", get(show))
        .route("/w/{slug}/requests/approve", post(approve_all))
        .route("/w/{slug}/requests/{id}/approve", post(approve))
        .route("/w/{slug}/requests/{id}/decline", post(decline))
}

/// One pending request as the popover shows it.
pub struct RequestItem {
    pub id: String,
    /// Who asked (picks their placeholder's colour when they have no picture).
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub ago: String,
    /// Their picture's path, when they chose one.
    pub avatar: Option<String>,
}

/// What the popover (and the page) show.
pub struct Popover {
    pub slug: String,
    pub items: Vec<RequestItem>,
    pub count: i64,
    pub message: Option<String>,
    pub open: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "requests/_popover.html")]
struct PopoverFragment {
    p: Popover,
}

#[derive(Template, WebTemplate)]
#[template(path = "requests/index.html")]
struct RequestsPage {
    page: Page,
    p: Popover,
}

async fn popover(svc: &Services, admin: &Admin, message: Option<String>) -> AppResult<Popover> {
    let (rows, count) = join_requests::pending(svc, &admin.0.manager()).await?;
    let now = svc.clock.now();
    let ids: Vec<String> = rows.iter().map(|r| r.account_id.clone()).collect();
    let pictures = crate::store::avatars::versions(&svc.store, &ids).await?;
    Ok(Popover {
        slug: admin.0.workspace.slug.clone(),
        items: rows
            .into_iter()
            .map(|r| RequestItem {
                ago: ago(now - r.created_at),
                avatar: crate::store::avatars::path(&r.account_id, &pictures),
                account_id: r.account_id,
                id: r.id,
                name: r.display_name,
                email: r.email,
            })
            .collect(),
        count,
        open: message.is_some(),
        message,
    })
}

/// The popover (htmx) or the page.
async fn show(
    State(svc): State<Services>,
    admin: Admin,
    ctx: PageContext,
    headers: HeaderMap,
) -> AppResult<Response> {
    let p = popover(&svc, &admin, None).await?;
    if super::extract::is_htmx(&headers) {
        return Ok(PopoverFragment { p }.into_response());
    }
    let page = ctx.in_workspace(&admin.0, "Join requests", "requests");
    Ok(RequestsPage { page, p }.into_response())
}

/// After an action: the popover again, open, with the message (htmx), or the page.
async fn answer(
    svc: &Services,
    admin: &Admin,
    auth: &AuthSession,
    headers: &HeaderMap,
    message: String,
) -> AppResult<Response> {
    if super::extract::is_htmx(headers) {
        let p = popover(svc, admin, Some(message)).await?;
        return Ok(PopoverFragment { p }.into_response());
    }
    flash(&auth.session, &message).await?;
    Ok(Redirect::to(&format!("/w/{}/requests", admin.0.workspace.slug)).into_response())
}

fn said(outcome: ServiceResult<String>, done: impl FnOnce(&str) -> String) -> AppResult<String> {
    match outcome {
        Ok(name) => Ok(done(&name)),
        Err(ServiceError::Invalid(errors)) => Ok(errors
            .get("request")
            .unwrap_or("That did not work.")
            .to_string()),
        Err(ServiceError::NotFound) => Ok("That request was already decided.".to_string()),
        Err(e) => Err(e.into()),
    }
}

async fn approve(
    State(svc): State<Services>,
    admin: Admin,
    auth: AuthSession,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = join_requests::approve(&svc, &admin.0.manager(), &id).await;
    let message = said(outcome, |n| format!("Welcome! {n} joined."))?;
    answer(&svc, &admin, &auth, &headers, message).await
}

async fn decline(
    State(svc): State<Services>,
    admin: Admin,
    auth: AuthSession,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = join_requests::decline(&svc, &admin.0.manager(), &id).await;
    let message = said(outcome, |n| format!("Declined {n}'s request."))?;
    answer(&svc, &admin, &auth, &headers, message).await
}

/// Approve all: the ticked requests, or, with none ticked, every request the form listed
/// (never one that arrived after the admin looked).
async fn approve_all(
    State(svc): State<Services>,
    admin: Admin,
    auth: AuthSession,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    let mut ids = form.all("ids");
    if ids.is_empty() {
        ids = form.all("listed");
    }
    let message = if ids.is_empty() {
        "No requests to approve.".to_string()
    } else {
        summary(&join_requests::approve_many(&svc, &admin.0.manager(), &ids).await?)
    };
    answer(&svc, &admin, &auth, &headers, message).await
}

fn summary(done: &Approvals) -> String {
    let mut message = match done.approved.len() {
        0 => "Nobody was approved.".to_string(),
        n => format!("Welcome! {n} joined: {}.", done.approved.join(", ")),
    };
    if !done.refused.is_empty() {
        message.push_str(&format!(
            " {} could not be approved: {}",
            done.refused.len(),
            done.refused.join(" ")
        ));
    }
    message
}
