//! The public side of an invite link (`/join/{code}`): the page names the workspace, the
//! role and who shared it and uses nothing up (it counts a visit); signed-in people join,
//! or ask to join, with one click; new people sign up and join once their address is
//! verified. Every code that does not work gets the same 404 page naming no workspace.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::{ClientIp, SignedIn};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{self, AuthSession};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::accounts::SignUpForm;
use crate::services::links::JoinPath;
use crate::services::links::redeem::{self, LinkView, Redeemed, Standing};
use crate::services::{FieldErrors, ServiceError, Services};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/join/{code}", get(show).post(join))
        .route("/join/{code}/sign-up", post(sign_up))
}

#[derive(Template, WebTemplate)]
#[template(path = "join/landing.html")]
struct LandingPage {
    page: Page,
    code: String,
    link: LinkView,
    signed_in: bool,
    form: SignUpForm,
    errors: FieldErrors,
}

impl LandingPage {
    fn asks(&self) -> bool {
        self.link.path == JoinPath::Request
    }

    fn standing_is(&self, s: &str) -> bool {
        let now = match self.link.standing {
            Standing::Outside => "outside",
            Standing::Member => "member",
            Standing::Requested => "requested",
            Standing::Declined => "declined",
        };
        now == s
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "join/gone.html")]
struct GonePage {
    page: Page,
}

/// The one page for unknown, revoked, expired, used-up and switched-off links.
fn gone(ctx: &PageContext) -> Response {
    let page = ctx.page("This link no longer works");
    (StatusCode::NOT_FOUND, GonePage { page }).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "join/outcome.html")]
struct OutcomePage {
    page: Page,
    heading: String,
    text: String,
}

async fn landing(
    svc: &Services,
    ctx: &PageContext,
    auth: &AuthSession,
    code: &str,
    form: SignUpForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let me = auth.user.as_ref().map(|u| &u.account);
    let Some(link) = redeem::peek(svc, code, me).await? else {
        return Ok(gone(ctx));
    };
    if errors.is_empty() {
        // A view of the page, for the link's analytics (not a state change anyone sees
        // beyond the Visits count).
        redeem::count_visit(svc, &link.link_id).await?;
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = LandingPage {
        page: ctx.page(&format!("Join {}", link.workspace_name)),
        code: code.to_string(),
        signed_in: me.is_some(),
        link,
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
    let blank = SignUpForm::default();
    landing(&svc, &ctx, &auth, &code, blank, FieldErrors::default()).await
}

/// One click, signed in: joins, or files a join request when the link needs approval.
async fn join(
    State(svc): State<Services>,
    ctx: PageContext,
    me: SignedIn,
    auth: AuthSession,
    Path(code): Path<String>,
) -> AppResult<Response> {
    match redeem::join(&svc, &code, &me.account, &me.actor()).await {
        Ok(done) => arrive(&ctx, &auth, done).await,
        Err(ServiceError::NotFound) => Ok(gone(&ctx)),
        Err(e) => Err(e.into()),
    }
}

/// Where a redemption leaves the person.
async fn arrive(ctx: &PageContext, auth: &AuthSession, done: Redeemed) -> AppResult<Response> {
    if let Some((to, message)) = destination(&done) {
        session::flash(&auth.session, &message).await?;
        return Ok(Redirect::to(&to).into_response());
    }
    let (heading, text) = match done {
        Redeemed::Requested { workspace } => (
            "Request sent".to_string(),
            format!(
                "An admin of {workspace} will review your request. We will email you the answer."
            ),
        ),
        Redeemed::AlreadyRequested { workspace } => (
            "Request already sent".to_string(),
            format!("Your request to join {workspace} is waiting for an admin."),
        ),
        Redeemed::Declined { workspace } => (
            "Request declined".to_string(),
            format!(
                "Your request to join {workspace} was declined. Ask an admin for an invitation."
            ),
        ),
        _ => return Ok(gone(ctx)),
    };
    let page = ctx.page(&heading);
    Ok(OutcomePage {
        page,
        heading,
        text,
    }
    .into_response())
}

/// Joined (or already in): the workspace and its greeting.
pub(super) fn destination(done: &Redeemed) -> Option<(String, String)> {
    match done {
        Redeemed::Joined { slug, workspace } => Some((
            format!("/w/{slug}"),
            format!("Welcome! You joined {workspace}."),
        )),
        Redeemed::AlreadyMember { slug, workspace } => Some((
            format!("/w/{slug}"),
            format!("You were already a member of {workspace}."),
        )),
        _ => None,
    }
}

/// The flash after an address is proven and waiting link sign-ups are done.
pub(super) fn after_signups(done: &[Redeemed]) -> Option<(String, String)> {
    if let Some(found) = done.iter().find_map(destination) {
        return Some(found);
    }
    done.iter().find_map(|d| match d {
        Redeemed::Requested { workspace } | Redeemed::AlreadyRequested { workspace } => Some((
            "/".to_string(),
            format!("Your address is confirmed. Your request to join {workspace} is waiting for an admin."),
        )),
        Redeemed::Declined { workspace } => Some((
            "/".to_string(),
            format!("Your address is confirmed. Your request to join {workspace} was declined."),
        )),
        Redeemed::Gone => Some((
            "/".to_string(),
            "Your address is confirmed, but the invite link you used no longer works.".to_string(),
        )),
        _ => None,
    })
}

/// Sign-up through the link: "check your email", whatever the address.
async fn sign_up(
    State(svc): State<Services>,
    ctx: PageContext,
    auth: AuthSession,
    ip: ClientIp,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let fields = SignUpForm {
        email: form.get("email").to_string(),
        password: form.get("password").to_string(),
        first_name: form.get("first_name").to_string(),
        last_name: form.get("last_name").to_string(),
        display_name: form.get("display_name").to_string(),
    };
    let avatar =
        crate::services::avatars::reencode_upload(form.into_file("avatar").map(|f| f.bytes))
            .await?;
    let actor = super::auth::anonymous(ip);
    match redeem::sign_up(&svc, &code, &fields, avatar, &actor).await {
        Ok(()) => Ok(Redirect::to("/sign-up/check-email").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let kept = SignUpForm {
                password: String::new(),
                ..fields
            };
            landing(&svc, &ctx, &auth, &code, kept, errors).await
        }
        Err(ServiceError::NotFound) => Ok(gone(&ctx)),
        Err(e) => Err(e.into()),
    }
}
