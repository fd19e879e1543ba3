//! The system register's vendor API, as Altinn's
//! (`/authentication/api/v1/systemregister/vendor`): a vendor's software,
//! with a token from `/token` carrying `altinn:authentication/systemregister.write`
//! (its own organisation's systems) or `….admin` (any vendor's), registers,
//! reads, changes and deletes systems. Paths, JSON and problem codes follow
//! Altinn (`AUTH.VLD-000NN` for validation, `AUTH-00011` for a system that is
//! not found or not the caller's); the rules and their audit are the
//! domain's (`domain::system_register`).

pub(crate) mod wire;

use super::client_caller::{client_caller, ClientCaller};
use super::routes::ApiRoutes;
use super::JsonBody;
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::TokenService;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::authz::Scopes;
use domain::system_register::{service, SystemRegisterError, Violation};
use std::sync::Arc;
pub use wire::{OrgIdentifier, ISO6523_AUTHORITY};

pub const BASE: &str = "/authentication/api/v1/systemregister/vendor";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .post(BASE, create)
        .get(BASE, list)
        .get(&format!("{BASE}/{{system_id}}"), get)
        .put(&format!("{BASE}/{{system_id}}"), update)
        .delete(&format!("{BASE}/{{system_id}}"), delete)
        .put(&format!("{BASE}/{{system_id}}/rights"), set_rights)
        .put(&format!("{BASE}/{{system_id}}/accesspackages"), set_packages)
        .get(&format!("{BASE}/{{system_id}}/changelog"), change_log)
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
                .detail("See the OpenAPI document for the methods of this path.")
        })
}

/// A vendor's API client with a system-register scope.
struct Vendor(ClientCaller);

impl FromRequestParts<AppState> for Vendor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(tokens) = parts.extensions.get::<Arc<TokenService>>().cloned() else {
            return Err(Problem::internal("-", &"the token service is not configured").into_response());
        };
        client_caller(state, &tokens, &parts.headers, &[Scopes::SYSTEM_REGISTER_WRITE, Scopes::SYSTEM_REGISTER_ADMIN]).await.map(Vendor)
    }
}

/// Altinn's validation code and JSON path of a broken rule.
fn validation_code(v: &Violation) -> (&'static str, &'static str) {
    match v {
        Violation::VendorFormat | Violation::UnknownVendor(_) => ("AUTH.VLD-00000", "/registersystemrequest/vendor"),
        Violation::IdNotVendors => ("AUTH.VLD-00001", "/registersystemrequest/systemid"),
        Violation::IdTaken(_) => ("AUTH.VLD-00002", "/registersystemrequest/systemid"),
        Violation::UnknownResource(_) => ("AUTH.VLD-00003", "/registersystemrequest/rights/resource"),
        Violation::ClientIdInUse(_) => ("AUTH.VLD-00004", "/registersystemrequest/clientid"),
        Violation::RedirectUrl(_) => ("AUTH.VLD-00005", "/registersystemrequest/allowedredirecturls"),
        Violation::DuplicateRight(_) => ("AUTH.VLD-00006", "/registersystemrequest/rights/resource"),
        Violation::DuplicatePackage(_) => ("AUTH.VLD-00007", "/registersystemrequest/accesspackages"),
        Violation::UnknownPackage(_) | Violation::PackageNotDelegable(_) => ("AUTH.VLD-00008", "/registersystemrequest/accesspackages"),
        Violation::ResourceFormat => ("AUTH.VLD-00009", "/registersystemrequest/rights/resource"),
        Violation::DuplicateClientId(_) => ("AUTH.VLD-00011", "/registersystemrequest/clientid"),
        Violation::IdMismatch => ("AUTH.VLD-00012", "/registersystemrequest/systemid"),
        Violation::IdHasSpaces => ("AUTH.VLD-00013", "/registersystemrequest/systemid"),
        Violation::ResourceNotDelegable(_) => ("AUTH.VLD-00017", "/registersystemrequest/rights/resource"),
        Violation::VisibleWithClientPackages(_) => ("AUTH.VLD-00018", "/registersystemrequest/isvisible"),
        // Fullmakt's own: Altinn refuses these while binding the model.
        Violation::Name(_) | Violation::Description(_) | Violation::UnknownLanguage(_) => ("FULLMAKT.VLD-00001", "/registersystemrequest/name"),
        Violation::ClientIdNotVendors(_) => ("FULLMAKT.VLD-00002", "/registersystemrequest/clientid"),
    }
}

