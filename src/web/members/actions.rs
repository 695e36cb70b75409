//! What the Members page's buttons do. With htmx the answer is the changed row plus the
//! seat bar (out of band); without it, a redirect back to the same list with a message.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::view::{MemberRow, Seats, member_row, team_tags};
use crate::app::AppState;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::members::{self, Manager};
use crate::services::{FieldErrors, ServiceError, ServiceResult, Services};
use crate::store::{member_list, teams, workspaces};
use crate::web::extract::{Admin, Member};
use crate::web::session::{AuthSession, flash};

#[derive(Template, WebTemplate)]
#[template(path = "members/row_fragment.html")]
struct RowFragment {
    r: Option<MemberRow>,
    seats: Seats,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    back: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    enabled: Option<String>,
    /// On removal: also revoke the open invitations and invite links this person created
    /// (ticked by default).
    #[serde(default)]
    revoke_created: Option<String>,
}

/// Where a plain form goes back to: the list it came from, never elsewhere.
pub(super) fn back_to(member: &Member, back: &str) -> String {
    let list = format!("/w/{}/members", member.workspace.slug);
    if back == list || back.starts_with(&format!("{list}?")) {
        back.to_string()
    } else {
        list
    }
}

/// Everything a row action needs, extracted once: who acts (an Owner or Admin of the
/// workspace in the URL), on whom, and the posted form.
pub struct RowAction {
    svc: Services,
    member: Member,
    auth: AuthSession,
    htmx: bool,
    account_id: String,
    form: ActionForm,
}

impl FromRequest<AppState> for RowAction {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Admin(member) = Admin::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let auth = AuthSession::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path((_, account_id)) = Path::<(String, String)>::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| AppError::NotFound.into_response())?;
        let htmx = crate::web::extract::is_htmx(&parts.headers);
        let Form(form) = Form::<ActionForm>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            svc: state.services.clone(),
            member,
            auth,
            htmx,
            account_id,
            form,
        })
    }
}

impl RowAction {
    fn manager(&self) -> Manager {
        self.member.manager()
    }

    /// Where a plain form goes back to: the member's own page when it came from there
    /// (its Manage card), else the list it came from.
    fn back(&self) -> String {
        let own_page = format!(
            "/w/{}/members/{}",
            self.member.workspace.slug, self.account_id
        );
        if self.form.back == own_page {
            own_page
        } else {
            back_to(&self.member, &self.form.back)
        }
    }

    /// Answers: the changed row and the seat bar for htmx (422 with the reason beside the
    /// row when refused), or a redirect back to the same list with a message.
    async fn respond(self, outcome: ServiceResult<()>, done: &str) -> AppResult<Response> {
        let error = match outcome {
            Ok(()) => None,
            Err(ServiceError::Invalid(errors)) => Some(
                errors
                    .get("member")
                    .unwrap_or("That change is not allowed.")
                    .to_string(),
            ),
            Err(e) => return Err(e.into()),
        };
        if !self.htmx {
            flash(&self.auth.session, error.as_deref().unwrap_or(done)).await?;
            return Ok(Redirect::to(&self.back()).into_response());
        }
        let pool = self.svc.store.pool();
        let workspace_id = &self.member.workspace.id;
        let workspace = workspaces::by_id(pool, workspace_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let ids = [self.account_id.clone()];
        let teams = team_tags(teams::of_accounts(pool, workspace_id, &ids).await?)
            .remove(&self.account_id)
            .unwrap_or_default();
        let pictures = crate::store::avatars::versions(&self.svc.store, &ids).await?;
        let row = member_list::one(pool, workspace_id, &self.account_id)
            .await?
            .map(|m| {
                let mut row = member_row(
                    &self.member.workspace.slug,
                    m,
                    self.member.role,
                    &self.member.signed_in.account.id,
                    error.clone(),
                    teams,
                );
                row.avatar = crate::store::avatars::path(&row.account_id, &pictures);
                row
            });
        let fragment = RowFragment {
            r: row,
            seats: Seats {
                used: workspace.seats_used,
                count: workspace.seat_count,
            },
        };
        let status = if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        Ok((status, fragment).into_response())
    }
}

pub async fn change_role(act: RowAction) -> AppResult<Response> {
    let outcome = match Role::parse(&act.form.role) {
        Some(role) => members::change_role(&act.svc, &act.manager(), &act.account_id, role).await,
        None => Err(ServiceError::Invalid(FieldErrors::single(
            "member",
            "Choose a role.",
        ))),
    };
    act.respond(outcome, "Role changed.").await
}

pub async fn suspend(act: RowAction) -> AppResult<Response> {
    let outcome = members::suspend(&act.svc, &act.manager(), &act.account_id).await;
    act.respond(outcome, "Member suspended.").await
}

pub async fn reactivate(act: RowAction) -> AppResult<Response> {
    let outcome = members::reactivate(&act.svc, &act.manager(), &act.account_id).await;
    act.respond(outcome, "Member reactivated.").await
}

pub async fn remove(act: RowAction) -> AppResult<Response> {
    let revoke_created = act.form.revoke_created.is_some();
    let outcome = members::remove(&act.svc, &act.manager(), &act.account_id, revoke_created).await;
    act.respond(outcome, "Removed from the workspace.").await
}

pub async fn assign_seats(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let result = members::assign_seats(&svc, &member.manager()).await?;
    let message = format!(
        "Assigned seats: {} promoted to Member, {} still waiting for a seat.",
        result.promoted, result.waiting
    );
    flash(&auth.session, &message).await?;
    Ok(Redirect::to(&back_to(&member, &form.back)).into_response())
}

pub async fn auto_assign(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let on = form.enabled.is_some();
    members::set_auto_assign(&svc, &member.manager(), on).await?;
    let message = if on {
        "Auto-assign seats is on."
    } else {
        "Auto-assign seats is off."
    };
    flash(&auth.session, message).await?;
    Ok(Redirect::to(&back_to(&member, &form.back)).into_response())
}
