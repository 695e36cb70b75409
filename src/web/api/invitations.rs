//! `/api/v1/workspaces/{slug}/invitations`: invite by address (one result per address,
//! as in the Invite dialog), list by status, resend and revoke — through the
//! invitation workflows the pages call.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{ApiReader, ApiWriter};
use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::{ApiRole, Done};
use crate::app::AppState;
use crate::services::Services;
use crate::services::invitations::{self, AddressLine, InviteRequest};
use crate::store::invitation_list::{self, InvitationFilter, ListedInvitation};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{slug}/invitations", get(list).post(invite))
        .route("/workspaces/{slug}/invitations/{id}/resend", post(resend))
        .route("/workspaces/{slug}/invitations/{id}", delete(revoke))
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    emails: Vec<String>,
    role: ApiRole,
    /// Team ids: the first is the primary team.
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default = "yes")]
    send_email: bool,
    #[serde(default)]
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct AddressOut {
    email: String,
    ok: bool,
    /// As the Invite dialog says it: `invited`, `already a member`, `invalid: …`.
    result: String,
}

#[derive(Serialize, ToSchema)]
pub struct InviteResults {
    results: Vec<AddressOut>,
}

/// Invites each address; one result per address, in the order given.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/invitations", tag = "invitations",
    params(("slug" = String, Path)), request_body = InviteBody,
    responses((status = 200, body = InviteResults), (status = 422, body = super::ErrorBody)))]
pub async fn invite(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    ApiJson(body): ApiJson<InviteBody>,
) -> ApiResult<Json<InviteResults>> {
    let mut teams = body.teams.into_iter();
    let req = InviteRequest {
        addresses: body.emails.iter().map(|e| AddressLine::plain(e)).collect(),
        role: body.role.into(),
        primary_team: teams.next(),
        extra_teams: teams.collect(),
        send_email: body.send_email,
        message: body.message,
    };
    let results = invitations::invite(&svc, &caller.manager, req).await?;
    Ok(Json(InviteResults {
        results: results
            .into_iter()
            .map(|r| AddressOut {
                ok: r.outcome.is_ok(),
                result: r.outcome.label(),
                email: r.address,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    id: String,
    email: String,
    role: String,
    /// `pending`, `awaiting_approval`, `accepted` or `revoked` (an expired one is pending
    /// with `expires_at` past).
    status: String,
    invited_by: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl From<ListedInvitation> for InvitationOut {
    fn from(i: ListedInvitation) -> Self {
        Self {
            id: i.id,
            email: i.email,
            role: i.role,
            status: i.status,
            invited_by: i.inviter_name,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationPage {
    invitations: Vec<InvitationOut>,
    /// Pass as `offset` for the next page; `null` on the last.
    next_offset: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// `all` (default), `pending`, `awaiting_approval`, `accepted`, `expired`, `revoked`.
    status: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<String>,
    offset: Option<String>,
}

const STATUSES: [&str; 6] = [
    "all",
    "pending",
    "awaiting_approval",
    "accepted",
    "expired",
    "revoked",
];

/// Invitations, newest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/invitations", tag = "invitations",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = InvitationPage), (status = 422, body = super::ErrorBody)))]
pub async fn list(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<InvitationPage>> {
    let status = params.status.as_deref().unwrap_or("all");
    if !STATUSES.contains(&status) {
        return Err(ApiError::invalid(
            "status",
            format!("Use one of {}.", STATUSES.join(", ")),
        ));
    }
    let limit = super::number(params.limit.as_deref(), "limit", 1, 200, 50)?;
    let offset = super::number(params.offset.as_deref(), "offset", 0, i64::MAX, 0)?;
    let filter = InvitationFilter::parse(status);
    let pool = svc.store.pool();
    let ws = &caller.manager.workspace_id;
    let now = svc.clock.now();
    let mut rows = invitation_list::page(pool, ws, filter, "", now, limit + 1, offset).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok(Json(InvitationPage {
        next_offset: more.then_some(offset + limit),
        invitations: rows.into_iter().map(InvitationOut::from).collect(),
    }))
}

/// Sends a pending invitation again with a renewed expiry.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/invitations/{id}/resend", tag = "invitations",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Done), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn resend(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    invitations::resend(&svc, &caller.manager, &id).await?;
    Ok(Json(Done::ok()))
}

/// Revokes a pending invitation.
#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/invitations/{id}", tag = "invitations",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Done), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn revoke(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    invitations::revoke(&svc, &caller.manager, &id).await?;
    Ok(Json(Done::ok()))
}
