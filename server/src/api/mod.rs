//! REST APIs, one module per area, each with its own `router()`.

pub mod api_clients;
pub mod authorized_parties;
pub mod change_requests;
pub mod client_caller;
pub mod client_delegations;
pub mod openapi;
pub mod paging;
pub mod pdp;
pub mod resources;
pub mod routes;
pub mod system_register;
pub mod system_user_requests;
pub mod system_users;
pub mod token_exchange;

use crate::problem::Problem;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

/// The path prefixes of the APIs (Altinn's): whatever is not served under
/// them is answered as an API answers, never with the portal's HTML page.
pub const PREFIXES: [&str; 6] = ["/authentication/", "/authorization/", "/accessmanagement/", "/resourceregistry/", "/apiclients/", "/clientadmin/"];

/// Answers any method on an unknown path under [`PREFIXES`] with a `404`
/// problem document. A known path matches its own route first (so a wrong
/// method on it keeps its `405`); only what no route matches comes here.
///
/// It is merged beside the APIs, outside the portal's session and CSRF
/// layers: it answers before the CSRF check, which only the portal's forms,
/// server functions and session-authenticated routes need, and it changes
/// nothing and reads no cookie.
pub fn not_found_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    PREFIXES.iter().fold(Router::new(), |router, prefix| router.route(prefix, any(not_found)).route(&format!("{prefix}{{*rest}}"), any(not_found)))
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found").detail("No API is served at this path.").into_response()
}

/// A body that is not JSON, or not the JSON expected, as a problem.
pub(crate) fn bad_json(e: serde_json::Error) -> Problem {
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            Problem::new(StatusCode::BAD_REQUEST, "malformed_json", "Malformed JSON").detail(e.to_string())
        }
        serde_json::error::Category::Data => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "Invalid body").detail(e.to_string()),
    }
}

/// A JSON body of type `T`; otherwise the problem to answer with (415 for
/// another media type, 400 or 422 for JSON that does not fit).
pub(crate) struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        if !is_json(req.headers()) {
            return Err(unsupported_media("application/json"));
        }
        let body = axum::body::Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&body).map(JsonBody).map_err(|e| bad_json(e).into_response())
    }
}

pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    ct.starts_with("application/json") || ct.contains("+json")
}

pub(crate) fn unsupported_media(expected: &str) -> Response {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type").detail(format!("Send {expected}.")).into_response()
}

/// The caller of a token-protected API: a bearer token from `/token` with
/// `scope`, or (deprecated, kept for existing deployments) one of the
/// configured API keys.
pub fn require_scope(headers: &HeaderMap, api_keys: &[String], tokens: &crate::token::TokenService, scope: &str) -> Result<(), axum::response::Response> {
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
    let presented = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    let Some(presented) = presented else {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required").detail("Send Authorization: Bearer <API key>."));
    };
    if keys.iter().any(|k| crate::security::constant_time_eq(k.as_bytes(), presented.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Unknown API key"))
    }
}

/// Every (method, path) the REST APIs, the token service and the health
/// probes answer: what the OpenAPI document must describe.
pub fn served() -> Vec<(&'static str, String)> {
    let mut all = Vec::new();
    all.extend_from_slice(crate::health::routes().served());
    all.extend_from_slice(pdp::routes().served());
    all.extend_from_slice(authorized_parties::routes().served());
    all.extend_from_slice(api_clients::routes().served());
    all.extend_from_slice(resources::routes().served());
    all.extend_from_slice(system_register::routes().served());
    all.extend_from_slice(system_user_requests::routes().served());
    all.extend_from_slice(system_users::routes().served());
    all.extend_from_slice(change_requests::routes().served());
    all.extend_from_slice(client_delegations::routes().served());
    all.extend_from_slice(token_exchange::routes().served());
    all.extend_from_slice(crate::token::routes().served());
    all
}
