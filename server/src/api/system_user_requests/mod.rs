//! System-user requests, the vendor API, as Altinn's
//! (`/authentication/api/v1/systemuser/request/vendor`): a vendor's software,
//! with a token carrying `altinn:authentication/systemuser.request.write`,
//! asks a customer for a system user of one of its systems and withdraws the
//! request; with `….read` (or write) it follows the request's status. The
//! answer carries the `confirmUrl` the vendor sends the customer's access
//! manager to. Under `…/vendor/agent` the same for agent requests: a system
//! user for an accounting, auditing or business-manager firm to act for its
//! clients, asking for client packages only; each path answers for its own
//! kind (a repeat on the other kind's path is a conflict), and one confirm page
//! serves both. Rules, authorization and audit are the domain's
//! (`domain::system_user_requests`); problem codes are Altinn's.

mod wire;

use super::client_caller::{client_caller, ClientCaller};
use super::paging::{self, PageQuery};
use super::routes::ApiRoutes;
use super::JsonBody;
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::TokenService;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::authz::Scopes;
use domain::system_user_requests::rules::RequestRule;
use domain::system_user_requests::{service, RequestError, SystemUserKind};
use std::sync::Arc;
use uuid::Uuid;

pub const BASE: &str = "/authentication/api/v1/systemuser/request/vendor";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .post(BASE, |s: State<AppState>, w: Writer, b: JsonBody<wire::CreateRequestSystemUser>| send(s, w, b, SystemUserKind::Standard))
        .get(&format!("{BASE}/{{request_id}}"), |s: State<AppState>, r: Reader, p: Path<String>| get(s, r, p, SystemUserKind::Standard))
        .delete(&format!("{BASE}/{{request_id}}"), |w: Writer, p: Path<String>| withdraw(w, p, SystemUserKind::Standard))
        .get(&format!("{BASE}/byexternalref/{{system_id}}/{{org_no}}/{{external_ref}}"), |s: State<AppState>, r: Reader, p: Path<(String, String, String)>| {
            by_external_ref(s, r, p, SystemUserKind::Standard)
        })
        .get(&format!("{BASE}/bysystem/{{system_id}}"), |s: State<AppState>, r: Reader, p: Path<String>, q: Query<PageQuery>| {
            by_system(s, r, p, q, SystemUserKind::Standard)
        })
        .post(&format!("{BASE}/agent"), |s: State<AppState>, w: Writer, b: JsonBody<wire::CreateRequestSystemUser>| send(s, w, b, SystemUserKind::Agent))
        .get(&format!("{BASE}/agent/{{request_id}}"), |s: State<AppState>, r: Reader, p: Path<String>| get(s, r, p, SystemUserKind::Agent))
        .delete(&format!("{BASE}/agent/{{request_id}}"), |w: Writer, p: Path<String>| withdraw(w, p, SystemUserKind::Agent))
        .get(
            &format!("{BASE}/agent/byexternalref/{{system_id}}/{{org_no}}/{{external_ref}}"),
            |s: State<AppState>, r: Reader, p: Path<(String, String, String)>| by_external_ref(s, r, p, SystemUserKind::Agent),
        )
        .get(&format!("{BASE}/agent/bysystem/{{system_id}}"), |s: State<AppState>, r: Reader, p: Path<String>, q: Query<PageQuery>| {
            by_system(s, r, p, q, SystemUserKind::Agent)
        })
        .method_not_allowed_fallback(|| async {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed")
                .detail("See the OpenAPI document for the methods of this path.")
        })
}

async fn vendor(parts: &Parts, state: &AppState, accepted: &[Scopes]) -> Result<ClientCaller, Response> {
    let Some(tokens) = parts.extensions.get::<Arc<TokenService>>().cloned() else {
        return Err(Problem::internal("-", &"the token service is not configured").into_response());
    };
    client_caller(state, &tokens, &parts.headers, accepted).await
}

/// A vendor's client that may send and withdraw requests.
struct Writer(ClientCaller);

impl FromRequestParts<AppState> for Writer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        vendor(parts, state, &[Scopes::REQUEST_WRITE]).await.map(Writer)
    }
}

/// A vendor's client that may read requests.
struct Reader(ClientCaller);

impl FromRequestParts<AppState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        vendor(parts, state, &[Scopes::REQUEST_READ, Scopes::REQUEST_WRITE]).await.map(Reader)
    }
}