/// Altinn's validation problem: 400 with every broken rule.
fn invalid(violations: &[Violation]) -> Response {
    let errors: Vec<serde_json::Value> = violations
        .iter()
        .map(|v| {
            let (code, path) = validation_code(v);
            serde_json::json!({ "code": code, "detail": v.to_string(), "paths": [path] })
        })
        .collect();
    Problem::new(StatusCode::BAD_REQUEST, "STD-00000", "One or more validation errors occurred.")
        .detail(violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        .validation_errors(errors.into())
        .into_response()
}

fn problem(e: SystemRegisterError, request_id: Option<&str>) -> Response {
    match e {
        SystemRegisterError::Invalid(v) => invalid(&v),
        SystemRegisterError::NotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00011", "System not found")
            .detail("No system with this id is registered for the calling vendor.")
            .into_response(),
        SystemRegisterError::NotAllowed => {
            Problem::new(StatusCode::FORBIDDEN, "not_allowed", "Not allowed").detail("The token's organisation is not the system's vendor.").into_response()
        }
        SystemRegisterError::Deleted => {
            Problem::new(StatusCode::BAD_REQUEST, "system_deleted", "System deleted").detail("Cannot update a system marked as deleted.").into_response()
        }
        SystemRegisterError::Store(e) => Problem::internal(request_id.unwrap_or("-"), &e).into_response(),
    }
}

fn succeeded() -> Response {
    Json(serde_json::json!({ "succeeded": true })).into_response()
}

async fn create(Vendor(c): Vendor, JsonBody(body): JsonBody<wire::RegisterSystemRequest>) -> Response {
    let input = match body.into_domain() {
        Ok(input) => input,
        Err(v) => return invalid(&v),
    };
    match service::create(&c.ctx, &input).await {
        Ok(system) => {
            let mut res = Json(system.internal_id).into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("{BASE}/{}", system.id)) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            res
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

/// The calling organisation's systems.
async fn list(Vendor(c): Vendor) -> Response {
    match service::list(&c.ctx).await {
        Ok(systems) => Json(systems.iter().map(wire::RegisteredSystemDto::from).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn get(Vendor(c): Vendor, Path(id): Path<String>) -> Response {
    match service::get(&c.ctx, &id).await {
        Ok(system) => Json(wire::RegisteredSystemResponse::from(&system)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn update(Vendor(c): Vendor, Path(id): Path<String>, JsonBody(body): JsonBody<wire::RegisterSystemRequest>) -> Response {
    let input = match body.into_domain() {
        Ok(input) => input,
        Err(v) => return invalid(&v),
    };
    match service::update(&c.ctx, &id, &input).await {
        Ok(_) => succeeded(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn set_rights(Vendor(c): Vendor, Path(id): Path<String>, JsonBody(body): JsonBody<Vec<wire::Right>>) -> Response {
    let rights = match wire::rights(&body) {
        Ok(r) => r,
        Err(v) => return invalid(&v),
    };
    match service::set_rights(&c.ctx, &id, &rights).await {
        Ok(_) => succeeded(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn set_packages(Vendor(c): Vendor, Path(id): Path<String>, JsonBody(body): JsonBody<Vec<wire::AccessPackage>>) -> Response {
    let urns: Vec<String> = body.into_iter().map(|p| p.urn).collect();
    match service::set_packages(&c.ctx, &id, &urns).await {
        Ok(_) => succeeded(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn delete(Vendor(c): Vendor, Path(id): Path<String>) -> Response {
    match service::delete(&c.ctx, &id).await {
        Ok(()) => succeeded(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn change_log(Vendor(c): Vendor, Path(id): Path<String>) -> Response {
    let system = match service::get(&c.ctx, &id).await {
        Ok(s) => s,
        Err(e) => return problem(e, c.ctx.request_id()),
    };
    match service::change_log(&c.ctx, &id).await {
        Ok(log) => Json(log.iter().map(|e| wire::SystemChangeLog::of(&system, e)).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}
