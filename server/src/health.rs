//! Liveness and readiness probes.

use crate::problem::Problem;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sqlx::PgPool;

pub fn routes() -> crate::api::routes::ApiRoutes<crate::app_state::AppState> {
    crate::api::routes::ApiRoutes::new().get("/health/live", live).get("/health/ready", ready)
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers.
async fn ready(State(pool): State<PgPool>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), sqlx::query("select 1").execute(&pool)).await {
        Ok(Ok(_)) => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Ok(Err(e)) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "Database unavailable").detail(e.to_string()).into_response(),
        Err(_) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "Database did not answer in time").into_response(),
    }
}
