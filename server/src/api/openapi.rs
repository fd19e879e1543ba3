//! Serves the OpenAPI document at `/api-docs/openapi.json`.
//!
//! The document is written by hand (`docs/api/openapi.json`) and compiled in; a
//! test checks that every path in it is served, and every API route is in it.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

pub const DOCUMENT: &str = include_str!("../../../docs/api/openapi.json");

pub fn router() -> Router<crate::app_state::AppState> {
    Router::new().route("/api-docs/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response() }))
}
