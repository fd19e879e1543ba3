//! The resource registry API for service owners, on Altinn's paths:
//! `/resourceregistry/api/v1/resource` (list, create), `/{id}` (read, update,
//! delete) and `/{id}/policy` (XACML 3.0 XML export; import as XML, or the
//! typed policy as JSON).
//!
//! Who calls is decided in one place, the [`Caller`] extractor: today the
//! portal's session cookie (the signed-in person); the token service adds
//! bearer tokens there. Because it authenticates with the session cookie, this
//! router sits inside the portal's session and CSRF layers: a state-changing
//! request must come from the portal's own origin (`Sec-Fetch-Site` or
//! `Origin`), like every form in the portal.
//!
//! What the caller may do is decided by the domain use cases
//! (`domain::resources`), never here: handlers parse the input, call one use
//! case and map its error to a problem (in [`problem`], the only place).

use super::routes::ApiRoutes;
use super::{bad_json, is_json, unsupported_media};
use crate::app_state::AppState;
use crate::problem::Problem;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::decisions::policy::Policy;
use domain::decisions::xacml_xml::XmlPolicyError;
use domain::parties::{OrgNumber, PartyId};
use domain::resources::{self, Resource, ResourceError, ResourceForSave};
use serde::{Deserialize, Serialize};

pub const BASE: &str = "/resourceregistry/api/v1/resource";

pub fn routes() -> ApiRoutes<AppState> {
    let one = format!("{BASE}/{{id}}");
    let policy = format!("{BASE}/{{id}}/policy");
    ApiRoutes::new()
        .get(BASE, list)
        .post(BASE, create)
        .get(&one, read)
        .put(&one, update)
        .delete(&one, remove)
        .get(&policy, export_policy)
        .put(&policy, import_policy)
}

/// The authenticated caller of the API. Today: the person signed in to the
/// portal (session cookie, absolute time-out honoured). The token service
/// adds `Authorization: Bearer` here, and nowhere else.
pub struct Caller {
    pub person: PartyId,
    pub name: String,
    pub request_id: Option<String>,
}

impl Caller {
    /// The use-case context of this caller.
    fn context(&self, state: &AppState) -> domain::Context {
        state.services().for_person(self.person, self.name.clone(), None, self.request_id.clone())
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let unauthenticated = || Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required").detail("Sign in to the portal first.");
        let session = tower_sessions::Session::from_request_parts(parts, state).await.map_err(|_| unauthenticated())?;
        let timeout = time::Duration::hours(state.config.session_absolute_hours);
        let auth = app::session::signed_in(&session, state.clock.now(), timeout).await.ok_or_else(unauthenticated)?;
        Ok(Self { person: auth.person, name: auth.name, request_id: crate::security::request_id(&parts.headers) })
    }
}

/// A resource on the wire, in Altinn's resource-registry names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDto {
    identifier: String,
    title: Titles,
    description: String,
    resource_type: String,
    delegable: bool,
    has_competent_authority: CompetentAuthority,
    /// Only when one resource is read (policies can name persons).
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Policy>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Titles {
    nb: String,
    nn: String,
    en: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct CompetentAuthority {
    /// The owner's organisation number.
    organization: String,
}

impl ResourceDto {
    fn new(r: Resource, with_policy: bool) -> Self {
        Self {
            identifier: r.id,
            title: Titles { nb: r.title_nb, nn: r.title_nn, en: r.title_en },
            description: r.description,
            resource_type: r.resource_type,
            delegable: r.delegable,
            has_competent_authority: CompetentAuthority { organization: r.owner_org },
            policy: with_policy.then_some(r.policy),
        }
    }
}

/// A resource as a client sends it. Extra Altinn fields are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceBody {
    identifier: Option<String>,
    title: Titles,
    #[serde(default)]
    description: String,
    #[serde(default = "default_type")]
    resource_type: String,
    #[serde(default = "yes")]
    delegable: bool,
    has_competent_authority: Option<CompetentAuthority>,
    /// Required to create; left out on update, the stored policy is kept.
    policy: Option<serde_json::Value>,
}

