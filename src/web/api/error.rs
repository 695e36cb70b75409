//! The JSON API's one error shape, `{"error": {"code", "message", "field"?}}`, and how
//! the workflows' refusals map onto HTTP statuses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::services::ServiceError;
use crate::services::members::NO_SEAT;

/// What an API request failed with.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The input field at fault (422).
    pub field: Option<String>,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_string()),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing here, or it is not yours to see.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Send a live API token as `Authorization: Bearer gh_…`.",
        )
    }

    pub fn read_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "read_only_token",
            "This token has the read scope: it cannot change anything.",
        )
    }
}

/// Fields whose refusal is about the current state of a thing, not the input (409).
const STATE_FIELDS: [&str; 4] = ["member", "invitation", "request", "link"];

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => Self::not_found(),
            ServiceError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "The token's creator may not do this.",
            ),
            ServiceError::Invalid(errors) => match errors.first() {
                Some((_, message)) if message == NO_SEAT => {
                    Self::new(StatusCode::CONFLICT, "no_free_seat", message)
                }
                Some((field, message)) if STATE_FIELDS.contains(&field) => {
                    Self::new(StatusCode::CONFLICT, "conflict", message)
                }
                Some((field, message)) => Self::invalid(field, message),
                None => Self::invalid("body", "The request was refused."),
            },
            ServiceError::Internal(e) => {
                tracing::error!(error = ?e, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            error["field"] = field.into();
        }
        let mut response =
            (self.status, Json(serde_json::json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
