//! "For whom may subject S act?" — optionally for one resource and action; paged.

use crate::app_state::AppState;
use crate::problem::Problem;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use serde::Deserialize;
use std::sync::Arc;

/// The scope a token needs for this API (as Altinn's).
pub const SCOPE: &str = "altinn:accessmanagement/authorizedparties";

pub fn router() -> Router<AppState> {
    Router::new().route("/accessmanagement/api/v1/authorizedparties", get(list))
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

async fn list(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<crate::token::TokenService>>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    if let Err(refused) = super::require_scope(&headers, &state.config.pdp_api_keys, &tokens, SCOPE) {
        return refused;
    }
    let bad = |detail: &str| Problem::new(StatusCode::BAD_REQUEST, "invalid_request", "Invalid request").detail(detail).into_response();
    let snapshot = state.engine.snapshot();
    let Some(subject) = p.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return bad("subject is required: a national identity number, an organisation number or a party uuid");
    };
    let found = match subject.len() {
        11 => snapshot.party_by_national_id(subject),
        9 => snapshot.party_by_org_number(subject),
        _ => uuid::Uuid::parse_str(subject).ok().and_then(|id| snapshot.party(id)),
    };
    let Some(who) = found else {
        return Problem::new(StatusCode::NOT_FOUND, "unknown_subject", "Unknown subject").into_response();
    };
    let filter = match (p.resource.as_deref(), p.action.as_deref()) {
        (Some(r), Some(a)) => {
            if snapshot.policy(r).is_none() {
                return Problem::new(StatusCode::NOT_FOUND, "unknown_resource", "Unknown resource").detail(r.to_string()).into_response();
            }
            Some((r, a))
        }
        (None, None) => None,
        _ => return bad("give both resource and action, or neither"),
    };
    let page_size = p.page_size.unwrap_or(50);
    if !(1..=500).contains(&page_size) {
        return bad("pageSize must be between 1 and 500");
    }
    let page = p.page.unwrap_or(1).max(1);
    let mut parties: Vec<&domain::decisions::snapshot::PartyInfo> = std::iter::once(who.id)
        .chain(snapshot.parties_of(who.id).iter().copied())
        .filter(|party| match filter {
            None => true,
            Some((resource, action)) => {
                decide(&snapshot, &DecisionRequest { subject: SubjectRef::Party(who.id), action, resource, party: *party, env: Env::now() }).outcome
                    == Outcome::Permit
            }
        })
        .filter_map(|id| snapshot.party(id))
        .collect();
    parties.sort_by(|a, b| (a.id != who.id).cmp(&(b.id != who.id)).then_with(|| a.name.cmp(&b.name)));
    let total = parties.len();
    let items: Vec<serde_json::Value> = parties
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|p| {
            serde_json::json!({
                "partyUuid": p.id,
                "name": p.name,
                "organizationNumber": p.org_number,
                "type": if p.org_number.is_some() { "Organization" } else { "Person" },
                "parentUuid": p.parent,
            })
        })
        .collect();
    Json(serde_json::json!({ "page": page, "pageSize": page_size, "totalCount": total, "items": items })).into_response()
}