fn default_type() -> String {
    "GenericAccessResource".into()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct ListParams {
    owner: Option<String>,
}

/// The one mapping of the domain's refusals to problem details.
fn problem(e: ResourceError, request_id: Option<&str>) -> Problem {
    let detail = e.to_string();
    match e {
        ResourceError::Invalid(errors) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_resource", "Invalid resource")
            .detail(detail)
            .errors(serde_json::to_value(errors).unwrap_or_default()),
        ResourceError::NotOwner => Problem::new(StatusCode::CONFLICT, "owned_by_another", "The id belongs to another service owner").detail(detail),
        ResourceError::OwnerCannotChange => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "owner_cannot_change", "The owner cannot change").detail(detail),
        ResourceError::NotAccessManager => Problem::new(StatusCode::FORBIDDEN, "not_access_manager", "Not allowed").detail(detail),
        ResourceError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "unknown_resource", "Unknown resource").detail(detail),
        ResourceError::AlreadyExists(_) => Problem::new(StatusCode::CONFLICT, "already_exists", "The resource exists").detail(detail),
        ResourceError::SystemResource(_) => Problem::new(StatusCode::FORBIDDEN, "system_resource", "A system resource").detail(detail),
        ResourceError::InUse { .. } => Problem::new(StatusCode::CONFLICT, "in_use", "The resource is in use").detail(detail),
        ResourceError::Policy(x) => match x {
            XmlPolicyError::Doctype => Problem::new(StatusCode::BAD_REQUEST, "xml_doctype", "DOCTYPE refused").detail(x.to_string()),
            XmlPolicyError::Malformed { .. } | XmlPolicyError::TooLarge { .. } | XmlPolicyError::TooDeep { .. } => {
                Problem::new(StatusCode::BAD_REQUEST, "malformed_xml", "Malformed XML").detail(x.to_string())
            }
            other => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_policy", "The policy cannot be imported").detail(other.to_string()),
        },
        ResourceError::Store(e) => Problem::internal(request_id.unwrap_or("-"), &e),
    }
}

fn bad_id(id: &str) -> Option<Problem> {
    (!resources::rules::valid_id(id)).then(|| {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_id", "Invalid resource id")
            .detail(format!("{id:?} is not a resource id: 2–100 characters of a–z, 0–9, _ and -"))
    })
}

