//! The first-run page a new workspace opens on (seed 004 "During onboarding"): the Member
//! link ready to copy, a default team to create (the link then puts joiners in it) and the
//! invite-by-email form; **Skip for now** goes to Members. Admins only, like the links.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::answer_post;
use super::extract::Admin;
use super::form::FormData;
use super::invitations::dialog::{self, DialogView};
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::{FieldErrors, Services, links, onboarding};
use crate::store::links as link_store;
use crate::store::teams::{self, TeamRow};
use crate::store::workspace_settings;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/welcome", get(show))
        .route("/w/{slug}/welcome/team", post(create_team))
        .route("/w/{slug}/welcome/link", post(create_link))
}

/// The name the default team field starts with.
const DEFAULT_TEAM: &str = "General";

#[derive(Template, WebTemplate)]
#[template(path = "onboarding/index.html")]
struct WelcomePage {
    page: Page,
    slug: String,
    workspace: String,
    /// This person's newest live Member link, and the team it puts joiners in.
    link: Option<String>,
    link_team: Option<String>,
    links_on: bool,
    teams: Vec<TeamRow>,
    team_name: String,
    errors: FieldErrors,
    d: DialogView,
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<WelcomePage> {
    welcome(
        &svc,
        &ctx,
        &member,
        DEFAULT_TEAM.to_string(),
        FieldErrors::default(),
    )
    .await
}

async fn welcome(
    svc: &Services,
    ctx: &PageContext,
    member: &super::extract::Member,
    team_name: String,
    errors: FieldErrors,
) -> AppResult<WelcomePage> {
    let pool = svc.store.pool();
    let ws = &member.workspace;
    let settings = workspace_settings::get(pool, &ws.id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let teams = teams::list(pool, &ws.id).await?;
    let now = svc.clock.now();
    let newest = link_store::list(pool, &ws.id, Some(&member.signed_in.account.id))
        .await?
        .into_iter()
        .find(|l| l.role == "member" && links::path_of(&settings, l, now).is_some());
    let link_team = newest.as_ref().and_then(|l| {
        let id = l.primary_team_id.as_deref()?;
        teams.iter().find(|t| t.id == id).map(|t| t.name.clone())
    });
    Ok(WelcomePage {
        page: ctx.in_workspace(member, "Welcome", "welcome"),
        slug: ws.slug.clone(),
        workspace: ws.name.clone(),
        link: newest.as_ref().map(|l| links::url(svc, l)),
        link_team,
        links_on: settings.allow_invite_links != 0,
        teams,
        team_name,
        errors,
        d: dialog::blank(svc, member).await?,
    })
}

/// Creates the default team and the Member link that puts joiners in it.
async fn create_team(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let name = form.get("team_name").to_string();
    let outcome = onboarding::create_default_team(&svc, &member.manager(), &name).await;
    let then = format!("/w/{}/welcome", member.workspace.slug);
    let done = "The team is created. People who join through the link below join it.";
    answer_post(outcome, &auth.session, done, &then, |errors| async move {
        welcome(&svc, &ctx, &member, name, errors).await
    })
    .await
}

/// Makes this person's Member link (when they have no live one) and shows it.
async fn create_link(State(svc): State<Services>, Admin(member): Admin) -> AppResult<Response> {
    links::ensure_default(&svc, &member.manager()).await?;
    let then = format!("/w/{}/welcome", member.workspace.slug);
    Ok(Redirect::to(&then).into_response())
}
