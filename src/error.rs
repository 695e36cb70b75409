//! One error type for every handler: each variant says what the person sees. Internal
//! causes are logged, never shown.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::services::ServiceError;
use crate::web::page::Page;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignInRequired { next: String, htmx: bool },
    #[error("malformed request body")]
    BadRequest,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Forbidden => Self::Forbidden,
            ServiceError::Internal(e) => Self::Internal(e),
            // Handlers re-render forms for invalid input; reaching here is a handler bug.
            ServiceError::Invalid(errors) => {
                Self::Internal(anyhow::anyhow!("unhandled validation errors: {errors:?}"))
            }
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        Self::Internal(anyhow::anyhow!("session: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    heading: &'static str,
    message: &'static str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            Self::SignInRequired { next, htmx } => return sign_in_redirect(&next, htmx),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not yours to see.",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your role in this workspace does not allow this.",
            ),
            Self::BadRequest => (
                StatusCode::BAD_REQUEST,
                "That did not arrive right",
                "The form could not be read. Go back, reload the page and try again.",
            ),
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "We could not finish that. Try again in a moment.",
                )
            }
        };
        error_page(status, heading, message)
    }
}

/// Renders the shared error page (404, 403, 500 ...), with nothing internal on it.
pub fn error_page(status: StatusCode, heading: &'static str, message: &'static str) -> Response {
    let page = Page::bare(heading);
    match (ErrorPage {
        page,
        heading,
        message,
    })
    .render()
    {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page did not render");
            (status, heading).into_response()
        }
    }
}

fn sign_in_redirect(next: &str, htmx: bool) -> Response {
    let target = format!("/sign-in?next={}", crate::web::urlencode(next));
    redirect(&target, htmx)
}

/// A 303 to `to`, or for htmx (which would swap the next page in) a 200 telling it to
/// navigate there with `HX-Redirect`.
pub fn redirect(to: &str, htmx: bool) -> Response {
    if htmx {
        let mut res = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            res.headers_mut().insert("HX-Redirect", v);
        }
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    Redirect::to(to).into_response()
}
