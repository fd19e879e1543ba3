//! The client-delegation API for firms' own automation, in Altinn's shape
//! (`/authentication/api/v1/enduser/systemuser/…`, Altinn's
//! `SystemUserClientDelegationController`): the firm's agent system users,
//! the clients available to one, its clients, and attaching and removing one.
//!
//! The caller is either
//! * one of the firm's system users, with a token from `/token` carrying
//!   `altinn:clientdelegations.read` (or `.write` to change) that its client
//!   still holds; it acts for the firm that owns it; or
//! * a person, with a token from the exchange
//!   ([`super::token_exchange`]) carrying the scope; they act for the firm
//!   named by `party` (its organisation number, as Altinn's `agents` takes
//!   it), or else for the owner of the agent system user named by `agent`.
//!
//! What either may do is the domain's decision: the engine must find the
//! client-administrator package (or the main administrator's) held by the
//! caller for the firm. Unlike Altinn's, the client lists are paged
//! (`links.next`, as the vendor lists).

use super::paging::PageQuery;
use super::routes::ApiRoutes;
use super::system_register::wire::{right_of, Right};
use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::bearer::{bearer, BearerError};
use crate::token::TokenService;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::clients::{self, ClientError, ClientRow, Need, Show};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

pub const BASE: &str = "/authentication/api/v1/enduser/systemuser";
/// Read the firm's agent system users and clients.
pub const READ: &str = "altinn:clientdelegations.read";
/// Attach and remove clients.
pub const WRITE: &str = "altinn:clientdelegations.write";

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new()
        .get(&format!("{BASE}/agents"), agents)
        .get(&format!("{BASE}/clients/available"), available)
        .get(&format!("{BASE}/clients"), attached)
        .post(&format!("{BASE}/clients"), attach)
        .delete(&format!("{BASE}/clients"), detach)
}

/// The caller, as the use cases' context, if its token carries `scope`:
/// a system user (whose client still holds the scope) for its owner, or a
/// person for the firm `q` names.
async fn caller(state: &AppState, tokens: &TokenService, headers: &HeaderMap, scope: &str, q: &AgentQuery) -> Result<domain::Context, Response> {
    let token = bearer(headers).ok_or_else(|| BearerError::Missing.into_response())?;
    let c = match tokens.authorize(token, scope) {
        Ok(c) => c,
        // A write token reads too.
        Err(BearerError::InsufficientScope(_)) if scope == READ => {
            tokens.authorize(token, WRITE).map_err(|_| BearerError::InsufficientScope(READ.into()).into_response())?
        }
        Err(e) => return Err(e.into_response()),
    };
    let request_id = crate::security::request_id(headers);
    if let Some(person) = c.person {
        return person_caller(state, person, &c.client_id, q, request_id).await;
    }
    let Some(system_user) = c.system_user_id.as_deref().and_then(|s| Uuid::parse_str(s).ok()) else {
        return Err(Problem::new(StatusCode::FORBIDDEN, "not_a_system_user", "A system user's token is required")
            .detail("Ask /token for a token with authorization_details of type urn:altinn:systemuser.")
            .into_response());
    };
    let held = match domain::tokens::service::client_owner(&state.pool, &c.client_id).await {
        Ok(Some((_, held))) => held,
        Ok(None) => {
            return Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
                .detail("The client this token was issued to no longer exists.")
                .into_response())
        }
        Err(e) => return Err(Problem::internal(request_id.as_deref().unwrap_or("-"), &e).into_response()),
    };
    if !held.iter().any(|s| s == scope || (scope == READ && s == WRITE)) {
        return Err(BearerError::InsufficientScope(scope.into()).into_response());
    }
    let Some(owner) = state.engine.snapshot().system_user_owner(system_user) else {
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
            .detail("The system user of this token no longer exists.")
            .into_response());
    };
    Ok(state.services().for_system_user(system_user, &c.client_id, domain::parties::PartyId(owner), request_id))
}

