//! Who is calling the API: `Authorization: Bearer gh_…` turned into the token's acting
//! manager from the database on every request (no cookies, no session, no CSRF), with the
//! workspace in the URL checked against the token's own, and a rate limit per token.
//!
//! Refusals: no token, an unknown, revoked or expired one → 401 `invalid_token`; a token
//! whose creator is no longer an active Owner or Admin of its workspace → 403
//! `creator_cannot_manage` (the token is real but its authority is gone); another
//! workspace's slug → 404; a `read` token on a change → 403 `read_only_token`; too many
//! requests → 429 `rate_limited` with `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use super::error::ApiError;
use crate::app::AppState;
use crate::services::Services;
use crate::services::api_tokens::{self, Caller, Refusal, Scope};
use crate::web::extract::ClientIp;

/// Requests a token may make at once, and refilled per second after.
const BURST: f64 = 120.0;
const PER_SECOND: f64 = 2.0;

/// A token bucket per API token, in this instance's memory.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Takes one request from the token's bucket; when empty, the seconds until one is back.
    fn take(&self, token_id: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (left, at) = buckets.entry(token_id.to_string()).or_insert((BURST, now));
        let refilled = (*left + now.duration_since(*at).as_secs_f64() * PER_SECOND).min(BURST);
        *at = now;
        if refilled >= 1.0 {
            *left = refilled - 1.0;
            Ok(())
        } else {
            *left = refilled;
            Err(((1.0 - refilled) / PER_SECOND).ceil().max(1.0) as u64)
        }
    }
}

/// A caller with any scope: may read.
#[derive(Debug, Clone)]
pub struct ApiReader(pub Caller);

/// A caller whose token has the admin scope: may change what its creator may.
#[derive(Debug, Clone)]
pub struct ApiWriter(pub Caller);

impl FromRequestParts<AppState> for ApiReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string())
            .ok_or_else(ApiError::unauthorized)?;
        let svc = Services::from_ref(state);
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        let caller = match api_tokens::authenticate(&svc, &presented, Some(ip)).await? {
            Ok(caller) => caller,
            Err(Refusal::Invalid) => return Err(ApiError::unauthorized()),
            Err(Refusal::CreatorCannotManage) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "creator_cannot_manage",
                    "The person who made this token can no longer manage the workspace.",
                ));
            }
        };
        let slug = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|p| {
                p.iter()
                    .find(|(k, _)| *k == "slug")
                    .map(|(_, v)| v.to_string())
            });
        if slug.is_some_and(|s| s != caller.workspace_slug) {
            return Err(ApiError::not_found());
        }
        if let Some(limiter) = parts.extensions.get::<Arc<RateLimiter>>()
            && let Err(seconds) = limiter.take(&caller.token_id)
        {
            return Err(ApiError {
                retry_after: Some(seconds),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many requests with this token; wait and try again.",
                )
            });
        }
        crate::logging::record_workspace(&parts.extensions, &caller.workspace_slug);
        Ok(Self(caller))
    }
}

impl FromRequestParts<AppState> for ApiWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiReader(caller) = ApiReader::from_request_parts(parts, state).await?;
        if caller.scope != Scope::Admin {
            return Err(ApiError::read_only());
        }
        Ok(Self(caller))
    }
}
