//! The Teams page (Owners and Admins): create, rename and delete teams; add and remove
//! members; choose a member's primary team. An Admin sees no buttons for an Owner's teams
//! (the service refuses them anyway).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::answer_post;
use super::extract::{Admin, Member};
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::domain::Role;
use crate::error::AppResult;
use crate::services::{FieldErrors, ServiceResult, Services, teams};
use crate::store::teams::{self as store, TeamMember, TeamRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/teams", get(show).post(create))
        .route("/w/{slug}/teams/{team_id}/rename", post(rename))
        .route("/w/{slug}/teams/{team_id}/delete", post(delete))
        .route("/w/{slug}/teams/{team_id}/members", post(add_member))
        .route(
            "/w/{slug}/teams/{team_id}/members/{account_id}/remove",
            post(remove_member),
        )
        .route(
            "/w/{slug}/teams/{team_id}/members/{account_id}/primary",
            post(set_primary),
        )
}

/// A team and its members, as the page shows them.
struct TeamView {
    team: TeamRow,
    members: Vec<TeamMember>,
}

#[derive(Template, WebTemplate)]
#[template(path = "teams/index.html")]
struct TeamsPage {
    page: Page,
    slug: String,
    teams: Vec<TeamView>,
    /// Owners change anyone's teams; Admins never an Owner's.
    is_owner: bool,
    /// Which form the errors belong to: a team id, or "new".
    error_for: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
struct TeamForm {
    #[serde(default)]
    team_name: String,
    #[serde(default)]
    email: String,
}

async fn teams_page(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    error_for: &str,
    errors: FieldErrors,
) -> AppResult<TeamsPage> {
    let pool = svc.store.pool();
    let mut all_members = store::members_of_workspace(pool, &member.workspace.id).await?;
    let teams = store::list(pool, &member.workspace.id)
        .await?
        .into_iter()
        .map(|team| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                all_members.drain(..).partition(|m| m.team_id == team.id);
            all_members = rest;
            TeamView {
                team,
                members: mine,
            }
        })
        .collect();
    Ok(TeamsPage {
        page: ctx.in_workspace(member, "Teams", "teams"),
        slug: member.workspace.slug.clone(),
        teams,
        is_owner: member.role == Role::Owner,
        error_for: error_for.to_string(),
        errors,
    })
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<TeamsPage> {
    teams_page(&svc, &ctx, &member, "", FieldErrors::default()).await
}

/// Done: a message and back to the Teams page; refused: the page again with the reason.
async fn answer(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    auth: &AuthSession,
    form_id: &str,
    outcome: ServiceResult<()>,
    done: &str,
) -> AppResult<Response> {
    let then = format!("/w/{}/teams", member.workspace.slug);
    answer_post(outcome, &auth.session, done, &then, |errors| {
        teams_page(svc, ctx, member, form_id, errors)
    })
    .await
}

async fn create(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Form(f): Form<TeamForm>,
) -> AppResult<Response> {
    let outcome = teams::create(&svc, &m.manager(), &f.team_name).await;
    answer(&svc, &ctx, &m, &auth, "new", outcome, "Team created.").await
}

async fn rename(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Path((_, team)): Path<(String, String)>,
    Form(f): Form<TeamForm>,
) -> AppResult<Response> {
    let outcome = teams::rename(&svc, &m.manager(), &team, &f.team_name).await;
    answer(&svc, &ctx, &m, &auth, &team, outcome, "Team renamed.").await
}

async fn delete(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Path((_, team)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = teams::delete(&svc, &m.manager(), &team).await;
    answer(&svc, &ctx, &m, &auth, &team, outcome, "Team deleted.").await
}

async fn add_member(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Path((_, team)): Path<(String, String)>,
    Form(f): Form<TeamForm>,
) -> AppResult<Response> {
    let outcome = teams::add_member(&svc, &m.manager(), &team, &f.email).await;
    answer(&svc, &ctx, &m, &auth, &team, outcome, "Added to the team.").await
}

async fn remove_member(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Path((_, team, account)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let outcome = teams::remove_member(&svc, &m.manager(), &team, &account).await;
    answer(
        &svc,
        &ctx,
        &m,
        &auth,
        &team,
        outcome,
        "Removed from the team.",
    )
    .await
}

async fn set_primary(
    State(svc): State<Services>,
    Admin(m): Admin,
    auth: AuthSession,
    ctx: PageContext,
    Path((_, team, account)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let outcome = teams::set_primary(&svc, &m.manager(), &team, &account).await;
    answer(&svc, &ctx, &m, &auth, &team, outcome, "Primary team set.").await
}
