//! `/api/v1/workspaces/{slug}` and its members: the workspace's facts, the member list
//! by keyset cursor (the Members page's statements), one member, role changes,
//! suspension, removal and Assign seats — each through the service the page calls.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{ApiReader, ApiWriter};
use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::{ApiRole, Done};
use crate::app::AppState;
use crate::services::{Services, members};
use crate::store::member_list::{
    self, Cursor, ListedMember, MemberQuery, SeatFilter, StatusFilter,
};
use crate::store::member_search;
use crate::store::{workspace_settings, workspaces};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{slug}", get(workspace))
        .route("/workspaces/{slug}/members", get(list))
        .route(
            "/workspaces/{slug}/members/{id}",
            get(one).patch(change_role).delete(remove),
        )
        .route("/workspaces/{slug}/members/{id}/suspend", post(suspend))
        .route(
            "/workspaces/{slug}/members/{id}/reactivate",
            post(reactivate),
        )
        .route("/workspaces/{slug}/seats/assign", post(assign_seats))
}

#[derive(Serialize, ToSchema)]
pub struct Seats {
    used: i64,
    total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WorkspaceSettings {
    auto_assign_seats: bool,
    allow_invite_links: bool,
    auto_approve_join_requests: bool,
    discoverable: bool,
    /// `admins` or `everyone`.
    who_may_invite: String,
    invitation_expiry_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WorkspaceOut {
    slug: String,
    name: String,
    plan: String,
    seats: Seats,
    settings: WorkspaceSettings,
}

/// The workspace: name, plan, seats and settings.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}", tag = "workspace",
    params(("slug" = String, Path)),
    responses((status = 200, body = WorkspaceOut), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn workspace(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
) -> ApiResult<Json<WorkspaceOut>> {
    let pool = svc.store.pool();
    let id = &caller.manager.workspace_id;
    let row = workspaces::by_id(pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let ws = workspace_settings::get(pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(WorkspaceOut {
        slug: row.slug,
        name: row.name,
        plan: row.plan,
        seats: Seats {
            used: row.seats_used,
            total: row.seat_count,
        },
        settings: WorkspaceSettings {
            auto_assign_seats: ws.auto_assign_seats == 1,
            allow_invite_links: ws.allow_invite_links == 1,
            auto_approve_join_requests: ws.auto_approve_join_requests == 1,
            discoverable: ws.discoverable == 1,
            who_may_invite: ws.who_may_invite,
            invitation_expiry_days: ws.invitation_expiry_days,
        },
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    display_name: String,
    role: String,
    seat: bool,
    status: String,
    joined_at: i64,
    joined_via: String,
}

impl From<ListedMember> for MemberOut {
    fn from(m: ListedMember) -> Self {
        Self {
            id: m.account_id,
            email: m.email,
            first_name: m.first_name,
            last_name: m.last_name,
            display_name: m.display_name,
            role: m.role,
            seat: m.has_seat == 1,
            status: m.status,
            joined_at: m.joined_at,
            joined_via: m.joined_via,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    members: Vec<MemberOut>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Search by name or address (substring).
    q: Option<String>,
    /// `all` (default), `with` or `without` a seat.
    seat: Option<String>,
    /// `active` (default) or `suspended`.
    status: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<String>,
}

impl ListParams {
    fn query(&self) -> ApiResult<(MemberQuery, Cursor, i64)> {
        let seat = match self.seat.as_deref().unwrap_or("all") {
            "all" => SeatFilter::All,
            "with" => SeatFilter::With,
            "without" => SeatFilter::Without,
            _ => return Err(ApiError::invalid("seat", "Use all, with or without.")),
        };
        let status = match self.status.as_deref().unwrap_or("active") {
            "active" => StatusFilter::Active,
            "suspended" => StatusFilter::Suspended,
            _ => return Err(ApiError::invalid("status", "Use active or suspended.")),
        };
        let limit = super::number(self.limit.as_deref(), "limit", 1, 200, 50)?;
        let cursor = match self.cursor.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() && c.len() <= 64 => Cursor::After(c.to_string()),
            Some(c) if !c.is_empty() => return Err(ApiError::invalid("cursor", "Unknown cursor.")),
            _ => Cursor::None,
        };
        let q = MemberQuery {
            search: member_search::normalize(self.q.as_deref().unwrap_or("")),
            seat,
            status,
            descending: false,
        };
        Ok((q, cursor, limit))
    }
}

/// Members by name, a page at a time (keyset cursor).
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/members", tag = "members",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = MemberPage), (status = 422, body = super::ErrorBody)))]
pub async fn list(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<MemberPage>> {
    let (q, cursor, limit) = params.query()?;
    let ws = &caller.manager.workspace_id;
    let page = member_list::page(&svc.store, ws, &q, 0, &cursor, limit).await?;
    // A cursor naming someone no longer listed would restart from the first page.
    if matches!(cursor, Cursor::After(_)) && !page.has_prev && !page.rows.is_empty() {
        return Err(ApiError::invalid(
            "cursor",
            "That member is no longer listed; start again.",
        ));
    }
    let next_cursor = match page.has_next {
        true => page.rows.last().map(|m| m.account_id.clone()),
        false => None,
    };
    Ok(Json(MemberPage {
        members: page.rows.into_iter().map(MemberOut::from).collect(),
        next_cursor,
    }))
}

/// One member.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/members/{id}", tag = "members",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = MemberOut), (status = 404, body = super::ErrorBody)))]
pub async fn one(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<MemberOut>> {
    member_out(&svc, &caller.manager.workspace_id, &id)
        .await
        .map(Json)
}

async fn member_out(svc: &Services, workspace_id: &str, id: &str) -> ApiResult<MemberOut> {
    member_list::one(svc.store.pool(), workspace_id, id)
        .await?
        .map(MemberOut::from)
        .ok_or_else(ApiError::not_found)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: ApiRole,
}

/// Changes a member's role on the seat rules (409 `no_free_seat` when none is free).
#[utoipa::path(patch, path = "/api/v1/workspaces/{slug}/members/{id}", tag = "members",
    params(("slug" = String, Path), ("id" = String, Path)), request_body = RoleChange,
    responses((status = 200, body = MemberOut), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn change_role(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleChange>,
) -> ApiResult<Json<MemberOut>> {
    members::change_role(&svc, &caller.manager, &id, body.role.into()).await?;
    member_out(&svc, &caller.manager.workspace_id, &id)
        .await
        .map(Json)
}

/// Suspends a member (their seat is freed).
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/members/{id}/suspend", tag = "members",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = MemberOut), (status = 409, body = super::ErrorBody)))]
pub async fn suspend(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<MemberOut>> {
    members::suspend(&svc, &caller.manager, &id).await?;
    member_out(&svc, &caller.manager.workspace_id, &id)
        .await
        .map(Json)
}

/// Reactivates a suspended member (a seat holder needs a free seat).
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/members/{id}/reactivate", tag = "members",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = MemberOut), (status = 409, body = super::ErrorBody)))]
pub async fn reactivate(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<MemberOut>> {
    members::reactivate(&svc, &caller.manager, &id).await?;
    member_out(&svc, &caller.manager.workspace_id, &id)
        .await
        .map(Json)
}

/// Removes a member from the workspace.
#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/members/{id}", tag = "members",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Done), (status = 409, body = super::ErrorBody)))]
pub async fn remove(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    members::remove(&svc, &caller.manager, &id, false).await?;
    Ok(Json(Done::ok()))
}

#[derive(Serialize, ToSchema)]
pub struct SeatsAssigned {
    promoted: i64,
    waiting: i64,
}

/// Promotes active Viewers to Member, oldest first, while seats are free.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/seats/assign", tag = "members",
    params(("slug" = String, Path)),
    responses((status = 200, body = SeatsAssigned)))]
pub async fn assign_seats(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
) -> ApiResult<(StatusCode, Json<SeatsAssigned>)> {
    let done = members::assign_seats(&svc, &caller.manager).await?;
    Ok((
        StatusCode::OK,
        Json(SeatsAssigned {
            promoted: done.promoted,
            waiting: done.waiting,
        }),
    ))
}
