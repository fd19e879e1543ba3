//! Change requests, the vendor API, as Altinn's
//! (`/authentication/api/v1/systemuser/changerequest/vendor`): the vendor asks
//! the customer to add rights or packages to a standard system user, or to
//! take some away, under its own correlation id; it follows and withdraws the
//! change. The answer's `confirmUrl` is the portal's page where the
//! customer's access manager decides it. Rules, authorization and audit are
//! the domain's (`domain::system_user_requests::change`).

use super::client_caller::client_caller;
use super::paging::{self, PageQuery};
use super::routes::ApiRoutes;
use super::system_register::wire::{right_of, rights, AccessPackage, Right, RESOURCE_ATTRIBUTE};
use super::system_user_requests::problem;
use super::JsonBody;
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::TokenService;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::authz::Scopes;
use domain::system_user_requests::change::{self, ChangeForCreate, ChangeItem, ChangeRequest, ChangeSent};
use domain::system_user_requests::RequestError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

pub const BASE: &str = "/authentication/api/v1/systemuser/changerequest/vendor";
/// The portal's page where the customer decides a change.
pub const CONFIRM_PATH: &str = "/systembrukere/endring";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .post(BASE, send)
        .get(&format!("{BASE}/{{id}}"), get)
        .delete(&format!("{BASE}/{{id}}"), withdraw)
        .get(&format!("{BASE}/byexternalref/{{system_id}}/{{org_no}}/{{external_ref}}"), by_external_ref)
        .get(&format!("{BASE}/bysystem/{{system_id}}"), by_system)
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
                .detail("See the OpenAPI document for the methods of this path.")
        })
}

/// The body of `POST …/changerequest/vendor`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangeRequestSystemUser {
    #[serde(default)]
    required_rights: Vec<Right>,
    #[serde(default)]
    unwanted_rights: Vec<Right>,
    #[serde(default)]
    required_access_packages: Vec<AccessPackage>,
    #[serde(default)]
    unwanted_access_packages: Vec<AccessPackage>,
    #[serde(default)]
    redirect_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SendQuery {
    #[serde(rename = "correlation-id")]
    correlation_id: Option<String>,
    #[serde(rename = "system-user-id")]
    system_user_id: Option<String>,
}

/// A change as the vendor reads it (Altinn's `ChangeRequestResponse`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeRequestResponse {
    id: Uuid,
    external_ref: String,
    system_id: String,
    system_user_id: Uuid,
    party_org_no: String,
    required_rights: Vec<Right>,
    unwanted_rights: Vec<Right>,
    required_access_packages: Vec<AccessPackage>,
    unwanted_access_packages: Vec<AccessPackage>,
    status: &'static str,
    redirect_url: Option<String>,
    confirm_url: String,
    #[serde(with = "time::serde::rfc3339")]
    created: time::OffsetDateTime,
}

fn split(items: &[ChangeItem]) -> (Vec<Right>, Vec<AccessPackage>) {
    let mut rights = Vec::new();
    let mut packages = Vec::new();
    for i in items {
        match i {
            ChangeItem::Package(urn) => packages.push(AccessPackage { urn: urn.clone() }),
            ChangeItem::Right { resource, action } => rights.push(right_of(resource, Some(action))),
        }
    }
    (rights, packages)
}

impl ChangeRequestResponse {
    fn of(c: &ChangeRequest, public_url: &url::Url) -> Self {
        let (required_rights, required_access_packages) = split(&c.add);
        let (unwanted_rights, unwanted_access_packages) = split(&c.remove);
        Self {
            id: c.id,
            external_ref: c.external_ref.clone(),
            system_id: c.system_id.clone(),
            system_user_id: c.system_user_id,
            party_org_no: c.party_org_no.clone(),
            required_rights,
            unwanted_rights,
            required_access_packages,
            unwanted_access_packages,
            status: c.status.as_str(),
            redirect_url: c.redirect_url.clone(),
            confirm_url: format!("{}{CONFIRM_PATH}/{}?party={}", public_url.as_str().trim_end_matches('/'), c.id, c.party_org_no),
            created: c.created_at,
        }
    }
}

fn bad_query(what: &str) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "AUTH.VLD-00020", "Invalid query").detail(format!("{what} must be a UUID.")).into_response()
}

async fn send(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Query(q): Query<SendQuery>,
    JsonBody(body): JsonBody<ChangeRequestSystemUser>,
) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_WRITE]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(correlation_id) = q.correlation_id.as_deref().and_then(|v| Uuid::parse_str(v.trim()).ok()) else { return bad_query("correlation-id") };
    let Some(system_user_id) = q.system_user_id.as_deref().and_then(|v| Uuid::parse_str(v.trim()).ok()) else { return bad_query("system-user-id") };
    let (Ok(required_rights), Ok(unwanted_rights)) = (rights(&body.required_rights), rights(&body.unwanted_rights)) else {
        return Problem::new(StatusCode::BAD_REQUEST, "AUTH.VLD-00009", "Invalid right")
            .detail(format!("A right names its resource as {RESOURCE_ATTRIBUTE} and an id."))
            .into_response();
    };
    let input = ChangeForCreate {
        correlation_id,
        system_user_id,
        required_rights,
        unwanted_rights,
        required_packages: body.required_access_packages.into_iter().map(|p| p.urn).collect(),
        unwanted_packages: body.unwanted_access_packages.into_iter().map(|p| p.urn).collect(),
        redirect_url: body.redirect_url.filter(|u| !u.trim().is_empty()),
    };
    match change::send(&c.ctx, &input).await {
        Ok(ChangeSent::NoChangeNeeded) => Json(serde_json::json!({ "systemUserId": system_user_id, "status": "NoChangeNeeded" })).into_response(),
        Ok(ChangeSent::Sent { request, new }) => {
            let body = Json(ChangeRequestResponse::of(&request, &state.config.public_url));
            if new {
                (StatusCode::CREATED, body).into_response()
            } else {
                body.into_response()
            }
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn get(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_READ, Scopes::REQUEST_WRITE]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let found = match Uuid::parse_str(id.trim()) {
        Ok(id) => change::get(&c.ctx, id).await,
        Err(_) => Err(RequestError::NotFound),
    };
    match found {
        Ok(r) => Json(ChangeRequestResponse::of(&r, &state.config.public_url)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn by_external_ref(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Path((system, org, external_ref)): Path<(String, String, String)>,
) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_READ, Scopes::REQUEST_WRITE]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match change::by_external_ref(&c.ctx, &system, &org, &external_ref).await {
        Ok(r) => Json(ChangeRequestResponse::of(&r, &state.config.public_url)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn by_system(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Path(system): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_READ, Scopes::REQUEST_WRITE]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let after = match q.after() {
        Ok(after) => after,
        Err(r) => return r,
    };
    match change::by_system(&c.ctx, &system, after).await {
        Ok(page) => {
            let data: Vec<_> = page.items.iter().map(|r| ChangeRequestResponse::of(r, &state.config.public_url)).collect();
            paging::page(&state.config.public_url, &format!("{BASE}/bysystem/{system}"), page.next_after, data)
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn withdraw(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_WRITE]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let done = match Uuid::parse_str(id.trim()) {
        Ok(id) => change::withdraw(&c.ctx, id).await,
        Err(_) => Err(RequestError::NotFound),
    };
    match done {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}
