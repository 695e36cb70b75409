//! Invite Team → Invite links: the list of links (all of them for admins, their own for
//! Members when everyone may invite), Create link, Regenerate, Revoke, Copy link and the
//! per-link email switch. Opening the page from the Invite Team menu is a POST that makes
//! the person's Member link on their first visit (no GET changes anything).

mod detail;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::Member;
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::clock::format_date;
use crate::domain::Role;
use crate::error::AppResult;
use crate::services::links::{self, LinkExpiry, LinkSpec, parse_max_uses, path_of, sharer_path};
use crate::services::{FieldErrors, ServiceError, ServiceResult, Services};
use crate::store::links::{self as link_store, LinkRow};
use crate::store::teams::{self, TeamRow};
use crate::store::workspace_settings::{self, JoinSettings};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/links", get(show).post(create))
        .route("/w/{slug}/links/open", post(open))
        .route("/w/{slug}/links/share", post(share))
        .route("/w/{slug}/links/{id}", get(detail::show))
        .route("/w/{slug}/links/{id}/regenerate", post(regenerate))
        .route("/w/{slug}/links/{id}/revoke", post(revoke))
        .route("/w/{slug}/links/{id}/notify", post(notify))
}

/// An option of a select.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One link as the list shows it.
pub struct LinkItem {
    pub id: String,
    pub url: String,
    /// The code at the end of the link, shown on its own so it can be read out.
    pub code: String,
    pub role: &'static str,
    pub teams: String,
    pub creator: String,
    pub uses: String,
    pub visits: i64,
    pub joins: i64,
    pub created: String,
    /// "2026-12-06 14:57 UTC", or "Never".
    pub expires: String,
    /// The same moment for `<time datetime>`, empty for "Never".
    pub expires_iso: String,
    pub status: &'static str,
    pub usable: bool,
    pub revoked: bool,
    pub mine: bool,
    pub notify: bool,
}

impl LinkItem {
    fn new(svc: &Services, ws: &JoinSettings, l: LinkRow, ctx: &ListCtx) -> Self {
        let now = svc.clock.now();
        let status = status_of(ws, &l, now);
        let teams: Vec<String> = l
            .primary_team_id
            .iter()
            .filter_map(|id| ctx.team_name(id))
            .map(|n| format!("{n} (primary)"))
            .chain(
                ctx.extra_teams
                    .iter()
                    .filter(|(id, _)| *id == l.id)
                    .map(|(_, n)| n.clone()),
            )
            .collect();
        let url = links::url(svc, &l);
        Self {
            code: url.rsplit('/').next().unwrap_or_default().to_string(),
            url,
            role: Role::parse(&l.role).unwrap_or(Role::Viewer).label(),
            teams: teams.join(", "),
            creator: l.creator_name.clone().unwrap_or_else(|| "—".into()),
            uses: match l.max_uses {
                Some(max) => format!("{} / {max}", l.uses),
                None => format!("{} / unlimited", l.uses),
            },
            visits: l.visits,
            joins: ctx.joins_of(&l.id),
            created: format_date(l.created_at),
            expires: l
                .expires_at
                .map_or_else(|| "Never".into(), |t| utc(t, "%Y-%m-%d %H:%M UTC")),
            expires_iso: l
                .expires_at
                .map_or_else(String::new, |t| utc(t, "%Y-%m-%dT%H:%M:%SZ")),
            usable: status == "Active" || status == "Needs approval",
            revoked: l.revoked_at.is_some(),
            mine: l.created_by.as_deref() == Some(ctx.me.as_str()),
            notify: l.notify_creator == 1,
            status,
            id: l.id,
        }
    }
}

/// A moment in UTC, formatted.
fn utc(unix: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(String::new, |d| d.format(format).to_string())
}

fn status_of(ws: &JoinSettings, l: &LinkRow, now: i64) -> &'static str {
    if l.revoked_at.is_some() {
        "Revoked"
    } else if l.expires_at.is_some_and(|t| t <= now) {
        "Expired"
    } else if l.max_uses.is_some_and(|m| l.uses >= m) {
        "Used up"
    } else if ws.allow_invite_links == 0 {
        "Links off"
    } else {
        match path_of(ws, l, now) {
            Some(links::JoinPath::Direct) => "Active",
            Some(links::JoinPath::Request) => "Needs approval",
            None => "Creator cannot share",
        }
    }
}

