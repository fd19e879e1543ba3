//! "For whom may subject S act?", answered by `domain::authorized_parties`
//! (the same answer as the portal's party chooser), in two shapes:
//! * `GET /accessmanagement/api/v1/authorizedparties?subject=…`: Fullmakt's
//!   paged list, optionally for one resource and action;
//! * `POST /accessmanagement/api/v1/resourceowner/authorizedparties`:
//!   Altinn's request (`{"type": "urn:altinn:person:identifier-no", "value": …}`)
//!   and response (an array of parties with their packages, resources and
//!   roles, sub-units nested under their main unit).

use super::routes::ApiRoutes;
use crate::app_state::AppState;
use crate::problem::Problem;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::authorized_parties::{authorized_parties, AuthorizedParty, ResourceFilter};
use domain::decisions::{Snapshot, SubjectRef};
use serde::Deserialize;
use std::sync::Arc;

/// The scope a token needs for the paged list (as Altinn's end-user API).
pub const SCOPE: &str = "altinn:accessmanagement/authorizedparties";
/// The scope a service owner's token needs for Altinn's resource-owner API.
pub const RESOURCE_OWNER_SCOPE: &str = "altinn:accessmanagement/authorizedparties.resourceowner";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .get("/accessmanagement/api/v1/authorizedparties", list)
        .post("/accessmanagement/api/v1/resourceowner/authorizedparties", for_resource_owner)
}

#[derive(Debug, Deserialize)]
struct Params {
    /// A national identity number, an organisation number or a party uuid.
    subject: Option<String>,
    resource: Option<String>,
    action: Option<String>,
    page: Option<usize>,
    #[serde(rename = "pageSize")]
    page_size: Option<usize>,
}

fn bad(detail: &str) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "invalid_request", "Invalid request").detail(detail).into_response()
}

fn unknown_subject() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "unknown_subject", "Unknown subject").into_response()
}

/// The resource and action to filter by: both or neither, and a known resource.
fn filter<'a>(snapshot: &Snapshot, resource: Option<&'a str>, action: Option<&'a str>) -> Result<Option<ResourceFilter<'a>>, Response> {
    match (resource, action) {
        (Some(resource), Some(action)) => {
            if snapshot.policy(resource).is_none() {
                return Err(Problem::new(StatusCode::NOT_FOUND, "unknown_resource", "Unknown resource").detail(resource.to_string()).into_response());
            }
            Ok(Some(ResourceFilter { resource, action }))
        }
        (None, None) => Ok(None),
        _ => Err(bad("give both resource and action, or neither")),
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<crate::token::TokenService>>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    if let Err(refused) = super::require_scope(&headers, &state.config.pdp_api_keys, &tokens, SCOPE) {
        return refused;
    }
    let snapshot = state.engine.snapshot();
    let Some(subject) = p.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return bad("subject is required: a national identity number, an organisation number or a party uuid");
    };
    let found = match subject.len() {
        11 => snapshot.party_by_national_id(subject),
        9 => snapshot.party_by_org_number(subject),
        _ => uuid::Uuid::parse_str(subject).ok().and_then(|id| snapshot.party(id)),
    };
    let Some(who) = found else { return unknown_subject() };
    let filter = match filter(&snapshot, p.resource.as_deref(), p.action.as_deref()) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let page_size = p.page_size.unwrap_or(50);
    if !(1..=500).contains(&page_size) {
        return bad("pageSize must be between 1 and 500");
    }
    let page = p.page.unwrap_or(1).max(1);
    let parties = authorized_parties(&snapshot, SubjectRef::Party(who.id), filter);
    let total = parties.len();
    let items: Vec<serde_json::Value> = parties
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|p| {
            serde_json::json!({
                "partyUuid": p.party.id,
                "name": p.party.name,
                "organizationNumber": p.party.org_number,
                "type": if p.party.org_number.is_some() { "Organization" } else { "Person" },
                "parentUuid": p.party.parent,
            })
        })
        .collect();
    Json(serde_json::json!({ "page": page, "pageSize": page_size, "totalCount": total, "items": items })).into_response()
}

