//! REST APIs, one module per area, each with its own `router()`.

pub mod authorized_parties;
pub mod openapi;
pub mod pdp;
pub mod resources;

use crate::problem::Problem;
use axum::http::{header, HeaderMap, StatusCode};

/// The caller of a token-protected API: a bearer token from `/token` with
/// `scope`, or (deprecated, kept for existing deployments) one of the
/// configured API keys.
pub fn require_scope(headers: &HeaderMap, api_keys: &[String], tokens: &crate::token::TokenService, scope: &str) -> Result<(), axum::response::Response> {
    use axum::response::IntoResponse;
    let Some(presented) = crate::token::bearer::bearer(headers) else {
        return Err(crate::token::bearer::BearerError::Missing.into_response());
    };
    if api_keys.iter().any(|k| crate::security::constant_time_eq(k.as_bytes(), presented.as_bytes())) {
        return Ok(());
    }
    tokens.authorize(presented, scope).map(|_| ()).map_err(IntoResponse::into_response)
}

/// Checks `Authorization: Bearer <key>` against the configured API keys.
/// (Deprecated: use [`require_scope`], which also takes tokens from `/token`.)
pub fn require_api_key(headers: &HeaderMap, keys: &[String]) -> Result<(), Problem> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(presented) = presented else {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
            .detail("Send Authorization: Bearer <API key>."));
    };
    if keys.iter().any(|k| crate::security::constant_time_eq(k.as_bytes(), presented.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Unknown API key"))
    }
}