/// A person acts for the firm `party` names, or else for the owner of the
/// agent system user `agent`; whether they may is the domain's decision.
/// The audit trail names the person and the client at the provider their
/// token was exchanged for.
async fn person_caller(state: &AppState, person: Uuid, client_id: &str, q: &AgentQuery, request_id: Option<String>) -> Result<domain::Context, Response> {
    let mut snapshot = state.engine.snapshot();
    // An agent system user made a moment ago may not be in this instance's
    // snapshot yet (the engine follows the change feed within a second):
    // catch up once before saying there is no such agent.
    if let (None, Some(Ok(agent))) = (q.party.as_deref().map(str::trim).filter(|p| !p.is_empty()), q.agent.as_deref().map(|a| Uuid::parse_str(a.trim()))) {
        if snapshot.system_user_owner(agent).is_none() {
            state.engine.refresh_now(&state.pool).await;
            snapshot = state.engine.snapshot();
        }
    }
    let firm = match q.party.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(org) => match snapshot.party_by_org_number(org) {
            Some(firm) => firm.id,
            None => {
                return Err(Problem::new(StatusCode::NOT_FOUND, "party_not_found", "No such organisation")
                    .detail("party must be the organisation number of the firm you act for.")
                    .into_response())
            }
        },
        None if q.agent.is_none() => return Err(bad("party is required with a person's token: the organisation number of the firm you act for")),
        None => {
            let agent = q.agent()?;
            snapshot.system_user_owner(agent).ok_or_else(|| problem(ClientError::AgentNotFound, request_id.as_deref()))?
        }
    };
    let name = format!("{} (via {client_id})", snapshot.name_of(person));
    Ok(state.services().for_person(domain::parties::PartyId(person), name, Some(domain::parties::PartyId(firm)), request_id))
}

fn problem(e: ClientError, request_id: Option<&str>) -> Response {
    let detail = e.to_string();
    let p = match e {
        ClientError::NotClientAdministrator | ClientError::NotAccessManager => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
        ClientError::AgentNotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00054", "Agent system user not found"),
        ClientError::NotAnAgent => Problem::new(StatusCode::BAD_REQUEST, "AUTH.VLD-00015", "Not an agent system user"),
        ClientError::ClientNotFound => Problem::new(StatusCode::NOT_FOUND, "AUTH-00079", "Client not found"),
        ClientError::MissingPackages(_) => Problem::new(StatusCode::BAD_REQUEST, "AUTH-00080", "The client lacks packages"),
        ClientError::AlreadyAttached => Problem::new(StatusCode::CONFLICT, "client_already_attached", "The client is attached already"),
        ClientError::NotAttached => Problem::new(StatusCode::NOT_FOUND, "client_not_attached", "The client is not attached"),
        ClientError::JobRunning | ClientError::JobNotFound => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict"),
        // The person use cases are the portal's; mapped here so that a
        // future endpoint cannot leave them out.
        ClientError::Invalid(..) | ClientError::NotPassable(_) => Problem::new(StatusCode::BAD_REQUEST, "validation", "Invalid request"),
        ClientError::NotOfTheFirm => Problem::new(StatusCode::BAD_REQUEST, "validation", "Invalid request"),
        ClientError::NoSuchPerson | ClientError::PersonDelegationNotFound => Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found"),
        ClientError::AlreadyGiven => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict"),
        ClientError::Store(e) => return Problem::internal(request_id.unwrap_or("-"), &e).into_response(),
    };
    p.detail(detail).into_response()
}

fn bad(detail: &str) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "AUTH.VLD-00016", "Invalid request").detail(detail).into_response()
}

/// An agent system user as Altinn lists them (`SystemUserInternalDTO`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AgentOut {
    id: Uuid,
    integration_title: String,
    system_id: String,
    party_org_no: String,
    #[serde(with = "time::serde::rfc3339")]
    created: time::OffsetDateTime,
    user_type: &'static str,
    access_packages: Vec<PackageOut>,
    /// Fullmakt's (scenario S9): single rights required of each client, when any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rights: Vec<Right>,
    /// Fullmakt's: clients attached now.
    clients: i64,
}

#[derive(Debug, Serialize)]
struct PackageOut {
    urn: String,
}

