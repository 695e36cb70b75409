//! `/api/v1/workspaces/{slug}/links`: invite links — list, create (role, teams,
//! max_uses, expires_in), regenerate and revoke — through the link workflows the pages
//! call.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{ApiReader, ApiWriter};
use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::{ApiRole, Done};
use crate::app::AppState;
use crate::services::Services;
use crate::services::links::{self, LinkExpiry, LinkSpec, MAX_USES_LIMIT};
use crate::store::links::{self as store, LinkRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{slug}/links", get(list).post(create))
        .route("/workspaces/{slug}/links/{id}/regenerate", post(regenerate))
        .route("/workspaces/{slug}/links/{id}", delete(revoke))
}

#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    id: String,
    url: String,
    role: String,
    max_uses: Option<i64>,
    uses: i64,
    expires_at: Option<i64>,
    revoked: bool,
    live: bool,
    created_at: i64,
}

fn link_out(svc: &Services, l: LinkRow) -> LinkOut {
    let now = svc.clock.now();
    LinkOut {
        url: links::url(svc, &l),
        live: l.is_live(now),
        revoked: l.revoked_at.is_some(),
        id: l.id,
        role: l.role,
        max_uses: l.max_uses,
        uses: l.uses,
        expires_at: l.expires_at,
        created_at: l.created_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct LinkList {
    links: Vec<LinkOut>,
}

/// The workspace's links, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/links", tag = "links",
    params(("slug" = String, Path)), responses((status = 200, body = LinkList)))]
pub async fn list(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
) -> ApiResult<Json<LinkList>> {
    let rows = store::list(svc.store.pool(), &caller.manager.workspace_id, None).await?;
    Ok(Json(LinkList {
        links: rows.into_iter().map(|l| link_out(&svc, l)).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLinkBody {
    role: ApiRole,
    /// Team ids: the first is the primary team.
    #[serde(default)]
    teams: Vec<String>,
    /// 1 to 1,000,000; absent or null for unlimited.
    max_uses: Option<i64>,
    /// `1h`, `1d`, `7d` (default), `30d` or `never`.
    expires_in: Option<String>,
}

/// Makes an invite link.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/links", tag = "links",
    params(("slug" = String, Path)), request_body = NewLinkBody,
    responses((status = 201, body = LinkOut), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    ApiJson(body): ApiJson<NewLinkBody>,
) -> ApiResult<(axum::http::StatusCode, Json<LinkOut>)> {
    if body
        .max_uses
        .is_some_and(|n| !(1..=MAX_USES_LIMIT).contains(&n))
    {
        return Err(ApiError::invalid(
            "max_uses",
            "Use 1 to 1,000,000, or null for unlimited.",
        ));
    }
    let expiry = match body.expires_in.as_deref() {
        None => LinkExpiry::default(),
        Some(s) => LinkExpiry::parse(s)
            .ok_or_else(|| ApiError::invalid("expires_in", "Use 1h, 1d, 7d, 30d or never."))?,
    };
    let mut teams = body.teams.into_iter();
    let spec = LinkSpec {
        role: body.role.into(),
        primary_team: teams.next(),
        extra_teams: teams.collect(),
        max_uses: body.max_uses,
        expiry,
        notify_creator: false,
    };
    let id = links::create(&svc, &caller.manager, &spec).await?;
    let link = one(&svc, &caller.manager.workspace_id, &id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(link)))
}

async fn one(svc: &Services, workspace_id: &str, id: &str) -> ApiResult<LinkOut> {
    store::by_id(svc.store.pool(), workspace_id, id)
        .await?
        .map(|l| link_out(svc, l))
        .ok_or_else(ApiError::not_found)
}

/// Gives a link a new code; the old URL stops working.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/links/{id}/regenerate", tag = "links",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = LinkOut), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn regenerate(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<LinkOut>> {
    links::regenerate(&svc, &caller.manager, &id).await?;
    one(&svc, &caller.manager.workspace_id, &id).await.map(Json)
}

/// Revokes a link for good.
#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/links/{id}", tag = "links",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Done), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn revoke(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    links::revoke(&svc, &caller.manager, &id).await?;
    Ok(Json(Done::ok()))
}
