//! System users, the vendor's reads, as Altinn's
//! (`/authentication/api/v1/systemuser/vendor/…`): the system users of one
//! of the vendor's systems, page by page (with the register's scope), and
//! the one of a customer and reference (with a request scope); and the token
//! service's lookup by client, vendor, owner and reference
//! (`systemuser/byExternalId`, scope `altinn:maskinporten/systemuser.read`).
//! Authorization and the rules are the domain's (`domain::system_users`).

use super::client_caller::client_caller;
use super::paging::{self, PageQuery};
use super::routes::ApiRoutes;
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::TokenService;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::authz::Scopes;
use domain::system_users::vendor::{self, SystemUserForVendor};
use domain::system_users::SystemUserError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

pub const BASE: &str = "/authentication/api/v1/systemuser";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .get(&format!("{BASE}/vendor/bysystem/{{system_id}}"), by_system)
        .get(&format!("{BASE}/vendor/byquery"), by_query)
        .get(&format!("{BASE}/byExternalId"), by_external_id)
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
                .detail("See the OpenAPI document for the methods of this path.")
        })
}

/// A system user in Altinn's external shape (`SystemUserExternalDTO`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SystemUserExternal {
    id: Uuid,
    integration_title: String,
    system_id: String,
    /// Altinn's deprecated name of the system id, kept equal to it.
    product_name: String,
    reportee_org_no: String,
    #[serde(with = "time::serde::rfc3339")]
    created: time::OffsetDateTime,
    is_deleted: bool,
    supplier_name: String,
    supplier_orgno: String,
    external_ref: String,
    user_type: String,
}

impl From<SystemUserForVendor> for SystemUserExternal {
    fn from(s: SystemUserForVendor) -> Self {
        Self {
            id: s.id,
            integration_title: s.integration_title,
            product_name: s.system_id.clone(),
            system_id: s.system_id,
            reportee_org_no: s.owner_org_no,
            created: s.created_at,
            is_deleted: false,
            supplier_name: s.vendor_name.unwrap_or_default(),
            supplier_orgno: s.vendor_org_no,
            external_ref: s.external_ref,
            user_type: s.user_type,
        }
    }
}

fn problem(e: SystemUserError, request_id: Option<&str>) -> Response {
    let detail = e.to_string();
    let p = match e {
        SystemUserError::SystemNotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00011", "System not found"),
        SystemUserError::NotFound => Problem::new(StatusCode::NOT_FOUND, "system_user_not_found", "System user not found"),
        SystemUserError::Missing(_) => Problem::new(StatusCode::BAD_REQUEST, "missing_parameter", "A required parameter is missing"),
        SystemUserError::NotAccessManager => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
        SystemUserError::Store(e) => return Problem::internal(request_id.unwrap_or("-"), &e).into_response(),
    };
    p.detail(detail).into_response()
}

async fn by_system(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Path(system): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::SYSTEM_REGISTER_WRITE, Scopes::SYSTEM_REGISTER_ADMIN]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let after = match q.after() {
        Ok(after) => after,
        Err(r) => return r,
    };
    match vendor::by_system(&c.ctx, &system, after).await {
        Ok(page) => {
            let data: Vec<SystemUserExternal> = page.items.into_iter().map(Into::into).collect();
            paging::page(&state.config.public_url, &format!("{BASE}/vendor/bysystem/{system}"), page.next_after, data)
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

#[derive(Debug, Deserialize)]
struct ByQuery {
    #[serde(rename = "system-id", default)]
    system_id: String,
    #[serde(default)]
    orgno: String,
    #[serde(rename = "external-ref")]
    external_ref: Option<String>,
}

async fn by_query(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Query(q): Query<ByQuery>) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::REQUEST_WRITE, Scopes::REQUEST_READ]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match vendor::by_query(&c.ctx, &q.system_id, &q.orgno, q.external_ref.as_deref()).await {
        Ok(s) => Json(SystemUserExternal::from(s)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ByExternalId {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    system_provider_org_no: String,
    #[serde(default)]
    system_user_owner_org_no: String,
    external_ref: Option<String>,
}

async fn by_external_id(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Query(q): Query<ByExternalId>,
) -> Response {
    let c = match client_caller(&state, &tokens, &headers, &[Scopes::SYSTEM_USER_LOOKUP]).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match vendor::by_external_id(&c.ctx, &q.client_id, &q.system_provider_org_no, &q.system_user_owner_org_no, q.external_ref.as_deref()).await {
        Ok(s) => Json(SystemUserExternal::from(s)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}
