//! The JSON API under `/api/v1`: a second front door to the same services the pages
//! call. Bearer tokens (`auth`), JSON errors (`error`), JSON bodies whose rejections name
//! the field (`json`), one module per area, and the OpenAPI 3.1 document generated from
//! the handlers' annotations (`GET /api/v1/openapi.json`). No session, no cookies, no
//! CSRF: the router is merged outside the page layers (`web::router`).

pub mod auth;
pub mod error;
pub mod invitations;
pub mod join_requests;
pub mod json;
pub mod links;
pub mod members;
pub mod openapi;

use std::sync::Arc;

use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::Role;

pub use error::{ApiError, ApiResult};

/// The API's routes, to be merged outside the session and CSRF layers.
pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .merge(members::router())
        .merge(invitations::router())
        .merge(links::router())
        .merge(join_requests::router())
        .merge(openapi::router())
        .fallback(|| async { ApiError::not_found() });
    Router::new()
        .nest("/api/v1", v1)
        .layer(Extension(Arc::new(auth::RateLimiter::default())))
}

/// A whole number from a query string, within `min..=max`; `default` when absent.
pub fn number(raw: Option<&str>, field: &str, min: i64, max: i64, default: i64) -> ApiResult<i64> {
    match raw.map(str::parse::<i64>) {
        None => Ok(default),
        Some(Ok(n)) if (min..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("Use a whole number from {min} to {max}."),
        )),
    }
}

/// A role as the API spells it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiRole {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl From<ApiRole> for Role {
    fn from(r: ApiRole) -> Self {
        match r {
            ApiRole::Owner => Role::Owner,
            ApiRole::Admin => Role::Admin,
            ApiRole::Member => Role::Member,
            ApiRole::Viewer => Role::Viewer,
        }
    }
}

/// The answer to a change that returns nothing else.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    ok: bool,
}

impl Done {
    pub fn ok() -> Self {
        Self { ok: true }
    }
}

/// Every error: `{"error": {"code": "no_free_seat", "message": "…", "field": "role"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// e.g. `invalid_token`, `read_only_token`, `creator_cannot_manage`, `not_found`,
    /// `invalid`, `conflict`, `no_free_seat`, `rate_limited`.
    code: String,
    message: String,
    /// The input field at fault (422).
    field: Option<String>,
}
