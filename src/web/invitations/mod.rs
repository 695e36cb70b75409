//! The Invitations tab (Owners and Admins): every email invitation with its status,
//! filtered by status, with Resend, Copy link, Revoke and, for Members' invitations
//! waiting for approval, Approve. The Invite dialog lives in `dialog`.

mod awaiting;
pub mod cannot;
pub(crate) mod dialog;
pub mod listing;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::Admin;
use super::page::{Page, PageContext};
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::clock::format_date;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::{ServiceError, ServiceResult, Services, invitations};
use crate::store::invitation_list::{InvitationFilter, ListedInvitation};

const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/invitations", get(show))
        .route("/w/{slug}/invitations/awaiting", get(awaiting::badge))
        .route("/w/{slug}/invite", get(dialog::show).post(dialog::submit))
        .route("/w/{slug}/invitations/{id}/resend", post(resend))
        .route("/w/{slug}/invitations/{id}/revoke", post(revoke))
        .route("/w/{slug}/invitations/{id}/approve", post(approve))
        .route("/w/{slug}/invitations/{id}/link", get(copy_link))
}

#[derive(Debug, Default, Deserialize)]
struct TabParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<i64>,
}

/// One invitation as the tab shows it.
#[derive(Debug, Clone)]
pub struct InvitationItem {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub teams: String,
    pub inviter: String,
    pub sent: String,
    pub delivery: Delivery,
    pub expires: String,
    pub status: &'static str,
    pub is_pending: bool,
    pub is_expired: bool,
    pub is_awaiting: bool,
}

impl InvitationItem {
    pub fn new(i: ListedInvitation, extra_teams: &[(String, String)], now: i64) -> Self {
        let is_expired = i.status == "pending" && i.expires_at <= now;
        let status = match i.status.as_str() {
            "pending" if is_expired => "Expired",
            "pending" => "Pending",
            "awaiting_approval" => "Awaiting approval",
            "accepted" => "Accepted",
            _ => "Revoked",
        };
        let teams: Vec<String> = i
            .primary_team
            .iter()
            .map(|t| format!("{t} (primary)"))
            .chain(
                extra_teams
                    .iter()
                    .filter(|(id, _)| *id == i.id)
                    .map(|(_, n)| n.clone()),
            )
            .collect();
        let delivery = Delivery::of(&i);
        Self {
            role: Role::parse(&i.role).unwrap_or(Role::Viewer).label(),
            teams: teams.join(", "),
            inviter: i.inviter_name.unwrap_or_else(|| "—".into()),
            sent: i.sent_at.map_or_else(|| "Not emailed".into(), format_date),
            delivery,
            expires: format_date(i.expires_at),
            is_pending: status == "Pending",
            is_awaiting: status == "Awaiting approval",
            is_expired,
            status,
            id: i.id,
            email: i.email,
        }
    }
}

/// The state of an invitation's latest email, as the tab shows it under the Sent date.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// `Queued`, `Delivered`, `Not delivered`, or empty (never emailed, or cancelled).
    pub label: &'static str,
    /// Why it was not delivered (yet): the refusal, or the last error before a retry.
    pub reason: String,
    pub failed: bool,
}

impl Delivery {
    fn of(i: &ListedInvitation) -> Self {
        let reason = || i.mail_error.clone().unwrap_or_default();
        let (label, reason) = if i.mail_sent_at.is_some() {
            ("Delivered", String::new())
        } else if i.mail_failed_at.is_some() {
            ("Not delivered", reason())
        } else if i.mail_attempts.is_none() || i.mail_cancelled_at.is_some() {
            ("", String::new())
        } else {
            ("Queued", reason())
        };
        Self {
            failed: label == "Not delivered",
            label,
            reason,
        }
    }
}

