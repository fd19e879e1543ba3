//! `GET /authentication/api/v1/exchange/id-porten`: a person's token for the
//! client-delegation API, as Altinn exchanges an ID-porten token for an
//! Altinn token (`AuthenticationController.ExchangeExternalSystemToken`).
//!
//! The caller sends, as its bearer token, an ID token the configured OpenID
//! Connect provider issued to one of the clients named by
//! `FULLMAKT_EXCHANGE_CLIENT_IDS` (none by default: the exchange is off
//! until an integration's client is named; the portal's own ID tokens are
//! not meant for it, as they travel in the browser at logout). It is
//! checked as a login's is — the provider's signature, issuer and expiry —
//! except for the nonce, which only the client that logged the person in
//! knows; besides, it must be at most [`MAX_AGE_SECS`] old, at least the
//! level of assurance the portal asks for (`FULLMAKT_OIDC_ACR`), and it is
//! exchanged once only. Its `pid` names the person, registered on first
//! sight as at login. The answer, as Altinn's, is the token as plain text: one of ours,
//! naming the person and carrying the scopes asked for (`?scope=`, by
//! default every scope a person's token may carry,
//! [`PERSON_SCOPES`](crate::token::person::PERSON_SCOPES)).
//!
//! The token grants nothing by itself: each request with it is decided by
//! the domain from what the person holds then. Every exchange is audited
//! (`token.exchange`), refusals included.
//!
//! Departure from Altinn: Altinn exchanges ID-porten *access* tokens, which
//! are JWTs there; the providers Fullmakt logs people in with need not
//! issue JWT access tokens, so the ID token is what is exchanged.

use super::routes::ApiRoutes;
use crate::app_state::AppState;
use crate::oidc::IdportenIdToken;
use crate::problem::Problem;
use crate::token::bearer::{bearer, BearerError};
use crate::token::person::{PersonToken, PERSON_SCOPES};
use crate::token::TokenService;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::audit::{self, Actor, AuditEvent, Outcome};
use domain::parties::NationalId;
use openidconnect::Nonce;
use serde::Deserialize;
use std::str::FromStr;
use std::sync::Arc;

pub const PATH: &str = "/authentication/api/v1/exchange/id-porten";
/// The oldest ID token exchanged, by its `iat`.
pub const MAX_AGE_SECS: i64 = 600;
/// The client id the spent ID tokens are kept under (beside `/token`'s assertion ids).
const SPENT: &str = "exchange:id-porten";

/// The level of an `acr` value (ID-porten's, and the older `Level3`/`Level4`).
fn level(acr: &str) -> Option<u8> {
    match acr {
        "idporten-loa-low" => Some(1),
        "idporten-loa-substantial" | "Level3" => Some(2),
        "idporten-loa-high" | "Level4" => Some(3),
        _ => None,
    }
}

pub fn routes() -> ApiRoutes<AppState> {
    ApiRoutes::new().get(PATH, exchange)
}

#[derive(Debug, Deserialize)]
struct ExchangeQuery {
    scope: Option<String>,
}

/// The scopes asked for: each a person's token may carry, each once; all of
/// them when none is named.
fn scopes(asked: Option<&str>) -> Result<Vec<&'static str>, String> {
    let asked: Vec<&str> = asked.unwrap_or_default().split_whitespace().collect();
    if asked.is_empty() {
        return Ok(PERSON_SCOPES.to_vec());
    }
    let mut out = Vec::new();
    for s in asked {
        let known = PERSON_SCOPES
            .iter()
            .find(|p| **p == s)
            .ok_or_else(|| format!("a person's token cannot carry the scope {s}; it may carry {}", PERSON_SCOPES.join(" ")))?;
        if !out.contains(known) {
            out.push(*known);
        }
    }
    Ok(out)
}

/// What a verified ID token says.
struct Verified {
    client_id: String,
    pid: String,
    acr: String,
    name: Option<String>,
    expires: time::OffsetDateTime,
}

/// Why an ID token is not exchanged.
enum Refused {
    /// The provider could not be asked for its keys: 503, try again.
    Unavailable,
    /// The token itself: 401.
    Token(&'static str),
}

/// Checks the ID token as a login does, but for the nonce, and that every
/// audience is a client whose tokens may be exchanged, that it is recent
/// and of the level of assurance asked for at login.
async fn verify(state: &AppState, id_token: &str) -> Result<Verified, Refused> {
    let token = IdportenIdToken::from_str(id_token).map_err(|_| Refused::Token("the token is not an ID token"))?;
    let client = state.provider.client().await.map_err(|e| {
        tracing::error!(error = %e, "the OpenID Connect provider cannot be reached for a token exchange");
        Refused::Unavailable
    })?;
    let verifier = client.id_token_verifier().require_audience_match(false);
    // The nonce belongs to the client that logged the person in.
    let claims =
        token.claims(&verifier, |_: Option<&Nonce>| Ok(())).map_err(|_| Refused::Token("the ID token does not verify (signature, issuer or expiry)"))?;
    let audiences = claims.audiences();
    let allowed = &state.config.exchange_client_ids;
    if audiences.is_empty() || !audiences.iter().all(|a| allowed.iter().any(|c| c == a.as_str())) {
        return Err(Refused::Token("the ID token was issued to a client whose tokens are not exchanged here"));
    }
    let now = state.clock.now().unix_timestamp();
    if now - claims.issue_time().timestamp() > MAX_AGE_SECS {
        return Err(Refused::Token("the ID token is too old; log the person in again"));
    }
    let acr = claims.auth_context_ref().map(|a| a.to_string()).unwrap_or_default();
    if level(&acr).is_none_or(|got| level(&state.config.oidc_acr).is_some_and(|asked| got < asked)) {
        return Err(Refused::Token("the login's level of assurance (acr) is below what is asked for"));
    }
    let pid = claims.additional_claims().pid.clone().ok_or(Refused::Token("the ID token has no pid"))?;
    let expires =
        time::OffsetDateTime::from_unix_timestamp(claims.expiration().timestamp()).map_err(|_| Refused::Token("the ID token's exp is out of range"))?;
    Ok(Verified { client_id: audiences[0].to_string(), pid, acr, name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()), expires })
}

