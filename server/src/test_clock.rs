//! `POST /test/clock`: moves the server's clock forward, then runs the guest
//! lifecycle job at once, for end-to-end tests of rules that take days and
//! months (a guest's end-of-stay notices, deactivation at the end date,
//! deletion after retention) against a running server.
//!
//! The route exists only on a server started with `FULLMAKT_TEST_CLOCK=true`,
//! which the configuration accepts only together with the test identity
//! provider: a production server has no such route, and its clock is the
//! wall clock. The clock only moves forward ([`domain::ShiftedClock`]), each
//! move is audited (`test.clock`), and the job audits what it does as it
//! does every minute. The e-mail job sends what came due within 5 seconds.

use crate::problem::Problem;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::Clock;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the test asks for: move this many whole days ahead.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    days: i64,
}

/// The new time and what the guest lifecycle job did at it.
#[derive(Debug, Serialize)]
struct Moved {
    now: String,
    offset_days: i64,
    invited: usize,
    notices: usize,
    deactivated: usize,
    deleted: usize,
}

#[derive(Clone)]
struct TestClock {
    clock: Arc<domain::ShiftedClock>,
    operator: domain::Context,
}

/// The route, for a server whose clock is `clock`; `operator` runs the job.
pub fn router<S: Clone + Send + Sync + 'static>(clock: Arc<domain::ShiftedClock>, operator: domain::Context) -> Router<S> {
    Router::new().route("/test/clock", post(advance)).with_state(TestClock { clock, operator })
}

async fn advance(axum::extract::State(t): axum::extract::State<TestClock>, body: Result<Json<Advance>, JsonRejection>) -> Response {
    let Json(Advance { days }) = match body {
        Ok(b) => b,
        Err(e) => {
            return Problem::new(StatusCode::BAD_REQUEST, "test_clock.bad_request", "The body must be {\"days\": <whole days>}")
                .detail(e.body_text())
                .into_response()
        }
    };
    let now = match t.clock.advance(time::Duration::days(days)) {
        Ok(now) => now,
        Err(e) => return Problem::new(StatusCode::BAD_REQUEST, "test_clock.refused", "The clock was not moved").detail(e.to_string()).into_response(),
    };
    let offset_days = t.clock.ahead().whole_days();
    let event = domain::audit::AuditEvent::new(
        "test.clock",
        "clock",
        domain::audit::Outcome::Success,
        serde_json::json!({ "days": days, "offset_days": offset_days, "now": now.to_string() }),
    );
    if let Err(e) = domain::audit::record(t.operator.db(), t.operator.actor().clone(), t.operator.clock(), event).await {
        return Problem::internal("-", &e).into_response();
    }
    tracing::warn!(days, offset_days, %now, "the test clock moved forward");
    // Validity periods that began or ended in the step count at once here.
    t.operator.engine_sees_changes().await;
    match domain::guests::jobs::run(&t.operator).await {
        Ok(run) => Json(Moved {
            now: now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            offset_days,
            invited: run.invited,
            notices: run.notices,
            deactivated: run.deactivated,
            deleted: run.deleted,
        })
        .into_response(),
        Err(e) => Problem::internal("-", &e).into_response(),
    }
}
