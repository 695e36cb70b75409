//! Home (my workspaces, create one), a workspace's home page, and the basic Members page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::answer_post;
use super::extract::{Admin, Member, SignedIn};
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::domain::Role;
use crate::error::AppResult;
use crate::services::{FieldErrors, ServiceError, Services, domains, settings, workspaces};
use crate::store::domains::Joinable;
use crate::store::workspaces::{self as workspaces_store, Coordinator};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/workspaces", post(create))
        .route("/w/{slug}", get(workspace_home))
        .route("/w/{slug}/coordinator", post(save_coordinator))
}

#[derive(Template, WebTemplate)]
#[template(path = "home/landing.html")]
struct LandingPage {
    page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Page,
    name: String,
    errors: FieldErrors,
    /// Workspaces that approved the person's address's domain.
    joinable: Vec<Joinable>,
}

async fn home(
    State(svc): State<Services>,
    auth: AuthSession,
    ctx: PageContext,
) -> AppResult<Response> {
    let Some(user) = &auth.user else {
        return Ok(LandingPage {
            page: ctx.page("Gatehouse"),
        }
        .into_response());
    };
    Ok(HomePage {
        page: ctx.page("Your workspaces"),
        name: String::new(),
        errors: FieldErrors::default(),
        joinable: domains::joinable(&svc, &user.account).await?,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
}

async fn create(
    State(svc): State<Services>,
    me: SignedIn,
    ctx: PageContext,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    match workspaces::create(&svc, &me.account.id, &form.name, &me.actor()).await {
        Ok(slug) => Ok(Redirect::to(&format!("/w/{slug}/welcome")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = HomePage {
                page: ctx.page("Your workspaces"),
                name: form.name,
                errors,
                joinable: domains::joinable(&svc, &me.account).await?,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "workspace/home.html")]
struct WorkspaceHome {
    page: Page,
    role: Role,
    has_seat: bool,
    coordinator: Coordinator,
    errors: FieldErrors,
    /// Whether this member may open the Invite dialog (admins; everyone when allowed).
    may_invite: bool,
    /// Why a newcomer is a Viewer: no seat was free when they joined (`None` otherwise).
    seat_notice: Option<String>,
    /// Whom to ask, for a member who may not invite.
    who: Option<crate::web::invitations::cannot::WhoCanInvite>,
}

async fn workspace_home(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
) -> AppResult<WorkspaceHome> {
    let pool = svc.store.pool();
    let coordinator = workspaces_store::coordinator(pool, &member.workspace.id).await?;
    let settings = crate::store::workspace_settings::get(pool, &member.workspace.id).await?;
    let may_invite = settings
        .is_some_and(|ws| crate::services::invitations::needs_approval(member.role, &ws).is_ok());
    let mut page = home_page(&ctx, &member, coordinator, FieldErrors::default());
    page.may_invite = may_invite;
    if crate::store::members::is_seat_waiting(
        pool,
        &member.workspace.id,
        &member.signed_in.account.id,
    )
    .await?
    {
        page.seat_notice = Some(crate::services::joining::seat_waiting_sentence(
            &member.workspace.name,
        ));
    }
    if !may_invite {
        let who = crate::web::invitations::cannot::WhoCanInvite::load(&svc, &member.workspace.id);
        page.who = Some(who.await?);
    }
    Ok(page)
}

fn home_page(
    ctx: &PageContext,
    member: &Member,
    coordinator: Coordinator,
    errors: FieldErrors,
) -> WorkspaceHome {
    WorkspaceHome {
        page: ctx.in_workspace(member, "Home", "home"),
        role: member.role,
        has_seat: member.membership.has_seat == 1,
        coordinator,
        errors,
        may_invite: member.role.is_admin(),
        seat_notice: None,
        who: None,
    }
}

async fn save_coordinator(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Form(card): Form<Coordinator>,
) -> AppResult<Response> {
    let outcome = settings::set_coordinator(&svc, &member.manager(), card.clone()).await;
    let then = format!("/w/{}", member.workspace.slug);
    answer_post(
        outcome,
        &auth.session,
        "The coordinator card is saved.",
        &then,
        |errors| async move { Ok(home_page(&ctx, &member, card, errors)) },
    )
    .await
}