/// The SHA-256 of the token, hex: how a spent ID token is remembered.
fn fingerprint(token: &str) -> String {
    crate::token::bearer::hash(token).iter().map(|b| format!("{b:02x}")).collect()
}

async fn audit_refusal(state: &AppState, request_id: Option<String>, reason: &str) {
    let actor = Actor { party: None, label: "anonymous".into(), on_behalf_of: None, request_id };
    let event = AuditEvent::new("token.exchange", "", Outcome::Refused, serde_json::json!({ "reason": reason }));
    if let Err(e) = audit::record(&state.pool, actor, state.clock.as_ref(), event).await {
        tracing::error!(error = %e, "cannot audit a refused token exchange");
    }
}

async fn exchange(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<TokenService>>,
    headers: HeaderMap,
    Query(q): Query<ExchangeQuery>,
) -> Response {
    let request_id = crate::security::request_id(&headers);
    let Some(id_token) = bearer(&headers) else {
        audit_refusal(&state, request_id, "no bearer token").await;
        return BearerError::Missing.into_response();
    };
    let scopes = match scopes(q.scope.as_deref()) {
        Ok(s) => s,
        Err(why) => {
            audit_refusal(&state, request_id, &why).await;
            return Problem::new(StatusCode::BAD_REQUEST, "invalid_scope", "Invalid scope").detail(why).into_response();
        }
    };
    let verified = match verify(&state, id_token).await {
        Ok(v) => v,
        Err(Refused::Unavailable) => {
            return Problem::new(StatusCode::SERVICE_UNAVAILABLE, "provider_unavailable", "The identity provider cannot be reached")
                .detail("Try again in a moment.")
                .into_response()
        }
        Err(Refused::Token(why)) => {
            audit_refusal(&state, request_id, why).await;
            return BearerError::Invalid(why).into_response();
        }
    };
    match domain::tokens::store::spend_once(&state.pool, SPENT, &fingerprint(id_token), verified.expires).await {
        Ok(true) => {}
        Ok(false) => {
            let why = "the ID token has been exchanged before; log the person in again";
            audit_refusal(&state, request_id, why).await;
            return BearerError::Invalid(why).into_response();
        }
        Err(e) => return Problem::internal(request_id.as_deref().unwrap_or("-"), &e).into_response(),
    }
    let nin = match NationalId::parse(&verified.pid, state.config.synthetic_ids()) {
        Ok(n) => n,
        Err(e) => {
            audit_refusal(&state, request_id, &format!("the pid is not accepted: {e}")).await;
            return BearerError::Invalid("the ID token's pid is not a national identity number accepted here").into_response();
        }
    };
    let ctx = state.services().for_operator("token-exchange");
    let person = match domain::parties::service::find_or_register_person(&ctx, &nin, verified.name.clone()).await {
        Ok(p) => p,
        Err(e) => return Problem::internal(request_id.as_deref().unwrap_or("-"), &e).into_response(),
    };
    let issued =
        tokens.issue_person_token(&PersonToken { client_id: &verified.client_id, pid: nin.as_str(), party: person.id.0, acr: &verified.acr, scopes: &scopes });
    let Some((token, lifetime)) = issued else {
        return Problem::internal(request_id.as_deref().unwrap_or("-"), &"signing failed").into_response();
    };
    let actor = Actor { party: Some(person.id), label: person.name.clone(), on_behalf_of: Some(person.id), request_id: request_id.clone() };
    let event = AuditEvent::new(
        "token.exchange",
        person.id.to_string(),
        Outcome::Success,
        serde_json::json!({ "client_id": verified.client_id, "scope": scopes.join(" "), "acr": verified.acr, "expires_in": lifetime }),
    );
    // An exchange that cannot be audited is not made.
    if let Err(e) = audit::record(&state.pool, actor, state.clock.as_ref(), event).await {
        return Problem::internal(request_id.as_deref().unwrap_or("-"), &e).into_response();
    }
    let mut res = (StatusCode::OK, token).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_asks_for_the_client_delegation_scopes_only() {
        assert_eq!(scopes(None).unwrap(), PERSON_SCOPES.to_vec());
        assert_eq!(scopes(Some("  ")).unwrap(), PERSON_SCOPES.to_vec());
        assert_eq!(scopes(Some("altinn:clientdelegations.read altinn:clientdelegations.read")).unwrap(), ["altinn:clientdelegations.read"]);
        let refused = scopes(Some("altinn:clientdelegations.read altinn:authorization/authorize")).unwrap_err();
        assert!(refused.contains("altinn:authorization/authorize"), "{refused}");
    }
}
