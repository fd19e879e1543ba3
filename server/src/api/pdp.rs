//! The decision API, compatible with Altinn's: `POST /authorization/api/v1/authorize`
//! and `/decision`, XACML 3.0 JSON profile. Bad input gives Indeterminate with a
//! status code, never Permit.

use super::routes::ApiRoutes;
use crate::app_state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::decisions::live::Engine;
use domain::decisions::xacml_json;
use serde::Deserialize;
use std::sync::Arc;

/// The scope a token needs for the decision API (as Altinn's).
pub const SCOPE: &str = "altinn:authorization/authorize";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new().post("/authorization/api/v1/authorize", authorize).post("/authorization/api/v1/decision", authorize)
}

#[derive(Debug, Deserialize)]
struct Options {
    #[serde(default)]
    explain: bool,
}

/// Takes the engine and the configuration rather than the whole `AppState`,
/// which would be cloned on every call.
async fn authorize(
    State(engine): State<Arc<Engine>>,
    State(config): State<Arc<crate::config::Config>>,
    Extension(tokens): Extension<Arc<crate::token::TokenService>>,
    headers: HeaderMap,
    Query(opts): Query<Options>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = super::require_scope(&headers, &config.pdp_api_keys, &tokens, SCOPE) {
        return refused;
    }
    let json_body =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
    if !json_body {
        return crate::problem::Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send application/json")
            .detail("This endpoint takes the XACML 3.0 JSON profile.")
            .into_response();
    }
    let snapshot = engine.snapshot();
    match xacml_json::parse(&body) {
        Err(problem) => Json(xacml_json::problem_response(&problem)).into_response(),
        Ok(parsed) => Json(xacml_json::evaluate(&snapshot, &parsed, opts.explain).0).into_response(),
    }
}