/// What every row needs besides its own link.
struct ListCtx {
    me: String,
    teams: Vec<TeamRow>,
    extra_teams: Vec<(String, String)>,
    joins: Vec<(String, i64)>,
}

impl ListCtx {
    fn team_name(&self, id: &str) -> Option<String> {
        self.teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
    }

    fn joins_of(&self, link_id: &str) -> i64 {
        self.joins
            .iter()
            .find(|(id, _)| id == link_id)
            .map_or(0, |(_, n)| *n)
    }
}

/// The Create link form, blank or as submitted.
pub struct CreateForm {
    pub roles: Vec<Choice>,
    pub expiries: Vec<Choice>,
    pub teams: Vec<TeamRow>,
    pub primary_team: String,
    pub extra_teams: Vec<String>,
    pub max_uses: String,
    pub notify: bool,
    pub errors: FieldErrors,
}

impl CreateForm {
    pub fn is_extra(&self, team_id: &str) -> bool {
        self.extra_teams.iter().any(|t| t == team_id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "links/index.html")]
struct LinksPage {
    page: Page,
    slug: String,
    items: Vec<LinkItem>,
    form: CreateForm,
    links_off: bool,
    needs_approval: bool,
}

/// The form as submitted (or blank), for showing again.
struct Submitted {
    role: Role,
    expiry: LinkExpiry,
    primary_team: String,
    extra_teams: Vec<String>,
    max_uses: String,
    notify: bool,
}

impl Default for Submitted {
    fn default() -> Self {
        Self {
            role: Role::Member,
            expiry: LinkExpiry::default(),
            primary_team: String::new(),
            extra_teams: Vec::new(),
            max_uses: String::new(),
            notify: true,
        }
    }
}

async fn render(
    svc: &Services,
    member: &Member,
    ctx: &PageContext,
    s: Submitted,
    errors: FieldErrors,
) -> AppResult<Response> {
    let pool = svc.store.pool();
    let ws = workspace_settings::get(pool, &member.workspace.id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let path = sharer_path(member.role, &ws).ok_or(crate::error::AppError::Forbidden)?;
    let me = member.signed_in.account.id.clone();
    let only_mine = (!member.role.is_admin()).then_some(me.as_str());
    let list_ctx = ListCtx {
        teams: teams::list(pool, &ws.id).await?,
        extra_teams: link_store::extra_team_names(pool, &ws.id).await?,
        joins: link_store::join_counts(pool, &ws.id).await?,
        me: me.clone(),
    };
    let items = link_store::list(pool, &ws.id, only_mine)
        .await?
        .into_iter()
        .map(|l| LinkItem::new(svc, &ws, l, &list_ctx))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form = CreateForm {
        roles: [Role::Admin, Role::Member, Role::Viewer]
            .into_iter()
            .filter(|r| member.role.can_grant(*r))
            .map(|r| Choice {
                value: r.as_str(),
                label: r.label(),
                selected: r == s.role,
            })
            .collect(),
        expiries: LinkExpiry::ALL
            .into_iter()
            .map(|e| Choice {
                value: e.as_str(),
                label: e.label(),
                selected: e == s.expiry,
            })
            .collect(),
        teams: list_ctx.teams,
        primary_team: s.primary_team,
        extra_teams: s.extra_teams,
        max_uses: s.max_uses,
        notify: s.notify,
        errors,
    };
    let page = LinksPage {
        page: ctx.in_workspace(member, "Invite links", "links"),
        slug: ws.slug.clone(),
        items,
        form,
        links_off: ws.allow_invite_links == 0,
        needs_approval: path == links::JoinPath::Request,
    };
    Ok((status, page).into_response())
}

async fn show(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
) -> AppResult<Response> {
    render(
        &svc,
        &member,
        &ctx,
        Submitted::default(),
        FieldErrors::default(),
    )
    .await
}

/// Invite Team → Invite links: makes this person's Member link on the first visit.
async fn open(State(svc): State<Services>, member: Member) -> AppResult<Response> {
    links::ensure_default(&svc, &member.manager()).await?;
    Ok(Redirect::to(&format!("/w/{}/links", member.workspace.slug)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "links/_share.html")]
struct ShareFragment {
    slug: String,
    workspace: String,
    url: Option<String>,
    expires: String,
    needs_approval: bool,
}

/// Invite Team → Invite by link: makes this person's Member link if need be and shows it
/// with a Copy button in the dialog (htmx); without JavaScript, the Invite links page.
async fn share(
    State(svc): State<Services>,
    member: Member,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    links::ensure_default(&svc, &member.manager()).await?;
    let slug = member.workspace.slug.clone();
    if !crate::web::extract::is_htmx(&headers) {
        return Ok(Redirect::to(&format!("/w/{slug}/links")).into_response());
    }
    let pool = svc.store.pool();
    let ws = workspace_settings::get(pool, &member.workspace.id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let me = member.signed_in.account.id.as_str();
    let now = svc.clock.now();
    let link = link_store::list(pool, &ws.id, Some(me))
        .await?
        .into_iter()
        .find(|l| {
            l.role == "member" && matches!(status_of(&ws, l, now), "Active" | "Needs approval")
        });
    Ok(ShareFragment {
        workspace: member.workspace.name.clone(),
        url: link.as_ref().map(|l| links::url(&svc, l)),
        expires: link
            .as_ref()
            .and_then(|l| l.expires_at)
            .map_or_else(|| "never".into(), |t| utc(t, "%Y-%m-%d %H:%M UTC")),
        needs_approval: link.is_some_and(|l| status_of(&ws, &l, now) == "Needs approval"),
        slug,
    }
    .into_response())
}

async fn create(
    State(svc): State<Services>,
    member: Member,
    ctx: PageContext,
    auth: AuthSession,
    form: FormData,
) -> AppResult<Response> {
    let submitted = Submitted {
        role: Role::parse(form.get("role")).unwrap_or(Role::Member),
        expiry: LinkExpiry::parse(form.get("expiry")).unwrap_or_default(),
        primary_team: form.get("primary_team").to_string(),
        extra_teams: form.all("teams"),
        max_uses: form.get("max_uses").to_string(),
        notify: form.checked("notify"),
    };
    let outcome = match parse_max_uses(&submitted.max_uses) {
        Ok(max_uses) => {
            let spec = LinkSpec {
                role: submitted.role,
                primary_team: Some(submitted.primary_team.clone()).filter(|t| !t.is_empty()),
                extra_teams: submitted.extra_teams.clone(),
                max_uses,
                expiry: submitted.expiry,
                notify_creator: submitted.notify,
            };
            links::create(&svc, &member.manager(), &spec).await
        }
        Err(m) => Err(ServiceError::Invalid(FieldErrors::single("max_uses", m))),
    };
    match outcome {
        Ok(_) => {
            flash(&auth.session, "Link created. Copy it and share it.").await?;
            Ok(Redirect::to(&format!("/w/{}/links", member.workspace.slug)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => render(&svc, &member, &ctx, submitted, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// A row action's answer: a message (or the refusal) and back to the list.
async fn back_to_list(
    auth: &AuthSession,
    member: &Member,
    outcome: ServiceResult<()>,
    done: &str,
) -> AppResult<Response> {
    let message = match outcome {
        Ok(()) => done.to_string(),
        Err(ServiceError::Invalid(errors)) => errors
            .get("link")
            .unwrap_or("That did not work.")
            .to_string(),
        Err(e) => return Err(e.into()),
    };
    flash(&auth.session, &message).await?;
    Ok(Redirect::to(&format!("/w/{}/links", member.workspace.slug)).into_response())
}

async fn regenerate(
    State(svc): State<Services>,
    member: Member,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = links::regenerate(&svc, &member.manager(), &id).await;
    let done = "Link regenerated: the old link no longer works.";
    back_to_list(&auth, &member, outcome, done).await
}

async fn revoke(
    State(svc): State<Services>,
    member: Member,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let outcome = links::revoke(&svc, &member.manager(), &id).await;
    back_to_list(&auth, &member, outcome, "Link revoked.").await
}

async fn notify(
    State(svc): State<Services>,
    member: Member,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let on = form.get("notify") == "on";
    let outcome = links::set_notify(&svc, &member.manager(), &id, on).await;
    let done = if on {
        "You will get an email when someone joins through this link."
    } else {
        "No more emails about joins through this link."
    };
    back_to_list(&auth, &member, outcome, done).await
}
