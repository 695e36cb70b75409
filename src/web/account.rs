//! The account page: names, picture (change or remove), password, sign out everywhere, my workspaces, leave one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::SignedIn;
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::{FieldErrors, ServiceError, Services, workspaces};
use crate::services::{accounts, avatars, passwords};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/profile", post(update_profile))
        .route("/account/password", post(change_password))
        .route("/account/avatar", post(change_avatar))
        .route("/account/avatar/remove", post(remove_avatar))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route("/account/workspaces/{slug}/leave", post(leave))
}

#[derive(Template, WebTemplate)]
#[template(path = "account/index.html")]
struct AccountPage {
    page: Page,
    first_name: String,
    last_name: String,
    display_name: String,
    email: String,
    /// The person's picture's path, when they chose one.
    avatar: Option<String>,
    /// Their account id, for the placeholder shown without a picture.
    me_id: String,
    errors: FieldErrors,
}

fn account_page(ctx: &PageContext, me: &SignedIn, errors: FieldErrors) -> AccountPage {
    let a = &me.account;
    let mut page = ctx.page("Your account");
    page.section = "account";
    AccountPage {
        page: page.clone(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        display_name: a.display_name.clone(),
        email: a.email.clone(),
        avatar: page.account.as_ref().and_then(|n| n.avatar.clone()),
        me_id: a.id.clone(),
        errors,
    }
}

fn invalid(page: AccountPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

async fn show(me: SignedIn, ctx: PageContext) -> AccountPage {
    account_page(&ctx, &me, FieldErrors::default())
}

#[derive(Debug, Deserialize)]
struct ProfileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    display_name: String,
}

async fn update_profile(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
    ctx: PageContext,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    match accounts::update_profile(
        &svc,
        &me.account,
        &form.first_name,
        &form.last_name,
        &form.display_name,
        &me.actor(),
    )
    .await
    {
        Ok(()) => {
            session::flash(&auth.session, "Your profile is saved.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = account_page(&ctx, &me, errors);
            (page.first_name, page.last_name, page.display_name) =
                (form.first_name, form.last_name, form.display_name);
            Ok(invalid(page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(svc): State<Services>,
    me: SignedIn,
    mut auth: AuthSession,
    ctx: PageContext,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    match passwords::change_password(
        &svc,
        &me.account,
        &form.current_password,
        &form.new_password,
        &me.actor(),
    )
    .await
    {
        Ok(updated) => {
            // The other sessions die with the old password; this one is renewed.
            session::sign_in(&mut auth, updated, svc.clock.now()).await?;
            session::flash(
                &auth.session,
                "Your password is changed. Your other sessions are signed out.",
            )
            .await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => Ok(invalid(account_page(&ctx, &me, errors))),
        Err(e) => Err(e.into()),
    }
}

async fn change_avatar(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let upload = form.into_file("avatar").map(|f| f.bytes);
    match avatars::change(&svc, &me.account.id, upload).await {
        Ok(()) => {
            session::flash(&auth.session, "Your picture is changed.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => Ok(invalid(account_page(&ctx, &me, errors))),
        Err(e) => Err(e.into()),
    }
}

async fn remove_avatar(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
) -> AppResult<Redirect> {
    avatars::remove(&svc, &me.account.id).await?;
    session::flash(&auth.session, "Your picture is removed.").await?;
    Ok(Redirect::to("/account"))
}

async fn sign_out_everywhere(
    State(svc): State<Services>,
    me: SignedIn,
    mut auth: AuthSession,
) -> AppResult<Redirect> {
    accounts::sign_out_everywhere(&svc, &me.account, &me.actor()).await?;
    session::sign_out(&mut auth).await?;
    Ok(Redirect::to("/sign-in"))
}

async fn leave(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
    ctx: PageContext,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    match workspaces::leave(&svc, &slug, &me.account.id, &me.actor()).await {
        Ok(()) => {
            session::flash(&auth.session, "You left the workspace.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(ServiceError::Invalid(errors)) => Ok(invalid(account_page(&ctx, &me, errors))),
        Err(e) => Err(e.into()),
    }
}