fn content_type(headers: &HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn is_xml(headers: &HeaderMap) -> bool {
    let ct = content_type(headers);
    ct.starts_with("application/xml") || ct.starts_with("text/xml") || ct.contains("+xml")
}

/// A typed policy from JSON; `resource` may be left out (the path names it).
fn policy_from_json(mut value: serde_json::Value, id: &str) -> Result<Policy, serde_json::Error> {
    if let Some(obj) = value.as_object_mut() {
        obj.insert("resource".into(), serde_json::Value::String(id.to_string()));
    }
    serde_json::from_value(value)
}

fn for_save(body: ResourceBody, id: String, policy: Policy) -> ResourceForSave {
    ResourceForSave {
        id,
        title_nb: body.title.nb,
        title_nn: body.title.nn,
        title_en: body.title.en,
        description: body.description,
        resource_type: body.resource_type,
        delegable: body.delegable,
        policy,
    }
}

async fn list(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Response {
    let owner = match p.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(OrgNumber::try_from).transpose() {
        Ok(o) => o,
        Err(e) => return Problem::new(StatusCode::BAD_REQUEST, "invalid_owner", "Invalid owner").detail(e.to_string()).into_response(),
    };
    match resources::list(&caller.context(&state), owner.as_ref()).await {
        Ok(list) => Json(list.into_iter().map(|r| ResourceDto::new(r, false)).collect::<Vec<_>>()).into_response(),
        Err(e) => problem(e, None).into_response(),
    }
}

async fn read(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    if let Some(p) = bad_id(&id) {
        return p.into_response();
    }
    match resources::get(&caller.context(&state), &id).await {
        Ok(r) => Json(ResourceDto::new(r, true)).into_response(),
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}

async fn create(State(state): State<AppState>, caller: Caller, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !is_json(&headers) {
        return unsupported_media("application/json");
    }
    let body: ResourceBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad_json(e).into_response(),
    };
    let missing =
        |what: &str| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "Invalid body").detail(format!("{what} is required")).into_response();
    let Some(id) = body.identifier.clone() else { return missing("identifier") };
    let Some(owner) = body.has_competent_authority.as_ref().map(|a| a.organization.clone()) else {
        return missing("hasCompetentAuthority.organization");
    };
    let owner = match OrgNumber::try_from(owner.as_str()) {
        Ok(o) => o,
        Err(e) => return Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_owner", "Invalid owner").detail(e.to_string()).into_response(),
    };
    let Some(policy) = body.policy.clone() else { return missing("policy") };
    let policy = match policy_from_json(policy, &id) {
        Ok(p) => p,
        Err(e) => return bad_json(e).into_response(),
    };
    let r = for_save(body, id, policy);
    match resources::create(&caller.context(&state), &owner, &r).await {
        Ok(created) => {
            let location = format!("{BASE}/{}", created.id);
            (StatusCode::CREATED, [(header::LOCATION, location)], Json(ResourceDto::new(created, true))).into_response()
        }
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}

async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(p) = bad_id(&id) {
        return p.into_response();
    }
    if !is_json(&headers) {
        return unsupported_media("application/json");
    }
    let body: ResourceBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad_json(e).into_response(),
    };
    let new_policy = match body.policy.clone().map(|p| policy_from_json(p, &id)).transpose() {
        Ok(p) => p,
        Err(e) => return bad_json(e).into_response(),
    };
    let claimed_owner = body.has_competent_authority.as_ref().map(|a| a.organization.clone());
    let given_id = body.identifier.clone().unwrap_or_else(|| id.clone());
    let keep_policy = new_policy.is_none();
    let policy = new_policy.unwrap_or_else(|| Policy {
        resource: id.clone(),
        combining: domain::decisions::Combining::DenyOverrides,
        rules: vec![],
        obligations: vec![],
    });
    let r = for_save(body, given_id, policy);
    match resources::replace(&caller.context(&state), &id, &r, claimed_owner.as_deref(), keep_policy).await {
        Ok(updated) => Json(ResourceDto::new(updated, true)).into_response(),
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}

async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    if let Some(p) = bad_id(&id) {
        return p.into_response();
    }
    match resources::delete(&caller.context(&state), &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}

async fn export_policy(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    if let Some(p) = bad_id(&id) {
        return p.into_response();
    }
    match resources::export_policy(&caller.context(&state), &id).await {
        Ok(xml) => {
            let disposition = format!("inline; filename=\"{id}.xml\"");
            ([(header::CONTENT_TYPE, "application/xml; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], xml).into_response()
        }
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}

async fn import_policy(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(p) = bad_id(&id) {
        return p.into_response();
    }
    let ctx = caller.context(&state);
    let result = if is_xml(&headers) {
        let Ok(xml) = std::str::from_utf8(&body) else {
            return Problem::new(StatusCode::BAD_REQUEST, "malformed_xml", "Malformed XML").detail("The body is not UTF-8.").into_response();
        };
        resources::import_policy(&ctx, &id, xml).await
    } else if is_json(&headers) {
        let value: serde_json::Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return bad_json(e).into_response(),
        };
        match policy_from_json(value, &id) {
            Ok(policy) => resources::set_policy(&ctx, &id, policy).await,
            Err(e) => return bad_json(e).into_response(),
        }
    } else {
        return unsupported_media("application/xml (XACML 3.0) or application/json (typed policy)");
    };
    match result {
        Ok(updated) => Json(ResourceDto::new(updated, true)).into_response(),
        Err(e) => problem(e, caller.request_id.as_deref()).into_response(),
    }
}