async fn agents(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Query(q): Query<AgentQuery>) -> Response {
    let ctx = match caller(&state, &tokens, &headers, READ, &q).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let org = ctx.party().and_then(|p| state.engine.snapshot().party(p.0).and_then(|p| p.org_number.clone())).unwrap_or_default();
    match clients::agents(&ctx).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|a| AgentOut {
                    id: a.id,
                    integration_title: a.name,
                    system_id: a.system_id,
                    party_org_no: org.clone(),
                    created: a.created_at,
                    user_type: "agent",
                    access_packages: a
                        .requires
                        .iter()
                        .filter_map(|r| match Need::of(&r.key) {
                            Need::Package(code) => Some(PackageOut { urn: format!("urn:altinn:accesspackage:{code}") }),
                            Need::Right { .. } => None,
                        })
                        .collect(),
                    rights: a
                        .requires
                        .iter()
                        .filter_map(|r| match Need::of(&r.key) {
                            Need::Right { resource, action } => Some(right_of(resource, Some(action))),
                            Need::Package(_) => None,
                        })
                        .collect(),
                    clients: a.clients,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => problem(e, ctx.request_id()),
    }
}

#[derive(Debug, Deserialize)]
struct AgentQuery {
    /// The firm's organisation number (a person's token).
    party: Option<String>,
    agent: Option<String>,
    client: Option<String>,
    token: Option<String>,
}

impl AgentQuery {
    fn agent(&self) -> Result<Uuid, Response> {
        let a = self.agent.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| bad("agent is required: the agent system user's id"))?;
        Uuid::parse_str(a).map_err(|_| bad("agent must be a system user's id (a UUID)"))
    }

    fn client(&self) -> Result<Uuid, Response> {
        let c = self.client.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| bad("client is required: the client's party id"))?;
        Uuid::parse_str(c).map_err(|_| bad("client must be the client's party id (a UUID)"))
    }
}

/// A client as Altinn's `ClientInfo`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientInfo {
    client_id: Uuid,
    client_organization_number: Option<String>,
    client_organization_name: String,
}

impl From<ClientRow> for ClientInfo {
    fn from(c: ClientRow) -> Self {
        Self { client_id: c.id, client_organization_number: c.org_number, client_organization_name: c.name }
    }
}

async fn list(state: AppState, tokens: Arc<TokenService>, headers: HeaderMap, q: AgentQuery, show: Show, path: &str) -> Response {
    let ctx = match caller(&state, &tokens, &headers, READ, &q).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let agent = match q.agent() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let after = match (PageQuery { token: q.token.clone() }).after() {
        Ok(a) => a,
        Err(r) => return r,
    };
    match clients::clients(&ctx, agent, show, "", after).await {
        Ok(page) => {
            let org = state.engine.snapshot().party(ctx.party().map_or(Uuid::nil(), |p| p.0)).and_then(|p| p.org_number.clone());
            let data: Vec<ClientInfo> = page.clients.into_iter().map(Into::into).collect();
            let next = page.next.map(|n| format!("{}{path}?agent={agent}&token={n}", state.config.public_url.as_str().trim_end_matches('/')));
            Json(serde_json::json!({
                "links": { "next": next },
                "systemUserInformation": { "systemUserId": agent, "systemUserOwnerOrg": org },
                "data": data,
            }))
            .into_response()
        }
        Err(e) => problem(e, ctx.request_id()),
    }
}

async fn available(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Query(q): Query<AgentQuery>,
) -> Response {
    list(state, tokens, headers, q, Show::Available, &format!("{BASE}/clients/available")).await
}

async fn attached(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Query(q): Query<AgentQuery>) -> Response {
    list(state, tokens, headers, q, Show::Attached, &format!("{BASE}/clients")).await
}

async fn change(state: AppState, tokens: Arc<TokenService>, headers: HeaderMap, q: AgentQuery, attach: bool) -> Response {
    let ctx = match caller(&state, &tokens, &headers, WRITE, &q).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (agent, client) = match (q.agent(), q.client()) {
        (Ok(a), Ok(c)) => (a, c),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let done = if attach { clients::attach(&ctx, agent, client).await.map(|_| ()) } else { clients::detach(&ctx, agent, client).await };
    match done {
        Ok(()) => Json(serde_json::json!({ "agent": agent, "client": client })).into_response(),
        Err(e) => problem(e, ctx.request_id()),
    }
}

async fn attach(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Query(q): Query<AgentQuery>) -> Response {
    change(state, tokens, headers, q, true).await
}

async fn detach(State(state): State<AppState>, Extension(tokens): Extension<Arc<TokenService>>, headers: HeaderMap, Query(q): Query<AgentQuery>) -> Response {
    change(state, tokens, headers, q, false).await
}
