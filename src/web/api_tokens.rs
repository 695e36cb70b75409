//! The API tokens page (Settings area, Owners and Admins): make a token (shown once),
//! see the workspace's tokens and revoke them. The rules live in `services::api_tokens`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::{Admin, Member};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::clock::format_date;
use crate::error::AppResult;
use crate::services::api_tokens::{self, Created, MAX_NAME};
use crate::services::{FieldErrors, ServiceError, Services};
use crate::store::api_tokens::ApiTokenRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/settings/api-tokens", get(show).post(create))
        .route("/w/{slug}/settings/api-tokens/{id}/revoke", post(revoke))
}

/// A token as listed: dates already formatted.
struct TokenView {
    id: String,
    name: String,
    scope: String,
    creator: String,
    created: String,
    last_used: String,
    expires: String,
    expired: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_tokens/index.html")]
struct TokensPage {
    page: Page,
    slug: String,
    base_url: String,
    tokens: Vec<TokenView>,
    /// The token just made, shown this once.
    created: Option<Created>,
    /// What was typed, shown again beside the errors.
    name_typed: String,
    scope_typed: String,
    expiry_typed: String,
    max_name: usize,
    errors: FieldErrors,
}

fn view(row: ApiTokenRow, now: i64) -> TokenView {
    TokenView {
        id: row.id,
        name: row.name,
        scope: row.scope,
        creator: row.creator_name,
        created: format_date(row.created_at),
        last_used: row.last_used_at.map_or("Never".into(), format_date),
        expires: row.expires_at.map_or("Never".into(), format_date),
        expired: row.expires_at.is_some_and(|e| e <= now),
    }
}

async fn tokens_page(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    errors: FieldErrors,
) -> AppResult<TokensPage> {
    let now = svc.clock.now();
    let tokens = api_tokens::list(svc, &member.manager())
        .await?
        .into_iter()
        .map(|r| view(r, now))
        .collect();
    Ok(TokensPage {
        page: ctx.in_workspace(member, "API tokens", "api-tokens"),
        slug: member.workspace.slug.clone(),
        base_url: svc.base_url.to_string(),
        tokens,
        created: None,
        name_typed: String::new(),
        scope_typed: "read".into(),
        expiry_typed: "90".into(),
        max_name: MAX_NAME,
        errors,
    })
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<TokensPage> {
    tokens_page(&svc, &ctx, &member, FieldErrors::default()).await
}

/// Made: the page with the token shown once (never put in the session or a redirect).
/// Refused: the page again (422) with each reason beside its field.
async fn create(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let (name, scope, expiry) = (form.get("name"), form.get("scope"), form.get("expiry"));
    match api_tokens::create(&svc, &member.manager(), name, scope, expiry).await {
        Ok(created) => {
            let mut page = tokens_page(&svc, &ctx, &member, FieldErrors::default()).await?;
            page.created = Some(created);
            Ok(page.into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = tokens_page(&svc, &ctx, &member, errors).await?;
            page.name_typed = name.to_string();
            page.scope_typed = scope.to_string();
            page.expiry_typed = expiry.to_string();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let name = api_tokens::revoke(&svc, &member.manager(), &id).await?;
    session::flash(&auth.session, &format!("Revoked the token “{name}”.")).await?;
    let then = format!("/w/{}/settings/api-tokens", member.workspace.slug);
    Ok(Redirect::to(&then).into_response())
}
