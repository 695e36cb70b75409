//! The Invite dialog: addresses (typed or a CSV upload), role, teams, the Send invitation
//! by email switch; **Send invites** sends and closes (back to the list with the results),
//! **Invite another** sends and shows the dialog again, cleared, with the results. Opened
//! by htmx into a <dialog>; a page of its own without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::super::extract::Member;
use super::super::form::FormData;
use super::super::page::{Page, PageContext};
use super::super::session::{AuthSession, flash};
use crate::domain::Role;
use crate::error::AppResult;
use crate::services::invitations::{
    self, AddressLine, AddressResult, InviteRequest, parse_csv, split_addresses,
};
use crate::services::{FieldErrors, ServiceError, Services};
use crate::store::teams::{self, TeamRow};
use crate::store::workspace_settings;

/// A role the inviter may give.
pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One address's result line.
pub struct ResultLine {
    pub address: String,
    pub label: String,
    pub ok: bool,
}

/// What the dialog shows.
pub struct DialogView {
    pub slug: String,
    pub roles: Vec<RoleChoice>,
    pub teams: Vec<TeamRow>,
    pub addresses: String,
    pub primary_team: String,
    pub extra_teams: Vec<String>,
    pub send_email: bool,
    pub message: String,
    pub max_message: usize,
    pub quota: String,
    pub needs_approval: bool,
    pub results: Vec<ResultLine>,
    pub errors: FieldErrors,
}

impl DialogView {
    pub fn is_extra(&self, team_id: &str) -> bool {
        self.extra_teams.iter().any(|t| t == team_id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/dialog_page.html")]
struct DialogPage {
    page: Page,
    d: DialogView,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/dialog_fragment.html")]
struct DialogFragment {
    d: DialogView,
}

/// The dialog, empty: anyone who may invite here (others get 403 and whom to ask).
pub async fn show(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
    headers: HeaderMap,
) -> AppResult<Response> {
    let page = ctx.in_workspace(&member, "Invite", "invitations");
    match view(&svc, &member, Role::Member, Blank::default()).await {
        Ok(d) => Ok(render(&headers, page, d)),
        Err(crate::error::AppError::Forbidden) => super::cannot::page(&svc, &member, page).await,
        Err(e) => Err(e),
    }
}

/// What the form held, to show again.
#[derive(Default)]
struct Blank {
    addresses: String,
    primary_team: String,
    extra_teams: Vec<String>,
    send_email: Option<bool>,
    message: String,
    results: Vec<AddressResult>,
    errors: FieldErrors,
}

async fn view(svc: &Services, member: &Member, role: Role, b: Blank) -> AppResult<DialogView> {
    let pool = svc.store.pool();
    let ws = workspace_settings::get(pool, &member.workspace.id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let needs_approval = invitations::needs_approval(member.role, &ws)?;
    let now = svc.clock.now();
    let quota = invitations::quota(pool, svc.invite_quotas, &ws.id, &ws.plan, now).await?;
    let roles = [Role::Admin, Role::Member, Role::Viewer]
        .into_iter()
        .filter(|r| member.role.can_grant(*r))
        .map(|r| RoleChoice {
            value: r.as_str(),
            label: r.label(),
            selected: r == role,
        })
        .collect();
    Ok(DialogView {
        slug: ws.slug,
        roles,
        teams: teams::list(pool, &ws.id).await?,
        addresses: b.addresses,
        primary_team: b.primary_team,
        extra_teams: b.extra_teams,
        send_email: b.send_email.unwrap_or(true),
        message: b.message,
        max_message: invitations::MAX_MESSAGE,
        quota: quota.describe(),
        needs_approval,
        results: b
            .results
            .into_iter()
            .map(|r| ResultLine {
                ok: r.outcome.is_ok(),
                label: r.outcome.label(),
                address: r.address,
            })
            .collect(),
        errors: b.errors,
    })
}

fn render(headers: &HeaderMap, page: Page, d: DialogView) -> Response {
    if crate::web::extract::is_htmx(headers) {
        DialogFragment { d }.into_response()
    } else {
        DialogPage { page, d }.into_response()
    }
}

/// Sends the invitations; see the module comment for what each button does.
pub async fn submit(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
    auth: AuthSession,
    headers: HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    let page = ctx.in_workspace(&member, "Invite", "invitations");
    let role = Role::parse(form.get("role")).unwrap_or(Role::Member);
    let primary_team = form.get("primary_team").to_string();
    let extra_teams = form.all("teams");
    let send_email = form.checked("send_email");
    let addresses = collect_addresses(&form);
    let kept = Blank {
        addresses: form.get("addresses").to_string(),
        primary_team: primary_team.clone(),
        extra_teams: extra_teams.clone(),
        send_email: Some(send_email),
        message: form.get("message").to_string(),
        ..Blank::default()
    };
    let request = addresses.map(|addresses| InviteRequest {
        addresses,
        role,
        primary_team: Some(primary_team).filter(|t| !t.is_empty()),
        extra_teams,
        send_email,
        message: form.get("message").to_string(),
    });
    let outcome = match request {
        Ok(req) => invitations::invite(&svc, &member.manager(), req).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    let results = match outcome {
        Ok(results) => results,
        Err(ServiceError::Invalid(errors)) => {
            let d = view(&svc, &member, role, Blank { errors, ..kept }).await?;
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, render(&headers, page, d)).into_response(),
            );
        }
        Err(e) => return Err(e.into()),
    };
    if form.get("then") == "another" {
        let blank = Blank {
            results,
            send_email: Some(send_email),
            message: form.get("message").to_string(),
            ..Blank::default()
        };
        let d = view(&svc, &member, role, blank).await?;
        return Ok(render(&headers, page, d));
    }
    flash(&auth.session, &summary(&results)).await?;
    let then = if member.role.is_admin() {
        format!("/w/{}/invitations", member.workspace.slug)
    } else {
        format!("/w/{}", member.workspace.slug)
    };
    Ok(crate::error::redirect(
        &then,
        crate::web::extract::is_htmx(&headers),
    ))
}

/// Typed addresses plus those of an uploaded CSV.
fn collect_addresses(form: &FormData) -> Result<Vec<AddressLine>, FieldErrors> {
    let mut lines = split_addresses(form.get("addresses"));
    if let Some(file) = form.file("csv") {
        lines.extend(parse_csv(&file.bytes).map_err(|m| FieldErrors::single("csv", m))?);
    }
    Ok(lines)
}

/// One line per outcome: "Invited: a@x, b@x. Invalid: nope (not an email address)."
fn summary(results: &[AddressResult]) -> String {
    let lines: Vec<String> = results
        .iter()
        .map(|r| format!("{} — {}", r.address, r.outcome.label()))
        .collect();
    let invited = results.iter().filter(|r| r.outcome.is_ok()).count();
    format!(
        "{invited} of {} done: {}.",
        crate::domain::plural::count_of(results.len(), "address", "addresses"),
        lines.join("; ")
    )
}

/// The dialog's form, empty, for a page that embeds it (the first-run page).
pub(crate) async fn blank(svc: &Services, member: &Member) -> AppResult<DialogView> {
    view(svc, member, Role::Member, Blank::default()).await
}
