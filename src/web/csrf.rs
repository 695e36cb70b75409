//! CSRF protection for every state-changing request: a per-session secret token that
//! forms carry as a hidden `csrf_token` field and htmx sends as the `X-CSRF-Token` header
//! (set once on <body> with hx-headers). Requests without the right token change nothing.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::domain::SecretToken;
use crate::domain::token::constant_time_eq;
use crate::error::AppError;

const SESSION_KEY: &str = "gh.csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> anyhow::Result<String> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(token);
    }
    let token = SecretToken::generate()?.as_str().to_string();
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

/// Replaces the token (at sign-in, so a token seen before cannot be replayed after).
pub async fn rotate(session: &Session) -> anyhow::Result<()> {
    let token = SecretToken::generate()?.as_str().to_string();
    session.insert(SESSION_KEY, token).await?;
    Ok(())
}

/// Refuses POST/PUT/PATCH/DELETE whose token is missing or differs from the session's.
pub async fn verify(session: Session, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(token)) => token,
        Ok(None) => return AppError::Csrf.into_response(),
        Err(e) => return AppError::Internal(anyhow::anyhow!("session: {e}")).into_response(),
    };
    let (request, presented) = match presented_token(request).await {
        Ok(pair) => pair,
        Err(response) => return response,
    };
    match presented {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            next.run(request).await
        }
        _ => {
            tracing::warn!("request refused: CSRF token missing or wrong");
            AppError::Csrf.into_response()
        }
    }
}

/// The token from the header, or from an urlencoded form body (which is put back).
async fn presented_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let token = value.to_string();
        return Ok((request, Some(token)));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response()
    })?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
