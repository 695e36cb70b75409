//! The Security page (Owners and Admins): the joining settings. Who may invite is the
//! Owner's to change (read-only to Admins); the default invitation expiry and
//! Auto-approve join requests are any manager's. Each form posts plainly and through htmx.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::answer_post;
use super::extract::{Admin, Member, Owner};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::{FieldErrors, Services, security};
use crate::store::workspace_settings::{self, JoinSettings};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/security", get(show))
        .route("/w/{slug}/security/who-may-invite", post(who_may_invite))
        .route("/w/{slug}/security/invitations", post(invitation_defaults))
}

#[derive(Template, WebTemplate)]
#[template(path = "security/index.html")]
struct SecurityPage {
    page: Page,
    ws: JoinSettings,
    is_owner: bool,
    errors: FieldErrors,
}

async fn security_page(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    errors: FieldErrors,
) -> AppResult<SecurityPage> {
    let ws = workspace_settings::get(svc.store.pool(), &member.workspace.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SecurityPage {
        page: ctx.in_workspace(member, "Security", "security"),
        ws,
        is_owner: member.role == Role::Owner,
        errors,
    })
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<SecurityPage> {
    security_page(&svc, &ctx, &member, FieldErrors::default()).await
}

async fn who_may_invite(
    State(svc): State<Services>,
    Owner(member): Owner,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let outcome =
        security::set_who_may_invite(&svc, &member.manager(), form.get("who_may_invite")).await;
    let then = format!("/w/{}/security", member.workspace.slug);
    answer_post(
        outcome,
        &auth.session,
        "Saved: who may invite.",
        &then,
        |errors| security_page(&svc, &ctx, &member, errors),
    )
    .await
}

async fn invitation_defaults(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let outcome = security::set_invitation_defaults(
        &svc,
        &member.manager(),
        form.get("invitation_expiry_days"),
        form.checked("auto_approve_join_requests"),
    )
    .await;
    let then = format!("/w/{}/security", member.workspace.slug);
    answer_post(
        outcome,
        &auth.session,
        "Saved: invitation settings.",
        &then,
        |errors| security_page(&svc, &ctx, &member, errors),
    )
    .await
}