/// A status filter choice.
struct FilterLink {
    value: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/index.html")]
struct InvitationsPage {
    page: Page,
    slug: String,
    filters: Vec<FilterLink>,
    items: Vec<InvitationItem>,
    total: i64,
    page_number: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
    /// Members' invitations waiting for approval (the badge on that filter).
    awaiting: i64,
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
    Query(params): Query<TabParams>,
) -> AppResult<InvitationsPage> {
    let ws = &member.workspace;
    let filter = InvitationFilter::parse(&params.status);
    let page_number = params.page.unwrap_or(1).clamp(1, 1_000_000);
    let offset = (page_number - 1) * PAGE_SIZE;
    let (items, total) = listing::load(&svc, &ws.id, filter, "", PAGE_SIZE, offset).await?;
    let link = |p: i64| {
        format!(
            "/w/{}/invitations?status={}&page={p}",
            ws.slug,
            super::urlencode(&params.status)
        )
    };
    Ok(InvitationsPage {
        page: ctx.in_workspace(&member, "Invitations", "invitations"),
        slug: ws.slug.clone(),
        filters: filter_links(filter),
        awaiting: awaiting::count(&svc, &ws.id).await?,
        items,
        total,
        prev_link: (page_number > 1).then(|| link(page_number - 1)),
        next_link: (page_number * PAGE_SIZE < total).then(|| link(page_number + 1)),
        page_number,
    })
}

fn filter_links(current: InvitationFilter) -> Vec<FilterLink> {
    use InvitationFilter as F;
    [
        (F::All, "", "All"),
        (F::Pending, "pending", "Pending"),
        (
            F::AwaitingApproval,
            "awaiting_approval",
            "Awaiting approval",
        ),
        (F::Accepted, "accepted", "Accepted"),
        (F::Expired, "expired", "Expired"),
        (F::Revoked, "revoked", "Revoked"),
    ]
    .into_iter()
    .map(|(f, value, label)| FilterLink {
        value,
        label,
        current: f == current,
    })
    .collect()
}

/// A row action's answer: a message (or the refusal) and back to the tab.
async fn back_to_tab(
    auth: &AuthSession,
    slug: &str,
    outcome: ServiceResult<String>,
    done: impl FnOnce(&str) -> String,
) -> AppResult<Response> {
    let message = match outcome {
        Ok(email) => done(&email),
        Err(ServiceError::Invalid(errors)) => errors
            .get("invitation")
            .unwrap_or("That did not work.")
            .to_string(),
        Err(e) => return Err(e.into()),
    };
    flash(&auth.session, &message).await?;
    Ok(Redirect::to(&format!("/w/{slug}/invitations")).into_response())
}

async fn resend(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = invitations::resend(&svc, &m.manager(), &id).await;
    back_to_tab(&auth, &m.workspace.slug, outcome, |e| {
        format!("Invitation to {e} sent again.")
    })
    .await
}

async fn revoke(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = invitations::revoke(&svc, &m.manager(), &id).await;
    back_to_tab(&auth, &m.workspace.slug, outcome, |e| {
        format!("Invitation to {e} revoked.")
    })
    .await
}

async fn approve(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = invitations::approve(&svc, &m.manager(), &id).await;
    back_to_tab(&auth, &m.workspace.slug, outcome, |e| {
        format!("Invitation to {e} approved.")
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/link.html")]
struct LinkPage {
    page: Page,
    slug: String,
    link: Option<String>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/_link.html")]
struct LinkFragment {
    link: Option<String>,
    error: Option<String>,
}

/// Copy link: the invitation's URL in a read-only field (htmx puts it in the row and the
/// script copies it; without JavaScript it is a page of its own). Shows, changes nothing.
async fn copy_link(
    State(svc): State<Services>,
    Admin(m): Admin,
    ctx: PageContext,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (link, error) = match invitations::link(&svc, &m.manager(), &id).await {
        Ok(link) => (Some(link), None),
        Err(ServiceError::Invalid(e)) => (None, e.get("invitation").map(str::to_string)),
        Err(e) => return Err(AppError::from(e)),
    };
    if crate::web::extract::is_htmx(&headers) {
        return Ok(LinkFragment { link, error }.into_response());
    }
    Ok(LinkPage {
        page: ctx.in_workspace(&m, "Invitation link", "invitations"),
        slug: m.workspace.slug.clone(),
        link,
        error,
    }
    .into_response())
}
