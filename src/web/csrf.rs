//! CSRF protection for every state-changing request: a per-session secret token that
//! forms carry as a hidden `csrf_token` field and htmx sends as the `X-CSRF-Token` header
//! (set once on <body> with hx-headers). Requests without the right token change nothing.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
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
/// The largest form body (an avatar or a CSV of addresses fits).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

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

/// The token from the header, or from a form body (urlencoded or multipart), which is put
/// back for the handler.
async fn presented_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let token = value.to_string();
        return Ok((request, Some(token)));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response()
    })?;
    let token = if is_form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v))
    } else {
        multipart_token(&content_type, bytes.clone()).await
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The `csrf_token` field of a multipart body (forms put it first, so this reads little).
async fn multipart_token(content_type: &str, bytes: axum::body::Bytes) -> Option<String> {
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    let mut multipart = Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}
