//! REST APIs, one module per area, each with its own `router()`.

pub mod authorized_parties;
pub mod openapi;
pub mod pdp;

use crate::problem::Problem;
use axum::http::{header, HeaderMap, StatusCode};

/// Checks `Authorization: Bearer <key>` against the configured API keys.
/// (Interim: the token service replaces API keys with signed tokens.)
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
