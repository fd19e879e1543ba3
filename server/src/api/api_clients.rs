//! The API-client API: an organisation's own software manages the
//! organisation's API clients and their keys, as in the portal's
//! `/api-klienter`. Like Maskinporten's self-service API, it is called with a
//! token from `/token` carrying the admin scope [`SCOPE`], which only the
//! operator can give a client. Such a caller manages the clients of the
//! organisation that owns the calling client, and nothing else
//! (`Context::for_api_client`).
//!
//! `GET/POST {BASE}`, `PUT {BASE}/{client_id}/scopes`,
//! `POST {BASE}/{client_id}/keys`, `DELETE {BASE}/{client_id}/keys/{kid}`.
//! Authorization and audit are the domain's (`domain::tokens::service`).
//!
//! The API was first published under `/clientadmin` with the scope
//! `fullmakt:clients.admin`, names that read as a firm's client
//! administration, which is another concept (`docs/glossary.md`). The old
//! paths and scope still work, and every answer on an old path says it is
//! deprecated and names its successor (RFC 9745 `Deprecation`, RFC 8288
//! `Link`), so integrations can move before the old names are removed.

use super::client_caller::client_caller;
use super::routes::ApiRoutes;
use super::JsonBody;
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::TokenService;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::authz::Scopes;
use domain::parties::PartyId;
use domain::tokens::rules::KeyError;
use domain::tokens::service::{self, ApiClientError};
use domain::tokens::{ApiClientForCreate, KeyForCreate};
use serde::Deserialize;
use std::sync::Arc;

pub const BASE: &str = "/apiclients/api/v1/clients";

/// The scope a token needs to manage its organisation's API clients.
pub const SCOPE: &str = "fullmakt:api_clients.admin";

/// Where the API was first published; deprecated (see the module doc).
pub const DEPRECATED_BASE: &str = "/clientadmin/api/v1/clients";

/// The admin scope's first name; still accepted, deprecated.
pub const DEPRECATED_SCOPE: &str = "fullmakt:clients.admin";

/// When the old names were deprecated, as RFC 9745 writes a date (`@` and
/// Unix seconds): 2026-12-04T00:00:00Z.
const DEPRECATED_SINCE: &str = "@1796342400";

pub fn routes() -> ApiRoutes<AppState> {
    under(BASE).merge(under(DEPRECATED_BASE).map_router(|r| r.layer(axum::middleware::from_fn(mark_deprecated))))
}

fn under(base: &str) -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .get(base, list)
        .post(base, register)
        .put(&format!("{base}/{{client_id}}/scopes"), set_scopes)
        .post(&format!("{base}/{{client_id}}/keys"), add_key)
        .delete(&format!("{base}/{{client_id}}/keys/{{kid}}"), revoke_key)
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
                .detail("See the OpenAPI document for the methods of this path.")
        })
}

/// Adds `Deprecation` and a `Link` to the same path under [`BASE`] to every
/// answer on a path under [`DEPRECATED_BASE`].
async fn mark_deprecated(request: Request, next: axum::middleware::Next) -> Response {
    let successor = request.uri().path().replacen(DEPRECATED_BASE, BASE, 1);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("deprecation", axum::http::HeaderValue::from_static(DEPRECATED_SINCE));
    if let Ok(link) = axum::http::HeaderValue::from_str(&format!("<{successor}>; rel=\"successor-version\"")) {
        headers.insert(axum::http::header::LINK, link);
    }
    response
}

/// The calling client's use-case context (acting for its organisation) and
/// its organisation; an extractor, so every handler authenticates the same
/// way and before it reads the body.
struct Caller {
    owner: PartyId,
    ctx: domain::Context,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(tokens) = parts.extensions.get::<Arc<TokenService>>().cloned() else {
            return Err(Problem::internal("-", &"the token service is not configured").into_response());
        };
        caller(state, &tokens, &parts.headers).await
    }
}

async fn caller(state: &AppState, tokens: &TokenService, headers: &HeaderMap) -> Result<Caller, Response> {
    let c = client_caller(state, tokens, headers, &[Scopes::API_CLIENTS_ADMIN]).await?;
    Ok(Caller { owner: c.owner, ctx: c.ctx })
}

fn problem(e: ApiClientError, request_id: Option<&str>) -> Response {
    let detail = e.to_string();
    let p = match e {
        ApiClientError::NotAccessManager => Problem::new(StatusCode::FORBIDDEN, "not_allowed", "Not allowed"),
        ApiClientError::NameMissing => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_name", "Invalid display name"),
        ApiClientError::BadScope(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scope", "Invalid scope"),
        ApiClientError::RestrictedScope(_) => Problem::new(StatusCode::FORBIDDEN, "restricted_scope", "Scope reserved for the operator"),
        ApiClientError::UnknownClient => Problem::new(StatusCode::NOT_FOUND, "unknown_client", "Unknown client"),
        ApiClientError::BadKey(KeyError::PrivateKeyMaterial) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "private_key_material", "Private key refused"),
        ApiClientError::BadKey(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_key", "Invalid key"),
        ApiClientError::KidTaken(_) => Problem::new(StatusCode::CONFLICT, "kid_taken", "The kid is taken"),
        ApiClientError::UnknownKey(_) => Problem::new(StatusCode::NOT_FOUND, "unknown_key", "Unknown key"),
        ApiClientError::ExpiryInPast => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "expiry_in_past", "Expiry in the past"),
        ApiClientError::Store(e) => return Problem::internal(request_id.unwrap_or("-"), &e).into_response(),
    };
    p.detail(detail).into_response()
}

/// The use case's answer: `ok` on success, otherwise its problem.
fn answer<T>(result: Result<T, ApiClientError>, request_id: Option<&str>, ok: impl FnOnce(T) -> Response) -> Response {
    match result {
        Ok(v) => ok(v),
        Err(e) => problem(e, request_id),
    }
}

async fn list(c: Caller) -> Response {
    let result = service::list_api_clients(&c.ctx, c.owner).await;
    answer(result, c.ctx.request_id(), |list| Json(list).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopesBody {
    scopes: Vec<String>,
}

async fn register(c: Caller, JsonBody(input): JsonBody<ApiClientForCreate>) -> Response {
    let result = service::register_api_client(&c.ctx, c.owner, &input).await;
    answer(result, c.ctx.request_id(), |client| (StatusCode::CREATED, Json(client)).into_response())
}

async fn set_scopes(c: Caller, Path(client_id): Path<String>, JsonBody(input): JsonBody<ScopesBody>) -> Response {
    let result = service::set_scopes(&c.ctx, &client_id, &input.scopes).await;
    answer(result, c.ctx.request_id(), |scopes| Json(serde_json::json!({ "scopes": scopes })).into_response())
}

async fn add_key(c: Caller, Path(client_id): Path<String>, JsonBody(input): JsonBody<KeyForCreate>) -> Response {
    let result = service::add_key(&c.ctx, &client_id, &input).await;
    answer(result, c.ctx.request_id(), |key| (StatusCode::CREATED, Json(key)).into_response())
}

async fn revoke_key(c: Caller, Path((client_id, kid)): Path<(String, String)>) -> Response {
    let result = service::revoke_key(&c.ctx, &client_id, &kid).await;
    answer(result, c.ctx.request_id(), |()| StatusCode::NO_CONTENT.into_response())
}
