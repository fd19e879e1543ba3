//! Gives server-function errors their proper HTTP status.
//!
//! Leptos answers every server-function error with 500. The portal's one error
//! type ([`app::error::AppError`]) says what went wrong, so this layer maps it
//! once, at the edge: not signed in → 401, not allowed → 403, invalid input →
//! 422, refused by a rule or no party chosen → 409; internal errors stay 500.
//! The Leptos client decodes any 4xx/5xx body as the error, so it is unaffected.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

const MAX_ERROR_BODY: usize = 64 * 1024;

pub fn status_for(e: &AppError) -> StatusCode {
    match e {
        AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
        AppError::NotAllowed => StatusCode::FORBIDDEN,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Refused(_) | AppError::NoPartyChosen => StatusCode::CONFLICT,
        AppError::Transport(_) => StatusCode::BAD_REQUEST,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let is_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = status_for(&e);
    }
    Response::from_parts(parts, Body::from(bytes))
}
