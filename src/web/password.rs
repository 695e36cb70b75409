//! Forgotten passwords: ask for a reset link, then choose a new password from it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::auth::{CheckEmailPage, anonymous, link_invalid};
use super::extract::ClientIp;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::account_links::peek_token;
use crate::services::passwords;
use crate::services::{FieldErrors, ServiceError, Services};
use crate::store::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset-password/{token}", get(reset_page).post(reset))
}

#[derive(Debug, Default, Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

async fn forgot_page(ctx: PageContext) -> ForgotPage {
    ForgotPage {
        page: ctx.page("Reset your password"),
        email: String::new(),
        errors: FieldErrors::default(),
    }
}

async fn forgot(
    State(svc): State<Services>,
    ctx: PageContext,
    ip: ClientIp,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    match passwords::request_password_reset(&svc, &form.email, &anonymous(ip)).await {
        Ok(()) => Ok(CheckEmailPage {
            page: ctx.page("Check your email"),
            reason: "If that address has an account, we sent it a link to choose a new password. The link works once, for an hour.",
        }
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = ForgotPage { page: ctx.page("Reset your password"), email: form.email, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: Page,
    email: String,
    token: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_page(
    State(svc): State<Services>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(account) = peek_token(&svc, &token, Purpose::ResetPassword).await? else {
        return Ok(link_invalid(&ctx));
    };
    Ok(ResetPage {
        page: ctx.page("Choose a new password"),
        email: account.email,
        token,
        errors: FieldErrors::default(),
    }
    .into_response())
}

async fn reset(
    State(svc): State<Services>,
    mut auth: AuthSession,
    ctx: PageContext,
    ip: ClientIp,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> AppResult<Response> {
    match passwords::reset_password(&svc, &token, &form.password, &anonymous(ip)).await {
        Ok(account) => {
            session::sign_in(&mut auth, account, svc.clock.now()).await?;
            session::flash(
                &auth.session,
                "Your password is changed, and every other session is signed out.",
            )
            .await?;
            Ok(Redirect::to("/").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let email = peek_token(&svc, &token, Purpose::ResetPassword)
                .await?
                .map(|a| a.email)
                .unwrap_or_default();
            let page = ResetPage {
                page: ctx.page("Choose a new password"),
                email,
                token,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ServiceError::NotFound) => Ok(link_invalid(&ctx)),
        Err(e) => Err(e.into()),
    }
}
