//! Signing up, confirming the address, signing in and out, and resetting a password.
//! Every link from an email opens a page (GET uses nothing up); a button POSTs.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::ClientIp;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::domain::{EmailAddress, LocalPath};
use crate::error::AppResult;
use crate::services::account_links;
use crate::services::accounts::{self, SignUpForm};
use crate::services::links::redeem;
use crate::services::sign_in::{self as signing, SignInOutcome};
use crate::services::{Actor, FieldErrors, ServiceError, Services};
use crate::store::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-up", get(sign_up_page).post(sign_up))
        .route("/sign-up/check-email", get(check_email))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-in/link", post(email_sign_in_link))
        .route("/sign-out", post(sign_out))
        .route("/verify/{token}", get(verify_page).post(verify))
        .route(
            "/sign-in-link/{token}",
            get(sign_in_link_page).post(sign_in_link),
        )
}

pub(super) fn anonymous(ip: ClientIp) -> Actor {
    Actor {
        account_id: None,
        ip: Some(ip.0),
        api_token_id: None,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/sign_up.html")]
struct SignUpPage {
    page: Page,
    form: SignUpForm,
    errors: FieldErrors,
}

async fn sign_up_page(ctx: PageContext) -> SignUpPage {
    SignUpPage {
        page: ctx.page("Sign up"),
        form: SignUpForm::default(),
        errors: FieldErrors::default(),
    }
}

async fn sign_up(
    State(svc): State<Services>,
    ctx: PageContext,
    ip: ClientIp,
    Form(form): Form<SignUpForm>,
) -> AppResult<Response> {
    match accounts::sign_up(&svc, &form, &anonymous(ip)).await {
        Ok(()) => Ok(Redirect::to("/sign-up/check-email").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = SignUpForm {
                password: String::new(),
                ..form
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                SignUpPage {
                    page: ctx.page("Sign up"),
                    form,
                    errors,
                },
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/check_email.html")]
pub(super) struct CheckEmailPage {
    pub(super) page: Page,
    pub(super) reason: &'static str,
}

async fn check_email(ctx: PageContext) -> CheckEmailPage {
    CheckEmailPage {
        page: ctx.page("Check your email"),
        reason: "We sent a link to the address you gave. Open it to confirm your address and continue.",
    }
}

#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
    email_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

impl SignInPage {
    /// "invitation" or "invite link" when signing in is on the way to one (`next` is its
    /// page): the page then says it leads back there, and new people are sent back to
    /// sign up from it rather than to a sign-up that joins nothing.
    fn coming_from(&self) -> Option<&'static str> {
        if self.next.starts_with("/invite/") {
            Some("invitation")
        } else if self.next.starts_with("/join/") {
            Some("invite link")
        } else {
            None
        }
    }
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_page(ctx: PageContext, Query(q): Query<NextQuery>) -> SignInPage {
    SignInPage {
        page: ctx.page("Sign in"),
        email: String::new(),
        next: LocalPath::or_root(q.next.as_deref()).into_string(),
        error: None,
        email_error: None,
        password_error: None,
    }
}

async fn sign_in(
    State(svc): State<Services>,
    mut auth: AuthSession,
    ctx: PageContext,
    ip: ClientIp,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let next = LocalPath::or_root(form.next.as_deref()).into_string();
    let (status, error) =
        match signing::sign_in(&svc, &form.email, &form.password, &anonymous(ip)).await? {
            SignInOutcome::SignedIn(account) => {
                session::sign_in(&mut auth, account, svc.clock.now()).await?;
                return Ok(Redirect::to(&next).into_response());
            }
            SignInOutcome::Refused { field, message } => {
                return Ok(refused(ctx, form, next, field, message));
            }
            SignInOutcome::Invalid => (
                StatusCode::UNAUTHORIZED,
                "Email or password is incorrect.".to_string(),
            ),
            SignInOutcome::Unverified => (
                StatusCode::FORBIDDEN,
                "Confirm your email address first: we have just sent a new link to it.".to_string(),
            ),
            SignInOutcome::Throttled { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-ins. Try again in {} minute(s), or reset your password.",
                    (retry_after + 59) / 60
                ),
            ),
        };
    let page = SignInPage {
        page: ctx.page("Sign in"),
        email: form.email,
        next,
        error: Some(error),
        email_error: None,
        password_error: None,
    };
    Ok((status, page).into_response())
}

/// "Email me a sign-in link": the same answer whether or not the address has an account.
async fn email_sign_in_link(
    State(svc): State<Services>,
    ctx: PageContext,
    ip: ClientIp,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let next = LocalPath::or_root(form.next.as_deref()).into_string();
    let refuse = |error: String| {
        let page = SignInPage {
            page: ctx.page("Sign in"),
            email: form.email.clone(),
            next: next.clone(),
            error: Some(error),
            email_error: None,
            password_error: None,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Ok(email) = EmailAddress::parse(&form.email) else {
        return refuse("Enter your email address to get a sign-in link.".to_string());
    };
    let next_path = (next != "/").then_some(next.as_str());
    match account_links::email_sign_in_link(&svc, &email, next_path, &anonymous(ip)).await {
        Ok(()) => Ok(CheckEmailPage {
            page: ctx.page("Check your email"),
            reason: "If this address can sign in to Gatehouse, we have sent a one-time sign-in link to it. Open it on this device to continue.",
        }
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            refuse(errors.get("email").unwrap_or("Try again later.").to_string())
        }
        Err(e) => Err(e.into()),
    }
}

/// The form again with the refusal beside its field.
fn refused(
    ctx: PageContext,
    form: SignInForm,
    next: String,
    field: &str,
    message: &'static str,
) -> Response {
    let email_too_long = field == "email";
    let page = SignInPage {
        page: ctx.page("Sign in"),
        email: form.email,
        next,
        error: None,
        email_error: email_too_long.then_some(message),
        password_error: (!email_too_long).then_some(message),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

async fn sign_out(mut auth: AuthSession) -> AppResult<Redirect> {
    session::sign_out(&mut auth).await?;
    Ok(Redirect::to("/"))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/confirm_link.html")]
struct ConfirmLinkPage {
    page: Page,
    heading: &'static str,
    text: String,
    button: &'static str,
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/link_invalid.html")]
struct LinkInvalidPage {
    page: Page,
}

pub(super) fn link_invalid(ctx: &PageContext) -> Response {
    (
        StatusCode::NOT_FOUND,
        LinkInvalidPage {
            page: ctx.page("This link no longer works"),
        },
    )
        .into_response()
}

/// A one-time link from an email that signs its holder in: its page and its outcome.
struct OneTimeLink {
    purpose: Purpose,
    path: &'static str,
    heading: &'static str,
    intro: &'static str,
    button: &'static str,
    done: &'static str,
}

const VERIFY: OneTimeLink = OneTimeLink {
    purpose: Purpose::VerifyEmail,
    path: "/verify",
    heading: "Confirm your email address",
    intro: "Confirm this is your address to finish signing up:",
    button: "Confirm my address",
    done: "Your email address is confirmed. Welcome to Gatehouse!",
};

const SIGN_IN_LINK: OneTimeLink = OneTimeLink {
    purpose: Purpose::SignIn,
    path: "/sign-in-link",
    heading: "Sign in to your account",
    intro: "This address already has a Gatehouse account:",
    button: "Sign in",
    done: "You are signed in.",
};

async fn verify_page(
    svc: State<Services>,
    ctx: PageContext,
    token: Path<String>,
) -> AppResult<Response> {
    link_page(&VERIFY, svc, ctx, token).await
}

async fn verify(
    svc: State<Services>,
    auth: AuthSession,
    ctx: PageContext,
    ip: ClientIp,
    token: Path<String>,
) -> AppResult<Response> {
    use_link(&VERIFY, svc, auth, ctx, ip, token).await
}

async fn sign_in_link_page(
    svc: State<Services>,
    ctx: PageContext,
    token: Path<String>,
) -> AppResult<Response> {
    link_page(&SIGN_IN_LINK, svc, ctx, token).await
}

async fn sign_in_link(
    svc: State<Services>,
    auth: AuthSession,
    ctx: PageContext,
    ip: ClientIp,
    token: Path<String>,
) -> AppResult<Response> {
    use_link(&SIGN_IN_LINK, svc, auth, ctx, ip, token).await
}

/// GET: shows what the link will do, using nothing up.
async fn link_page(
    link: &OneTimeLink,
    State(svc): State<Services>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(account) = account_links::peek_token(&svc, &token, link.purpose).await? else {
        return Ok(link_invalid(&ctx));
    };
    Ok(ConfirmLinkPage {
        page: ctx.page(link.heading),
        heading: link.heading,
        text: format!("{} {}", link.intro, account.email),
        button: link.button,
        action: format!("{}/{token}", link.path),
    }
    .into_response())
}

/// POST: uses the link up and signs its holder in.
async fn use_link(
    link: &OneTimeLink,
    State(svc): State<Services>,
    mut auth: AuthSession,
    ctx: PageContext,
    ip: ClientIp,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let actor = anonymous(ip);
    match account_links::redeem_link(&svc, &token, link.purpose, &actor).await {
        Ok(used) => {
            let account = used.account;
            // Link sign-ups waiting for this address join now.
            let joined = redeem::complete_signups(&svc, &account.id, &actor).await?;
            let next = LocalPath::or_root(used.next_path.as_deref()).into_string();
            let (to, message) = super::join::after_signups(&joined)
                .unwrap_or_else(|| (next, link.done.to_string()));
            session::sign_in(&mut auth, account, svc.clock.now()).await?;
            session::flash(&auth.session, &message).await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::NotFound) => Ok(link_invalid(&ctx)),
        Err(e) => Err(e.into()),
    }
}
