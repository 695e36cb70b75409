//! Workspace settings for its Owner: rename, Plan & seats, transfer ownership, delete.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::answer_post;
use super::extract::{Member, Owner};
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::domain::Plan;
use crate::error::AppResult;
use crate::services::{FieldErrors, ServiceResult, Services, settings};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/settings", get(show))
        .route("/w/{slug}/settings/name", post(rename))
        .route("/w/{slug}/settings/plan", post(set_plan))
        .route("/w/{slug}/settings/transfer", post(transfer))
        .route("/w/{slug}/settings/delete", post(delete))
}

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    seat_count: String,
    #[serde(default)]
    transfer_to: String,
    #[serde(default)]
    confirm_name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "workspace/settings.html")]
struct SettingsPage {
    page: Page,
    slug: String,
    name: String,
    plan: &'static str,
    seat_count: String,
    seats_used: i64,
    transfer_to: String,
    errors: FieldErrors,
}

fn settings_page(
    ctx: &PageContext,
    member: &Member,
    form: Option<&SettingsForm>,
    errors: FieldErrors,
) -> SettingsPage {
    let w = &member.workspace;
    let field = |typed: Option<&String>, stored: String| {
        typed.filter(|t| !t.is_empty()).cloned().unwrap_or(stored)
    };
    SettingsPage {
        page: ctx.in_workspace(member, "Settings", "settings"),
        slug: w.slug.clone(),
        name: field(form.map(|f| &f.name), w.name.clone()),
        plan: Plan::parse(&w.plan).map_or("trial", Plan::as_str),
        seat_count: field(form.map(|f| &f.seat_count), w.seat_count.to_string()),
        seats_used: w.seats_used,
        transfer_to: form.map(|f| f.transfer_to.clone()).unwrap_or_default(),
        errors,
    }
}

async fn show(Owner(member): Owner, ctx: PageContext) -> SettingsPage {
    settings_page(&ctx, &member, None, FieldErrors::default())
}

/// Success: a message and back to the settings (or home); refusal: the page again, 422.
async fn answer(
    outcome: ServiceResult<()>,
    ctx: &PageContext,
    member: &Member,
    auth: &AuthSession,
    form: &SettingsForm,
    done: &str,
    then: String,
) -> AppResult<Response> {
    answer_post(outcome, &auth.session, done, &then, |errors| async move {
        Ok(settings_page(ctx, member, Some(form), errors))
    })
    .await
}

async fn rename(
    State(svc): State<Services>,
    Owner(m): Owner,
    auth: AuthSession,
    ctx: PageContext,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let outcome = settings::rename(&svc, &m.manager(), &f.name).await;
    let back = format!("/w/{}/settings", m.workspace.slug);
    answer(
        outcome,
        &ctx,
        &m,
        &auth,
        &f,
        "The workspace is renamed.",
        back,
    )
    .await
}

async fn set_plan(
    State(svc): State<Services>,
    Owner(m): Owner,
    auth: AuthSession,
    ctx: PageContext,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let outcome = settings::set_plan(&svc, &m.manager(), &f.plan, &f.seat_count).await;
    let back = format!("/w/{}/settings", m.workspace.slug);
    answer(
        outcome,
        &ctx,
        &m,
        &auth,
        &f,
        "Plan and seats are saved.",
        back,
    )
    .await
}

async fn transfer(
    State(svc): State<Services>,
    Owner(m): Owner,
    auth: AuthSession,
    ctx: PageContext,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let outcome =
        settings::transfer_ownership(&svc, &m.manager(), &m.signed_in.account.id, &f.transfer_to)
            .await;
    let back = format!("/w/{}", m.workspace.slug);
    answer(
        outcome,
        &ctx,
        &m,
        &auth,
        &f,
        "Ownership is transferred. You are now an Admin.",
        back,
    )
    .await
}

async fn delete(
    State(svc): State<Services>,
    Owner(m): Owner,
    auth: AuthSession,
    ctx: PageContext,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let outcome = settings::delete(&svc, &m.manager(), &m.workspace.name, &f.confirm_name).await;
    answer(
        outcome,
        &ctx,
        &m,
        &auth,
        &f,
        "The workspace is deleted.",
        "/".into(),
    )
    .await
}
