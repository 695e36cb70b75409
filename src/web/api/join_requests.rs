//! `/api/v1/workspaces/{slug}/join-requests`: the pending requests, approve (on the seat
//! rule) and decline — through the workflows the Requests page calls.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{ApiReader, ApiWriter};
use super::error::ApiResult;
use crate::app::AppState;
use crate::services::{Services, join_requests};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{slug}/join-requests", get(list))
        .route(
            "/workspaces/{slug}/join-requests/{id}/approve",
            post(approve),
        )
        .route(
            "/workspaces/{slug}/join-requests/{id}/decline",
            post(decline),
        )
}

#[derive(Serialize, ToSchema)]
pub struct JoinRequestOut {
    id: String,
    account_id: String,
    display_name: String,
    email: String,
    /// The invite link it came through; `null` when asked from Browse workspaces.
    link_id: Option<String>,
    created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct JoinRequestList {
    join_requests: Vec<JoinRequestOut>,
    /// How many are pending in all (the list holds the oldest 100).
    pending: i64,
}

/// Pending join requests, oldest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/join-requests", tag = "join requests",
    params(("slug" = String, Path)), responses((status = 200, body = JoinRequestList)))]
pub async fn list(
    State(svc): State<Services>,
    ApiReader(caller): ApiReader,
) -> ApiResult<Json<JoinRequestList>> {
    let (rows, pending) = join_requests::pending(&svc, &caller.manager).await?;
    Ok(Json(JoinRequestList {
        join_requests: rows
            .into_iter()
            .map(|r| JoinRequestOut {
                id: r.id,
                account_id: r.account_id,
                display_name: r.display_name,
                email: r.email,
                link_id: r.link_id,
                created_at: r.created_at,
            })
            .collect(),
        pending,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    /// The asker's name.
    name: String,
}

/// Approves a request: the person joins (409 when it is no longer pending).
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/join-requests/{id}/approve", tag = "join requests",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Decided), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn approve(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Decided>> {
    let name = join_requests::approve(&svc, &caller.manager, &id).await?;
    Ok(Json(Decided { name }))
}

/// Declines a request.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/join-requests/{id}/decline", tag = "join requests",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Decided), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn decline(
    State(svc): State<Services>,
    ApiWriter(caller): ApiWriter,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Json<Decided>> {
    let name = join_requests::decline(&svc, &caller.manager, &id).await?;
    Ok(Json(Decided { name }))
}