/// Altinn's request: who the subject is, as an attribute and a value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectAttribute {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

/// The subject Altinn's request names, if the snapshot knows it.
fn subject_of(snapshot: &Snapshot, attribute: &SubjectAttribute) -> Result<Option<SubjectRef>, Response> {
    let value = attribute.value.trim();
    let uuid = || uuid::Uuid::parse_str(value).map_err(|_| bad("value must be a uuid for this type"));
    Ok(match attribute.kind.as_str() {
        "urn:altinn:person:identifier-no" => snapshot.party_by_national_id(value).filter(|p| p.org_number.is_none()).map(|p| SubjectRef::Party(p.id)),
        "urn:altinn:organization:identifier-no" => snapshot.party_by_org_number(value).map(|p| SubjectRef::Party(p.id)),
        "urn:altinn:person:uuid" => snapshot.party(uuid()?).filter(|p| p.org_number.is_none()).map(|p| SubjectRef::Party(p.id)),
        "urn:altinn:organization:uuid" => snapshot.party(uuid()?).filter(|p| p.org_number.is_some()).map(|p| SubjectRef::Party(p.id)),
        "urn:altinn:systemuser:uuid" => Some(uuid()?).filter(|id| snapshot.is_system_user(*id)).map(SubjectRef::SystemUser),
        other => {
            return Err(bad(&format!(
                "unsupported type {other}: use urn:altinn:person:identifier-no, urn:altinn:organization:identifier-no, \
                 urn:altinn:person:uuid, urn:altinn:organization:uuid or urn:altinn:systemuser:uuid"
            )))
        }
    })
}

/// One party in Altinn's shape.
fn altinn_party(p: &AuthorizedParty, subunits: Vec<serde_json::Value>) -> serde_json::Value {
    let is_org = p.party.org_number.is_some();
    serde_json::json!({
        "partyUuid": p.party.id,
        "name": p.party.name,
        "organizationNumber": p.party.org_number,
        "personId": if is_org { None } else { p.party.national_id.clone() },
        "parentId": p.party.parent,
        "type": if is_org { "Organization" } else { "Person" },
        "unitType": p.party.org_form,
        "isDeleted": false,
        "onlyHierarchyElementWithNoAccess": false,
        "authorizedAccessPackages": p.packages,
        "authorizedResources": p.resources,
        "authorizedRoles": p.roles,
        "authorizedInstances": [],
        "subunits": subunits,
    })
}

/// Altinn's shape: main units at the top with the sub-units the subject may
/// act for nested under them (a sub-unit whose main unit is not in the list
/// stands on its own).
fn nested(parties: &[AuthorizedParty]) -> Vec<serde_json::Value> {
    let listed = |id: uuid::Uuid| parties.iter().any(|p| p.party.id == id);
    parties
        .iter()
        .filter(|p| !p.party.parent.is_some_and(listed))
        .map(|p| {
            let subunits = parties.iter().filter(|s| s.party.parent == Some(p.party.id)).map(|s| altinn_party(s, vec![])).collect();
            altinn_party(p, subunits)
        })
        .collect()
}

async fn for_resource_owner(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<crate::token::TokenService>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = super::require_scope(&headers, &state.config.pdp_api_keys, &tokens, RESOURCE_OWNER_SCOPE) {
        return refused;
    }
    let attribute: SubjectAttribute = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return bad(&format!("the body must be {{\"type\": …, \"value\": …}}: {e}")),
    };
    let snapshot = state.engine.snapshot();
    let subject = match subject_of(&snapshot, &attribute) {
        Ok(Some(s)) => s,
        Ok(None) => return unknown_subject(),
        Err(refused) => return refused,
    };
    Json(nested(&authorized_parties(&snapshot, subject, None))).into_response()
}