pub(crate) fn problem(e: RequestError, request_id: Option<&str>) -> Response {
    let detail = e.to_string();
    let p = match e {
        RequestError::SystemNotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00011", "System not found"),
        RequestError::NotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00010", "Request not found"),
        RequestError::CustomerNotFound => Problem::new(StatusCode::BAD_REQUEST, "AUTH-00000", "Customer not found"),
        RequestError::SystemUserExists => Problem::new(StatusCode::BAD_REQUEST, "AUTH-00004", "System user already exists"),
        RequestError::Rule(rule) => {
            let (code, title) = match rule {
                RequestRule::NothingAsked => ("AUTH-00059", "No rights or access packages"),
                RequestRule::RightsNotInSystem(_) => ("AUTH-00001", "Rights not in the system"),
                RequestRule::PackagesNotInSystem(_) => ("AUTH-00063", "Access packages not in the system"),
                RequestRule::PackagesNotAssignable(_) => ("AUTH-00064", "Access packages not assignable"),
                RequestRule::AgentWithoutPackages => ("AUTH-00058", "Access packages or rights required"),
                RequestRule::PackagesNotDelegable(_) => ("AUTH-00064", "Access packages not delegable"),
                RequestRule::RedirectNotAllowed => ("AUTH-00021", "Redirect URL not allowed"),
                RequestRule::BadText => ("FULLMAKT.VLD-00003", "Invalid external reference or title"),
                RequestRule::CorrelationId => ("AUTH-00031", "Invalid correlation id"),
                RequestRule::AgentCannotChange => ("AUTH-00036", "Agent system users cannot be changed"),
                RequestRule::AddAndRemove(_) => ("FULLMAKT.VLD-00004", "Both added and removed"),
            };
            Problem::new(StatusCode::BAD_REQUEST, code, title)
        }
        // The customer's decisions are made in the portal, not through this API.
        RequestError::NotNew(_) => Problem::new(StatusCode::CONFLICT, "AUTH-00013", "Request is not new"),
        RequestError::NotAccessManager => Problem::new(StatusCode::FORBIDDEN, "AUTH-00066", "Not an access manager"),
        RequestError::CannotDelegate(_) => Problem::new(StatusCode::FORBIDDEN, "AUTH-00053", "Cannot delegate"),
        RequestError::AlreadyForwarded => Problem::new(StatusCode::CONFLICT, "already_forwarded", "Already forwarded"),
        // Only the customer's own creation meets a waiting request.
        RequestError::Pending(_) => Problem::new(StatusCode::CONFLICT, "request_pending", "A request is waiting"),
        RequestError::OtherKind(..) => Problem::new(StatusCode::CONFLICT, "request_other_kind", "A request of the other kind exists"),
        RequestError::Store(e) => return Problem::internal(request_id.unwrap_or("-"), &e).into_response(),
    };
    p.detail(detail).into_response()
}

/// The request's id from the path; anything else is an unknown request.
fn request_id(raw: &str) -> Result<Uuid, RequestError> {
    Uuid::parse_str(raw.trim()).map_err(|_| RequestError::NotFound)
}

async fn send(State(state): State<AppState>, Writer(c): Writer, JsonBody(body): JsonBody<wire::CreateRequestSystemUser>, kind: SystemUserKind) -> Response {
    let input = match body.into_domain(kind) {
        Ok(input) => input,
        Err(p) => return p.into_response(),
    };
    match service::send(&c.ctx, &input).await {
        Ok(sent) => {
            let body = Json(wire::RequestSystemResponse::of(&sent.request, &state.config.public_url));
            if !sent.new {
                return body.into_response();
            }
            let mut res = (StatusCode::CREATED, body).into_response();
            let path = match kind {
                SystemUserKind::Standard => format!("{BASE}/{}", sent.request.id),
                SystemUserKind::Agent => format!("{BASE}/agent/{}", sent.request.id),
            };
            if let Ok(location) = HeaderValue::from_str(&path) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            res
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn get(State(state): State<AppState>, Reader(c): Reader, Path(id): Path<String>, kind: SystemUserKind) -> Response {
    let found = match request_id(&id) {
        // Each path answers for its own kind only, as Altinn's.
        Ok(id) => service::get(&c.ctx, id).await.and_then(|r| if r.kind == kind { Ok(r) } else { Err(RequestError::NotFound) }),
        Err(e) => Err(e),
    };
    match found {
        Ok(r) => Json(wire::RequestSystemResponse::of(&r, &state.config.public_url)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn by_external_ref(
    State(state): State<AppState>,
    Reader(c): Reader,
    Path((system, org, external_ref)): Path<(String, String, String)>,
    kind: SystemUserKind,
) -> Response {
    match service::by_external_ref(&c.ctx, Some(kind), &system, &org, &external_ref).await {
        Ok(r) => Json(wire::RequestSystemResponse::of(&r, &state.config.public_url)).into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn by_system(State(state): State<AppState>, Reader(c): Reader, Path(system): Path<String>, Query(q): Query<PageQuery>, kind: SystemUserKind) -> Response {
    let after = match q.after() {
        Ok(after) => after,
        Err(r) => return r,
    };
    match service::by_system(&c.ctx, Some(kind), &system, after).await {
        Ok(page) => {
            let data: Vec<_> = page.items.iter().map(|r| wire::RequestSystemResponse::of(r, &state.config.public_url)).collect();
            let path = match kind {
                SystemUserKind::Standard => format!("{BASE}/bysystem/{system}"),
                SystemUserKind::Agent => format!("{BASE}/agent/bysystem/{system}"),
            };
            paging::page(&state.config.public_url, &path, page.next_after, data)
        }
        Err(e) => problem(e, c.ctx.request_id()),
    }
}

async fn withdraw(Writer(c): Writer, Path(id): Path<String>, kind: SystemUserKind) -> Response {
    let done = match request_id(&id) {
        Ok(id) => service::withdraw(&c.ctx, id, kind).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => problem(e, c.ctx.request_id()),
    }
}
