//! The invitee's side of an email invitation: the page the link opens (GET shows, never
//! uses up), sign-up from it (address fixed, optional avatar), joining with an existing
//! account, and switching accounts when signed in as someone else. Every code that does
//! not work gets the same page, which names no workspace.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::{ClientIp, SignedIn};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::services::joining::{self, Accepted, InvitationView, InviteeSignUp, InviteeSignedUp};
use crate::services::{Actor, FieldErrors, ServiceError, Services};
use crate::store::avatars;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invite/{code}", get(show))
        .route("/invite/{code}/join", post(join))
        .route("/invite/{code}/sign-up", post(sign_up))
        .route("/invite/{code}/switch", post(switch_account))
        .route("/avatars/{account_id}", get(avatar))
}

#[derive(Template, WebTemplate)]
#[template(path = "invite/landing.html")]
struct LandingPage {
    page: Page,
    code: String,
    /// Sign in, then come back to accept.
    sign_in: String,
    inv: InvitationView,
    /// The signed-in account's address, when someone is signed in.
    signed_in_as: Option<String>,
    form: InviteeSignUp,
    errors: FieldErrors,
}

impl LandingPage {
    fn is_wrong_account(&self) -> bool {
        self.signed_in_as
            .as_ref()
            .is_some_and(|e| *e != self.inv.email)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "invite/gone.html")]
struct GonePage {
    page: Page,
}

/// The one page for unknown, used, revoked and expired codes (404, no workspace named).
fn gone(ctx: &PageContext) -> Response {
    let page = ctx.page("This invitation no longer works");
    (StatusCode::NOT_FOUND, GonePage { page }).into_response()
}

fn actor(auth: &AuthSession, ip: String) -> Actor {
    Actor {
        account_id: auth.user.as_ref().map(|u| u.account.id.clone()),
        ip: Some(ip),
        api_token_id: None,
    }
}

async fn landing(
    svc: &Services,
    ctx: &PageContext,
    auth: &AuthSession,
    code: &str,
    form: InviteeSignUp,
    errors: FieldErrors,
) -> AppResult<Response> {
    let Some(inv) = joining::peek(svc, code).await? else {
        return Ok(gone(ctx));
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = LandingPage {
        page: ctx.page(&format!("Join {}", inv.workspace_name)),
        sign_in: sign_in_first(code),
        code: code.to_string(),
        signed_in_as: auth.user.as_ref().map(|u| u.account.email.clone()),
        inv,
        form,
        errors,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(svc): State<Services>,
    ctx: PageContext,
    auth: AuthSession,
    Path(code): Path<String>,
) -> AppResult<Response> {
    landing(
        &svc,
        &ctx,
        &auth,
        &code,
        InviteeSignUp::default(),
        FieldErrors::default(),
    )
    .await
}

/// Into the workspace, signed in as the account that joined.
async fn arrive(svc: &Services, auth: &mut AuthSession, accepted: Accepted) -> AppResult<Response> {
    let signed_in_already = auth
        .user
        .as_ref()
        .is_some_and(|u| u.account.id == accepted.account.id);
    if !signed_in_already {
        session::sign_in(auth, accepted.account, svc.clock.now()).await?;
    }
    let message = if accepted.already_member {
        "You were already a member of this workspace."
    } else {
        "Welcome! You joined the workspace."
    };
    session::flash(&auth.session, message).await?;
    Ok(Redirect::to(&format!("/w/{}", accepted.slug)).into_response())
}

/// Join as the signed-in account. Signed out, the person signs in first (password, or a
/// sign-in link emailed now) and comes back here: the code signs nobody in.
async fn join(
    State(svc): State<Services>,
    ctx: PageContext,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let Some(me) = auth.user.as_ref().map(|u| u.account.clone()) else {
        return match joining::peek(&svc, &code).await? {
            Some(_) => Ok(Redirect::to(&sign_in_first(&code)).into_response()),
            None => Ok(gone(&ctx)),
        };
    };
    let who = actor(&auth, ip);
    match joining::accept(&svc, &code, &me, &who).await {
        Ok(accepted) => arrive(&svc, &mut auth, accepted).await,
        // Signed in as someone else: show the page again, which explains.
        Err(ServiceError::Forbidden) => {
            landing(
                &svc,
                &ctx,
                &auth,
                &code,
                InviteeSignUp::default(),
                FieldErrors::default(),
            )
            .await
        }
        Err(ServiceError::NotFound) => Ok(gone(&ctx)),
        Err(e) => Err(e.into()),
    }
}

/// Where a signed-out person with an account goes to accept: sign-in, then back here.
fn sign_in_first(code: &str) -> String {
    let back = format!("/invite/{}", super::urlencode(code));
    format!("/sign-in?next={}", super::urlencode(&back))
}

/// Sign up from the invitation: a new address joins at once (unverified until its emailed
/// link is followed); an address with an account gets a link by email instead.
async fn sign_up(
    State(svc): State<Services>,
    ctx: PageContext,
    mut auth: AuthSession,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let fields = InviteeSignUp {
        password: form.get("password").to_string(),
        first_name: form.get("first_name").to_string(),
        last_name: form.get("last_name").to_string(),
        display_name: form.get("display_name").to_string(),
    };
    let avatar =
        crate::services::avatars::reencode_upload(form.into_file("avatar").map(|f| f.bytes))
            .await?;
    let who = actor(&auth, ip);
    match joining::sign_up(&svc, &code, &fields, avatar, &who).await {
        Ok(InviteeSignedUp::Joined(accepted)) => arrive(&svc, &mut auth, accepted).await,
        Ok(InviteeSignedUp::CheckEmail) => Ok(super::auth::CheckEmailPage {
            page: ctx.page("Check your email"),
            reason: "We sent a link to the invited address. Open it to continue to the invitation.",
        }
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let kept = InviteeSignUp {
                password: String::new(),
                ..fields
            };
            landing(&svc, &ctx, &auth, &code, kept, errors).await
        }
        Err(ServiceError::NotFound) => Ok(gone(&ctx)),
        Err(e) => Err(e.into()),
    }
}

/// Signed in as someone else: sign out, then back to the invitation (still pending).
async fn switch_account(mut auth: AuthSession, Path(code): Path<String>) -> AppResult<Response> {
    session::sign_out(&mut auth).await?;
    Ok(Redirect::to(&format!("/invite/{}", super::urlencode(&code))).into_response())
}

/// An avatar, to people who share a workspace with its owner, with its real type.
async fn avatar(
    State(svc): State<Services>,
    me: SignedIn,
    Path(account_id): Path<String>,
) -> AppResult<Response> {
    let (content_type, bytes) = avatars::visible_to(svc.store.pool(), &account_id, &me.account.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let content_type = match content_type.as_str() {
        "image/png" => "image/png",
        _ => "image/jpeg",
    };
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(res)
}
